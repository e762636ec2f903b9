// Who is logged in, and which screens their role may see. The server enforces every
// permission; this only keeps the UI from offering (or asking for) what the role cannot do.
import { reactive } from 'vue'
import { get, post, setToken } from './api'

export interface User {
  id: string
  username: string
  role: string
  unit_id: string
  unit_name: string
}

export const session = reactive<{ user: User | null; ready: boolean }>({ user: null, ready: false })

const KEY = 'hotline.token'

// Screen (route name) → roles that see it.
export const screenRoles: Record<string, string[]> = {
  workbench: ['agent', 'admin'],
  dispatch: ['dispatcher', 'admin'],
  inbox: ['unit_handler'],
  review: ['reviewer', 'admin'],
  callback: ['callback_agent', 'admin'],
  supervision: ['supervisor', 'dispatcher', 'admin'],
  tickets: ['agent', 'dispatcher', 'unit_handler', 'reviewer', 'callback_agent', 'supervisor', 'qa_inspector', 'analyst', 'admin'],
  dashboard: ['supervisor', 'analyst', 'qa_inspector', 'dispatcher', 'admin', 'agent'],
  insight: ['analyst', 'supervisor', 'admin'],
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
  session.user = me
  return me
}

export async function restore(): Promise<void> {
  const t = sessionStorage.getItem(KEY)
  if (t) {
    setToken(t)
    try {
      session.user = await get<User>('/auth/me')
    } catch {
      forget()
    }
  }
  session.ready = true
}

export function forget(): void {
  setToken('')
  sessionStorage.removeItem(KEY)
  session.user = null
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout')
  } finally {
    forget()
  }
}
