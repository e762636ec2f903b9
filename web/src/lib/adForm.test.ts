import { describe, expect, it, vi } from 'vitest'
import type { FormInstance } from 'element-plus'
import { ApiError } from './api'
import { changedFields, useCreateDialog, useLoader } from './adForm'

// A stand-in for el-form: validate() resolves to `ok` (Element Plus rejects when invalid).
function fakeForm(ok: boolean) {
  return {
    validate: vi.fn(() => (ok ? Promise.resolve(true) : Promise.reject(new Error('invalid')))),
    clearValidate: vi.fn(),
  } as unknown as FormInstance
}

describe('useLoader', () => {
  it('flags loading while the load runs and clears the error', async () => {
    let finish = () => {}
    const l = useLoader((n: number) => new Promise<void>((res) => { finish = res; expect(n).toBe(7) }))
    l.error.value = 'old'
    const p = l.reload(7)
    expect(l.loading.value).toBe(true)
    expect(l.error.value).toBe('')
    finish()
    await p
    expect(l.loading.value).toBe(false)
  })
  it('keeps the failure as a message and does not throw', async () => {
    const l = useLoader(() => Promise.reject(new ApiError(500, 'internal', 'boom', undefined)))
    await expect(l.reload()).resolves.toBeUndefined()
    expect(l.error.value).toContain('boom')
    expect(l.loading.value).toBe(false)
  })
})

describe('useCreateDialog', () => {
  const setup = (save = vi.fn(async () => {}), done = vi.fn()) => {
    const d = useCreateDialog({ blank: () => ({ name: '', parent_id: '', tags: [] as string[] }), save, done })
    return { d, save, done }
  }

  it('opens on a blank form with the preset and no errors', () => {
    const { d } = setup()
    d.formRef.value = fakeForm(true)
    d.form.name = 'left over'
    d.form.tags.push('x')
    d.errors.name = 'old'
    d.show({ parent_id: '3' })
    expect(d.open.value).toBe(true)
    expect(d.form).toEqual({ name: '', parent_id: '3', tags: [] })
    expect(d.errors).toEqual({})
    expect(d.formRef.value!.clearValidate).toHaveBeenCalled()
  })

  it('does not send a form that fails its rules', async () => {
    const { d, save } = setup()
    d.formRef.value = fakeForm(false)
    d.show()
    await d.submit()
    expect(save).not.toHaveBeenCalled()
    expect(d.open.value).toBe(true)
  })

  it('sends, closes, then runs done', async () => {
    const order: string[] = []
    const { d, save, done } = setup(vi.fn(async () => { order.push('save') }), vi.fn(() => { order.push(d.open.value ? 'done-open' : 'done-closed') }))
    d.formRef.value = fakeForm(true)
    d.show()
    d.form.name = 'A'
    await d.submit()
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ name: 'A' }))
    expect(done).toHaveBeenCalledOnce()
    expect(order).toEqual(['save', 'done-closed'])
    expect(d.open.value).toBe(false)
    expect(d.saving.value).toBe(false)
  })

  it('puts a server error under the field it names and keeps the dialog open', async () => {
    const { d, done } = setup(vi.fn(async () => { throw new ApiError(409, 'conflict', 'name: already exists', 'name') }))
    d.formRef.value = fakeForm(true)
    d.show()
    await d.submit()
    expect(d.errors).toEqual({ name: 'already exists' })
    expect(d.open.value).toBe(true)
    expect(d.saving.value).toBe(false)
    expect(done).not.toHaveBeenCalled()
  })

  it('puts an error without a field under _, and clears it on the next submit', async () => {
    let fail = true
    const save = vi.fn(async () => { if (fail) throw new ApiError(500, 'internal', 'boom', undefined) })
    const { d } = setup(save)
    d.formRef.value = fakeForm(true)
    d.show()
    await d.submit()
    expect(Object.keys(d.errors)).toEqual(['_'])
    expect(d.errors._).toContain('boom')
    fail = false
    await d.submit()
    expect(d.errors).toEqual({})
  })
})

describe('changedFields', () => {
  it('keeps what differs from the old values, arrays by their items', () => {
    const was = { name: '望江街道', aliases: ['望江路'], active: true, phone: undefined }
    expect(changedFields({ name: '望江街道', aliases: ['望江路'], active: true }, was)).toEqual({})
    expect(changedFields({ name: '春晖街道', aliases: ['望江路', '春晖路'], active: false }, was))
      .toEqual({ name: '春晖街道', aliases: ['望江路', '春晖路'], active: false })
    expect(changedFields({ phone: '' }, was)).toEqual({})  // a missing old value is ''
    expect(changedFields({ phone: '0571-1' }, was)).toEqual({ phone: '0571-1' })
  })
})
