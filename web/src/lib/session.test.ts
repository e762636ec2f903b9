import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { canSee, changePassword, homeFor, newPasswordErrors, restore, screenRoles, session } from './session'

describe('role screens', () => {
  it('lands each role on its own desk', () => {
    expect(homeFor('agent')).toBe('workbench')
    expect(homeFor('dispatcher')).toBe('dispatch')
    expect(homeFor('unit_handler')).toBe('inbox')
    expect(homeFor('reviewer')).toBe('review')
    expect(homeFor('callback_agent')).toBe('callback')
    expect(homeFor('analyst')).toBe('dashboard')
  })
  it('never offers a unit handler the centre desks, the dashboard or admin', () => {
    for (const s of ['workbench', 'dispatch', 'review', 'callback', 'dashboard', 'admin', 'insight']) {
      expect(canSee(s, 'unit_handler')).toBe(false)
    }
    expect(canSee('inbox', 'unit_handler')).toBe(true)
    expect(canSee('admin', 'agent')).toBe(false)
    expect(canSee('tickets', undefined)).toBe(false)
  })
  it('gives every landing screen to the role that lands there', () => {
    for (const role of ['admin', 'agent', 'dispatcher', 'unit_handler', 'reviewer', 'callback_agent', 'supervisor', 'qa_inspector', 'analyst']) {
      expect(canSee(homeFor(role), role)).toBe(true)
    }
    expect(Object.keys(screenRoles).length).toBeGreaterThan(8)
  })
})

describe('restoring a tab session', () => {
  const me = { id: 'u1', username: 'agent1', role: 'agent', unit_id: 'c1', unit_name: '市热线中心' }
  const reply = (status: number, body: unknown) => vi.fn(async () => new Response(JSON.stringify(body), { status }))
  beforeEach(() => {
    sessionStorage.clear()
    session.user = null
  })
  afterEach(() => vi.unstubAllGlobals())

  it('shows the remembered user at once and takes the server answer when it differs', async () => {
    sessionStorage.setItem('hotline.token', 't')
    sessionStorage.setItem('hotline.user', JSON.stringify(me))
    let answer: (r: Response) => void = () => {}
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((r) => (answer = r))))
    await restore() // resolves although /auth/me has not answered
    expect(session.user?.username).toBe('agent1')
    answer(new Response(JSON.stringify({ ...me, role: 'dispatcher' }), { status: 200 }))
    await vi.waitFor(() => expect(session.user?.role).toBe('dispatcher'))
    expect(JSON.parse(sessionStorage.getItem('hotline.user')!).role).toBe('dispatcher')
  })

  it('waits for the server when nothing is remembered', async () => {
    sessionStorage.setItem('hotline.token', 't')
    vi.stubGlobal('fetch', reply(200, me))
    await restore()
    expect(session.user?.unit_name).toBe('市热线中心')
    expect(sessionStorage.getItem('hotline.user')).toContain('agent1')
  })

  it('forgets a token the server refuses', async () => {
    sessionStorage.setItem('hotline.token', 't')
    vi.stubGlobal('fetch', reply(401, { error: { code: 'unauthenticated', message: 'expired' } }))
    await restore()
    expect(session.user).toBeNull()
    expect(sessionStorage.getItem('hotline.token')).toBeNull()
  })

  it('ignores a remembered user that is not one', async () => {
    sessionStorage.setItem('hotline.token', 't')
    sessionStorage.setItem('hotline.user', '{"broken"')
    vi.stubGlobal('fetch', reply(200, me))
    await restore()
    expect(session.user?.username).toBe('agent1')
  })
})

describe('changing one\'s password', () => {
  afterEach(() => vi.unstubAllGlobals())
  it('checks the form before asking the server', () => {
    expect(newPasswordErrors('', 'short', 'other')).toEqual({ current_password: '请输入当前密码', new_password: '至少 8 位', confirm: '两次输入的新密码不一致' })
    expect(newPasswordErrors('Old-Pass-1', 'Old-Pass-1', 'Old-Pass-1')).toEqual({ new_password: '不能与当前密码相同' })
    expect(newPasswordErrors('Old-Pass-1', '新密码新密码新密码', '新密码新密码新密码')).toEqual({})
    expect(newPasswordErrors('Old-Pass-1', '新用户', '新用户')).toEqual({ new_password: '至少 8 位' }) // 9 bytes, 3 characters
  })
  it('keeps the new token the server answers with', async () => {
    sessionStorage.setItem('hotline.token', 'old')
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: 'new' }), { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    await changePassword('Old-Pass-1', 'New-Pass-2')
    expect(sessionStorage.getItem('hotline.token')).toBe('new')
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/auth/password')
    expect(JSON.parse(init.body as string)).toEqual({ current_password: 'Old-Pass-1', new_password: 'New-Pass-2' })
  })
})
