// State the admin screens share: a load with a spinner and an error banner (useLoader), and
// a create dialog whose form is checked by its Element Plus rules before it is sent, with the
// server's complaint shown under the field it names (useCreateDialog).
import { reactive, ref } from 'vue'
import type { FormInstance } from 'element-plus'
import { describeError } from './api'
import { fieldErrors } from './adRefs'

// Wraps `load` so that `loading` is true while it runs and `error` holds describeError's
// message when it fails; `reload` never throws.
export function useLoader<A extends unknown[]>(load: (...args: A) => Promise<unknown>) {
  const loading = ref(false)
  const error = ref('')
  async function reload(...args: A): Promise<void> {
    loading.value = true
    error.value = ''
    try {
      await load(...args)
    } catch (e) {
      error.value = describeError(e)
    } finally {
      loading.value = false
    }
  }
  return { loading, error, reload }
}

// An edit dialog's PATCH body: the fields of `now` that differ from `was` (compared by value,
// so arrays compare by their items; a missing old value counts as ''). Empty: nothing to send.
export function changedFields(now: Record<string, unknown>, was: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(now)) {
    if (JSON.stringify(v) !== JSON.stringify(was[k] ?? '')) out[k] = v
  }
  return out
}

export interface CreateDialogOptions<T> {
  // A fresh form; called on every open so that nothing carries over.
  blank: () => T
  // Sends the form (and tells the user); a thrown error becomes field errors.
  save: (form: T) => Promise<void>
  // Runs after a successful save, once the dialog is closed (typically a reload).
  done?: () => Promise<unknown> | unknown
}

// A create dialog: bind `formRef` as the el-form's ref, `form` as its model, `errors[prop]`
// as each el-form-item's error (`errors._` for what no field owns) and `open`/`saving` to the
// dialog and its submit button.
export function useCreateDialog<T extends object>(opts: CreateDialogOptions<T>) {
  const open = ref(false)
  const saving = ref(false)
  const formRef = ref<FormInstance>()
  const form = reactive(opts.blank()) as T
  const errors = reactive<Record<string, string>>({})

  function clearErrors() {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  // Opens the dialog on a blank form, with `preset` (e.g. the parent) filled in.
  function show(preset: Partial<T> = {}) {
    Object.assign(form, opts.blank(), preset)
    clearErrors()
    open.value = true
    formRef.value?.clearValidate()
  }

  async function submit() {
    clearErrors()
    if (!(await formRef.value?.validate().catch(() => false))) return
    saving.value = true
    try {
      await opts.save(form)
      open.value = false
      await opts.done?.()
    } catch (e) {
      Object.assign(errors, fieldErrors(e, describeError(e)))
    } finally {
      saving.value = false
    }
  }

  return { open, saving, formRef, form, errors, show, submit }
}
