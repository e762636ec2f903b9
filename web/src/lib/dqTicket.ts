// Pure helpers over the ticket JSON of GET /tickets (src/api/views.cc) shared by the
// dispatch centre, the unit inbox and the ticket search.

import { ApiError, describeError } from './api'
import type { Assignment, SuggestedUnit, Ticket } from './ticket'

export type { Assignment, SuggestedUnit, Ticket } from './ticket'

export function excerpt(text: string | null | undefined, n = 60): string {
  const s = (text ?? '').replace(/\s+/g, ' ').trim()
  const chars = Array.from(s)
  return chars.length <= n ? s : chars.slice(0, n).join('') + '…'
}

export function suggestedUnits(t: Pick<Ticket, 'suggestions'>): SuggestedUnit[] {
  const u = t.suggestions?.units
  return Array.isArray(u) ? u.filter((x) => x && x.unit_id) : []
}

export function suggestedCategory(t: Pick<Ticket, 'suggestions'>): { code: string; name: string; confidence: number } | null {
  const c = t.suggestions?.category
  if (!c || c.abstain || !c.code) return null
  return { code: c.code, name: c.name || c.code, confidence: typeof c.confidence === 'number' ? c.confidence : 0 }
}

// The dispatch list's category cell: the ticket's own category when it has one (the agent
// chose it, or a dispatch set it), else what the model proposed, with its confidence.
export function categoryCell(t: Pick<Ticket, 'suggestions' | 'category_code'>, names: ReadonlyMap<string, string>):
  { name: string; hint: string } | null {
  if (t.category_code) return { name: names.get(t.category_code) ?? t.category_code, hint: '已分类' }
  const s = suggestedCategory(t)
  return s ? { name: s.name, hint: '建议 · 置信度 ' + scoreText(s.confidence) } : null
}

// "0.996" → "99.6%"; tiny values show as "<0.1%".
export function scoreText(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  if (x > 0 && x < 0.001) return '<0.1%'
  return (x * 100).toFixed(1) + '%'
}

// Every unit that has returned (退单) the ticket: not proposed to it again.
export function returningUnits(t: Pick<Ticket, 'assignments'>): Set<string> {
  return new Set((t.assignments ?? []).filter((a) => a.state === 'returned' || !!a.return_reason).map((a) => a.unit_id))
}

// The unit a dispatch dialog starts with: the best proposal that has not returned the ticket
// and is confident enough to be a default (a 2 % guess is left for the dispatcher to choose).
export const DEFAULT_UNIT_MIN_SCORE = 0.2
export function defaultUnit(t: Pick<Ticket, 'assignments' | 'suggestions'>, known: (id: string) => boolean): string {
  const back = returningUnits(t)
  const s = suggestedUnits(t).find((x) => !back.has(x.unit_id) && known(x.unit_id))
  return s && (typeof s.score !== 'number' || s.score >= DEFAULT_UNIT_MIN_SCORE) ? s.unit_id : ''
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
  // Not signed for yet: the time left to sign (on the accept clock, working time when the
  // limit is in working days), not to handle.
  if (a && a.state === 'pending' && typeof a.accept_remaining_ms === 'number') return a.accept_remaining_ms
  if (a && a.state === 'pending' && a.accept_due_at) return Date.parse(a.accept_due_at) - now
  if (a && typeof a.remaining_ms === 'number') return a.remaining_ms
  return typeof t.remaining_ms === 'number' ? t.remaining_ms : null
}

// Warning level of the unit's assignment (or the ticket's).
// An order not signed for by its sign-for deadline is 'accept_overdue' (签收超时), shown as
// urgently as red (the row's time is the sign-for time then: the tag and the time must agree)
// but not called 红牌, which is the handling deadline passed, as the overdue lists count it.
export function warningFor(t: Pick<Ticket, 'assignments' | 'warning_level' | 'overdue'>, unitId?: string | null,
                           now: number = Date.now()): string {
  const a = unitAssignment(t, unitId)
  if (a && a.state === 'pending') {
    const left = typeof a.accept_remaining_ms === 'number' ? a.accept_remaining_ms
      : a.accept_due_at ? Date.parse(a.accept_due_at) - now : null
    const handlingOver = a.warning_level === 'red' || (typeof a.remaining_ms === 'number' && a.remaining_ms < 0)
    if (left !== null && left < 0) return handlingOver ? 'red' : 'accept_overdue'
  }
  if (a && a.warning_level && (a.state === 'pending' || a.state === 'accepted')) return a.warning_level
  if (t.overdue) return 'red'
  return t.warning_level || 'none'
}

// UTF-8 length, as the server counts its limits (2000 bytes for a reason, 20000 for text).
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length
}

// A 409 because someone else changed the ticket since it was listed (If-Match failed).
// How a failed action reads on the screens: the ticket changed meanwhile (`stale`: re-read
// it and let the user confirm), else the server's message — under the named field when it
// is one of the form's `fields` (an index such as [0] stripped), otherwise for the whole form.
export interface ActionFailure {
  stale: boolean
  field?: string
  message: string
}
export const STALE_FORM_MESSAGE = '工单已被他人更新，已刷新为最新数据，请确认后重新提交'
// `fresh`: the ticket as re-read. When it has left the list (someone else dispatched or
// signed for it), there is nothing to retry: say what became of it.
export const staleRowMessage = (number: string, fresh?: Pick<Ticket, 'status_label'> | null, stillListed = true) =>
  fresh && !stillListed
    ? `${number} 已由他人处理（现为「${fresh.status_label}」），已移出列表`
    : `${number} 已被他人更新，已刷新该行，请确认后重试`

export function actionFailure(e: unknown, fields: readonly string[] = []): ActionFailure {
  if (isStale(e)) return { stale: true, message: STALE_FORM_MESSAGE }
  const message = describeError(e)
  const field = e instanceof ApiError && e.field ? e.field.replace(/\[\d+\]$/, '') : ''
  return fields.includes(field) ? { stale: false, field, message } : { stale: false, message }
}

export function isStale(e: unknown): boolean {
  const x = e as { status?: number; code?: string; field?: string } | null
  return !!x && x.status === 409 && (x.code === 'stale_version' || x.field === 'version')
}
