// Who is logged in, and which screens their role may see. The server enforces every
// permission; this only keeps the UI from offering (or asking for) what the role cannot do.
import { reactive } from 'vue'
import { get, post, setToken } from './api'
import { forgetHandedCaller } from './callerHandoff'

export interface User {
  id: string
  username: string
  role: string
  unit_id: string
  unit_name: string
}

export const session = reactive<{ user: User | null; ready: boolean }>({ user: null, ready: false })

const KEY = 'hotline.token'
// Who the token belongs to, kept beside it so a reload shows the screen at once; the
// server is asked again in the background and has the last word.
const USER_KEY = 'hotline.user'

// Screen (route name) → roles that see it.
export const screenRoles: Record<string, string[]> = {
  workbench: ['agent', 'admin'],
  dispatch: ['dispatcher', 'admin'],
  inbox: ['unit_handler'],
  review: ['reviewer', 'admin'],
  callback: ['callback_agent', 'admin'],
  supervision: ['supervisor', 'dispatcher', 'admin'],
  tickets: ['agent', 'dispatcher', 'unit_handler', 'reviewer', 'callback_agent', 'supervisor', 'qa_inspector', 'analyst', 'admin'],
  // Every centre desk (the wall screen of the centre; the server refuses unit handlers only).
  dashboard: ['supervisor', 'analyst', 'qa_inspector', 'dispatcher', 'admin', 'agent', 'reviewer', 'callback_agent'],
  reports: ['supervisor', 'analyst', 'dispatcher', 'admin'],
  insight: ['analyst', 'supervisor', 'admin'],
  staffing: ['supervisor', 'analyst', 'admin'],
  kb: ['agent', 'reviewer', 'admin', 'analyst', 'dispatcher', 'supervisor', 'callback_agent'],
  admin: ['admin'],
}

export function canSee(screen: string, role: string | undefined): boolean {
  if (!role) return false
  const roles = screenRoles[screen]
  return !roles || roles.includes(role)
}

// The screen a role lands on after login.
export function homeFor(role: string): string {
  switch (role) {
    case 'agent': return 'workbench'
    case 'dispatcher': return 'dispatch'
    case 'unit_handler': return 'inbox'
    case 'reviewer': return 'review'
    case 'callback_agent': return 'callback'
    case 'supervisor': return 'supervision'
    case 'admin': return 'dashboard'
    default: return 'dashboard'
  }
}

export async function login(username: string, password: string): Promise<User> {
  const r = await post<{ token: string }>('/auth/login', { username, password })
  setToken(r.token)
  sessionStorage.setItem(KEY, r.token)
  const me = await get<User>('/auth/me')
  remember(me)
  return me
}

function remember(me: User): void {
  session.user = me
  sessionStorage.setItem(USER_KEY, JSON.stringify(me))
}

function cachedUser(): User | null {
  try {
    const u = JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null')
    return u && typeof u.username === 'string' && typeof u.role === 'string' ? (u as User) : null
  } catch {
    return null
  }
}

// Restores the tab's session. With the user remembered from login, resolves at once and
// checks the token with the server in the background: a refused token logs out (through
// the API's unauthorised handler), a changed role or unit replaces the remembered one.
// Without it, waits for the server.
export async function restore(): Promise<void> {
  const t = sessionStorage.getItem(KEY)
  if (t) {
    setToken(t)
    const check = get<User>('/auth/me').then(
      (me) => {
        if (me.role !== session.user?.role || me.unit_id !== session.user?.unit_id) remember(me)
        else sessionStorage.setItem(USER_KEY, JSON.stringify(me))
      },
      () => {
        // A refused token has already been forgotten by the unauthorised handler; an
        // unreachable server keeps a remembered user (the next call will tell).
        if (!cachedUser()) forget()
      },
    )
    const cached = cachedUser()
    if (cached) session.user = cached
    else await check
  }
  session.ready = true
}

// What else a signed-out session must not leave behind for the next user of the browser tab
// (unsent drafts): registered by the modules that keep it.
const forgetHooks: (() => void)[] = []
export function onForget(hook: () => void): void { forgetHooks.push(hook) }

export function forget(): void {
  for (const hook of forgetHooks) hook()
  forgetHandedCaller()
  setToken('')
  sessionStorage.removeItem(KEY)
  sessionStorage.removeItem(USER_KEY)
  session.user = null
}

// The signed-in user's own password. The server ends every session of the user and answers
// with a new token for this tab, kept as login keeps one.
export async function changePassword(current: string, next: string): Promise<void> {
  const r = await post<{ token: string }>('/auth/password', { current_password: current, new_password: next })
  setToken(r.token)
  sessionStorage.setItem(KEY, r.token)
}

// What the form can tell before asking the server (which holds the full rules).
export function newPasswordErrors(current: string, next: string, confirm: string): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!current) errors.current_password = '请输入当前密码'
  // at least 8 characters as a person counts them, at most 200 bytes as a login reads them
  if ([...next].length < 8) errors.new_password = '至少 8 位'
  else if (new TextEncoder().encode(next).length > 200) errors.new_password = '过长（最多 200 字节）'
  else if (next === current) errors.new_password = '不能与当前密码相同'
  if (confirm !== next) errors.confirm = '两次输入的新密码不一致'
  return errors
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout')
  } finally {
    forget()
  }
}
