// The unit inbox: which list each tab asks the server for, what the unit may do with its
// assignment, and the action forms checked as the server checks them.
import { byteLength, unitAssignment, type Ticket } from './dqTicket'
import type { FieldError } from './dqDispatch'
import { MAX_EXTENSION_DAYS } from './wbActions'
import { onForget } from './session'

export type InboxTab = 'pending' | 'accepted' | 'due' | 'all'
export type DueFilter = 'soon' | 'yellow' | 'red'

export interface InboxFilters {
  q: string
  due: DueFilter
}

const HOUR = 3600_000

// GET /tickets query of a tab. The list is the unit's live orders (open=true); the tab
// narrows by the state of the unit's own assignment (an assisting unit may not have signed
// for an order its lead is already handling) or by deadline, on the server.
export function inboxQuery(tab: InboxTab, unitId: string, f: InboxFilters, now: Date = new Date()) {
  const q: Record<string, string | number | boolean> = { unit_id: unitId, open: true }
  if (f.q.trim()) q.q = f.q.trim()
  if (tab === 'pending') q.assignment_state = 'pending'
  else if (tab === 'accepted') q.assignment_state = 'accepted'
  else if (tab === 'due') {
    if (f.due === 'yellow') q.warning = 'yellow'
    else if (f.due === 'red') q.overdue = true
    else q.due_before = isoWithOffset(new Date(now.getTime() + 72 * HOUR))
  }
  return q
}

// ISO 8601 with the local offset (the server parses offsets).
export function isoWithOffset(d: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const off = -d.getTimezoneOffset()
  const sign = off >= 0 ? '+' : '-'
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`
}

export type InboxAction = 'accept' | 'return' | 'request_extension' | 'suspend' | 'reply' | 'resume'

// What the unit may do now with its order of this ticket.
export function allowedActions(t: Ticket, unitId: string): InboxAction[] {
  const a = unitAssignment(t, unitId)
  if (!a) return []
  if (a.state === 'pending') return ['accept', 'return']
  if (a.state !== 'accepted') return []
  // A suspended order is replied to once resumed (the lead unit resumes it); it may still
  // be returned.
  if (a.suspended) return a.lead ? ['resume', 'return'] : ['return']
  const out: InboxAction[] = ['reply', 'return']
  if (!a.extension_request) out.push('request_extension')
  // Only the lead asks to stop the order's clock; a co-handler asks for more time instead.
  if (a.lead && !a.suspend_requested) out.push('suspend')
  return out
}

export interface ActionForm {
  reason: string
  days: number | null
  content: string
}

// What a handler typed in an action dialog and closed without sending (Esc, 取消, a click
// outside), by ticket and action: opening it again brings the text back, as long as the form
// would start from the same text (a reply sent back again starts from the newer one). Kept
// for the signed-in session; sending drops it, signing out drops them all.
export class ActionDrafts {
  private drafts = new Map<string, { form: ActionForm; start: ActionForm }>()
  private static key(ticketId: string, action: InboxAction) { return `${ticketId}:${action}` }
  keep(ticketId: string, action: InboxAction, form: ActionForm, start: ActionForm) {
    const typed = form.reason.trim() !== '' || form.content.trim() !== start.content.trim() || form.days !== start.days
    if (typed) this.drafts.set(ActionDrafts.key(ticketId, action), { form: { ...form }, start: { ...start } })
    else this.drafts.delete(ActionDrafts.key(ticketId, action))
  }
  take(ticketId: string, action: InboxAction, start: ActionForm): ActionForm | undefined {
    const d = this.drafts.get(ActionDrafts.key(ticketId, action))
    return d && d.start.content === start.content ? d.form : undefined
  }
  drop(ticketId: string, action: InboxAction) { this.drafts.delete(ActionDrafts.key(ticketId, action)) }
  clear() { this.drafts.clear() }
}
export const actionDrafts = new ActionDrafts()
onForget(() => actionDrafts.clear())

export const MAX_REASON_BYTES = 2000
export const MAX_CONTENT_BYTES = 20000

export function validateAction(action: InboxAction, f: ActionForm): FieldError | null {
  if (action === 'return' || action === 'suspend' || action === 'request_extension') {
    if (action === 'request_extension') {
      if (f.days === null || f.days === undefined || !Number.isInteger(f.days)) return { field: 'days', message: '请填写延期天数（整数）' }
      if (f.days < 1 || f.days > MAX_EXTENSION_DAYS) return { field: 'days', message: `延期天数须在 1 到 ${MAX_EXTENSION_DAYS} 之间` }
    }
    if (!f.reason.trim()) {
      const what = action === 'return' ? '退单原因' : action === 'suspend' ? '挂起原因' : '延期理由'
      return { field: 'reason', message: `请填写${what}` }
    }
    if (byteLength(f.reason) > MAX_REASON_BYTES) return { field: 'reason', message: '原因过长（最多约 660 个汉字）' }
  }
  if (action === 'reply') {
    if (!f.content.trim()) return { field: 'content', message: '请填写办理结果' }
    if (byteLength(f.content) > MAX_CONTENT_BYTES) return { field: 'content', message: '办理结果过长（最多约 6600 个汉字）' }
  }
  return null
}

export function actionBody(action: InboxAction, f: ActionForm): Record<string, unknown> {
  switch (action) {
    case 'accept':
    case 'resume': return {}
    case 'reply': return { content: f.content.trim() }
    case 'request_extension': return { days: f.days, reason: f.reason.trim() }
    default: return { reason: f.reason.trim() }
  }
}
