// The entry's handle on Element Plus, which loads in the background (lib/element.ts):
// screens built with it wait for it in the router; the workbench form, built from native
// controls, does not. Toasts from light code go through here too.
import type { App } from 'vue'

type ElementModule = typeof import('./element')
let app: App | null = null
let loading: Promise<ElementModule> | null = null

// The app Element Plus is for: the zh-CN locale is provided to it when Element Plus arrives.
export function elementFor(target: App): void {
  app = target
}

// Loads Element Plus once (later calls share the first load).
export function elementPlus(): Promise<ElementModule> {
  loading ??= import('./element').then((m) => {
    if (app) m.install(app)
    return m
  })
  return loading
}

export type ToastKind = 'success' | 'warning' | 'info' | 'error'

// Asks before a step that cannot be undone (ElMessageBox, once Element Plus is there):
// true when confirmed.
export async function confirmStep(title: string, message: string, confirm: string): Promise<boolean> {
  try {
    const m = await elementPlus()
    await m.ElMessageBox.confirm(message, title, { confirmButtonText: confirm, cancelButtonText: '取消', type: 'warning' })
    return true
  } catch {
    return false
  }
}

// A short message at the top of the screen (ElMessage, once Element Plus is there).
export function toast(kind: ToastKind, message: string): void {
  elementPlus().then(
    (m) => m.ElMessage[kind](message),
    () => window.alert(message),
  )
}
