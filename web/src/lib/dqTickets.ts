// Ticket search: the filters as a GET /tickets query, and the option lists.
import { compareCodes } from './wbTicket'

export interface TicketFilters {
  status: string
  q: string
  phone: string
  category: string
  area_id: string
  overdue: boolean
  warning: string // '' | yellow | red
}

export function emptyFilters(): TicketFilters {
  return { status: '', q: '', phone: '', category: '', area_id: '', overdue: false, warning: '' }
}

// Caller history by phone is for these roles only (README "HTTP API").
const phoneRoles = ['agent', 'dispatcher', 'callback_agent', 'supervisor', 'admin']
export function phoneAllowed(role: string | undefined): boolean {
  return !!role && phoneRoles.includes(role)
}

export function ticketsQuery(f: TicketFilters, role: string | undefined, pageSize = 100) {
  const q: Record<string, string | number | boolean> = { page_size: pageSize }
  if (f.status) q.status = f.status
  if (f.q.trim()) q.q = f.q.trim()
  if (f.phone.trim() && phoneAllowed(role)) q.phone = f.phone.replace(/\s+/g, '')
  if (f.category) q.category = f.category
  if (f.area_id) q.area_id = f.area_id
  if (f.overdue) q.overdue = true
  if (f.warning) q.warning = f.warning
  return q
}

export interface Category {
  code: string
  name: string
  parent_code: string | null
  active?: boolean
}

export interface CategoryNode {
  value: string
  label: string
  children?: CategoryNode[]
}

// The flat taxonomy as a tree for a cascader (any level selectable: a prefix filter).
export function categoryTree(cats: Category[]): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>()
  for (const c of cats) nodes.set(c.code, { value: c.code, label: `${c.code} ${c.name}` })
  const roots: CategoryNode[] = []
  for (const c of [...cats].sort(compareCodes)) {
    const n = nodes.get(c.code)!
    const p = c.parent_code ? nodes.get(c.parent_code) : undefined
    if (p) (p.children ??= []).push(n)
    else roots.push(n)
  }
  return roots
}

// How near the end (in px) a virtual list asks for the next page.
export const PREFETCH_PX = 600

// Whether a virtual list scrolled to `scrollTop` is within `threshold` px of its last row.
export function nearEnd(scrollTop: number, viewport: number, rows: number, rowHeight: number, threshold = PREFETCH_PX): boolean {
  const total = rows * rowHeight
  return total - (scrollTop + viewport) < threshold
}

// The rows a virtual list draws for a scroll position: those in view plus `overscan` on
// each side, as [first, end) indexes clamped to the list.
export function visibleRange(scrollTop: number, viewport: number, rows: number, rowHeight: number, overscan = 6): [number, number] {
  const first = Math.max(0, Math.floor(Math.max(0, scrollTop) / rowHeight) - overscan)
  const end = Math.min(rows, Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight) + overscan)
  return [Math.min(first, end), end]
}

// The search filters survive a visit to a ticket's detail (per browser tab and user).
const KEY = 'dq.tickets.filters'
export function loadSavedFilters(user = ''): TicketFilters {
  try {
    const raw = sessionStorage.getItem(KEY + '.' + user)
    if (raw) return { ...emptyFilters(), ...JSON.parse(raw) }
  } catch { /* ignore */ }
  return emptyFilters()
}
export function saveFilters(f: TicketFilters, user = ''): void {
  try {
    sessionStorage.setItem(KEY + '.' + user, JSON.stringify(f))
  } catch { /* ignore */ }
}
