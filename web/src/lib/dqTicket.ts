// Pure helpers over the ticket JSON of GET /tickets (src/api/views.cc) shared by the
// dispatch centre, the unit inbox and the ticket search.

export interface Assignment {
  id: string
  unit_id: string
  unit_name: string
  lead: boolean
  mode: string
  state: string // pending | accepted | replied | returned | superseded
  round: number
  dispatched_at: string
  accepted_at: string
  ended_at: string
  accept_due_at: string
  handle_due_at: string
  warning_level: string
  suspended: boolean
  suspend_requested: boolean
  remaining_ms?: number
  return_reason?: string
  extension_request?: { days: number; reason: string }
  suspend_reason?: string
  dispatched_by_unit_id: string | null
}

export interface SuggestedUnit {
  unit_id: string
  name: string
  score: number
  reasons?: string[]
}

export interface Ticket {
  id: string
  number: string
  status: string
  status_label: string
  version: number
  channel: string
  request_type: string
  urgency: string
  title: string
  content: string
  address: string
  area_id: string | null
  area_name: string
  category_code: string
  created_at: string
  due_at: string
  overdue: boolean
  warning_level: string
  remaining_ms?: number
  current_unit_id: string | null
  current_unit_name: string
  return_count: number
  assignments: Assignment[]
  suggestions?: {
    category?: { abstain?: boolean; code?: string; name?: string; confidence?: number }
    units?: SuggestedUnit[]
  }
  [k: string]: unknown
}

export function excerpt(text: string | null | undefined, n = 60): string {
  const s = (text ?? '').replace(/\s+/g, ' ').trim()
  const chars = Array.from(s)
  return chars.length <= n ? s : chars.slice(0, n).join('') + '…'
}

export function suggestedUnits(t: Pick<Ticket, 'suggestions'>): SuggestedUnit[] {
  const u = t.suggestions?.units
  return Array.isArray(u) ? u.filter((x) => x && x.unit_id) : []
}

export function topSuggestion(t: Pick<Ticket, 'suggestions'>): SuggestedUnit | null {
  return suggestedUnits(t)[0] ?? null
}

export function suggestedCategory(t: Pick<Ticket, 'suggestions'>): { code: string; name: string; confidence: number } | null {
  const c = t.suggestions?.category
  if (!c || c.abstain || !c.code) return null
  return { code: c.code, name: c.name || c.code, confidence: typeof c.confidence === 'number' ? c.confidence : 0 }
}

// "0.996" → "99.6%"; tiny values show as "<0.1%".
export function scoreText(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—'
  if (x > 0 && x < 0.001) return '<0.1%'
  return (x * 100).toFixed(1) + '%'
}

// The latest return of the ticket: who returned it, why, when.
export function lastReturn(t: Pick<Ticket, 'assignments'>): { unit_id: string; unit_name: string; reason: string; at: string } | null {
  let best: Assignment | null = null
  for (const a of t.assignments ?? []) {
    if (a.state !== 'returned') continue
    if (!best || (a.ended_at || '') > (best.ended_at || '')) best = a
  }
  return best ? { unit_id: best.unit_id, unit_name: best.unit_name, reason: best.return_reason ?? '', at: best.ended_at } : null
}

// The assignment of one unit that the inbox acts on: its live one (pending/accepted),
// the latest if several; otherwise its latest assignment of any state.
export function unitAssignment(t: Pick<Ticket, 'assignments'>, unitId: string | null | undefined): Assignment | null {
  if (!unitId) return null
  const mine = (t.assignments ?? []).filter((a) => a.unit_id === unitId)
  const byTime = (a: Assignment, b: Assignment) => (b.dispatched_at || '').localeCompare(a.dispatched_at || '')
  const live = mine.filter((a) => a.state === 'pending' || a.state === 'accepted').sort(byTime)
  if (live.length) return live[0]
  return mine.sort(byTime)[0] ?? null
}

// Remaining working time of the unit's assignment (the ticket's when it has none).
export function remainingFor(t: Pick<Ticket, 'assignments' | 'remaining_ms'>, unitId?: string | null,
                             now: number = Date.now()): number | null {
  const a = unitAssignment(t, unitId)
  // Not signed for yet: the time left to sign (the accept deadline), not to handle.
  if (a && a.state === 'pending' && a.accept_due_at) return Date.parse(a.accept_due_at) - now
  if (a && typeof a.remaining_ms === 'number') return a.remaining_ms
  return typeof t.remaining_ms === 'number' ? t.remaining_ms : null
}

// Warning level of the unit's assignment (or the ticket's).
export function warningFor(t: Pick<Ticket, 'assignments' | 'warning_level' | 'overdue'>, unitId?: string | null): string {
  const a = unitAssignment(t, unitId)
  if (a && a.warning_level && (a.state === 'pending' || a.state === 'accepted')) return a.warning_level
  if (t.overdue) return 'red'
  return t.warning_level || 'none'
}

// UTF-8 length, as the server counts its limits (2000 bytes for a reason, 20000 for text).
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length
}

// A 409 because someone else changed the ticket since it was listed (If-Match failed).
export function isStale(e: unknown): boolean {
  const x = e as { status?: number; code?: string; field?: string } | null
  return !!x && x.status === 409 && (x.code === 'stale_version' || x.field === 'version')
}
