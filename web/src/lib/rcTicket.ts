// Pure helpers of the review, callback and supervision screens: the ticket shapes they
// read, the unit replies to show, and the bodies of the review / callback / reopen /
// urge / supervise commands (src/ticket/command_parse.cc), validated before sending.

import type { Assignment, Ticket } from './ticket'
import { phoneDigits } from './wbIntake'
import { toHalfWidth } from './rcPortal'

// The screens' names for the one ticket type (lib/ticket.ts).
export type RcAssignment = Assignment
export type RcTicket = Ticket

export interface RcReply {
  assignmentId: string
  unitName: string
  text: string
  repliedAt: string
  onTime: boolean | null
  round: number
  current: boolean // of the latest round (what the reviewer decides on)
  lead: boolean
}

// The units' replies, newest round first; replies of earlier rounds (before a reopening
// or a rejection) are kept but flagged as history.
// A relaying centre's order carries its unit's reply passed up (逐级转派): shown once, as the
// reply of the unit that wrote it.
export function repliesOf(t: Pick<RcTicket, 'assignments'>): RcReply[] {
  const all = t.assignments ?? []
  // (the centre's own answer, after the unit below it returned the order, is its own)
  const passedUp = (a: RcAssignment) => a.mode === 'relay' &&
    all.some((c) => c.parent_id === a.id && c.lead && c.reply === a.reply)
  const withReply = all.filter((a) => (a.reply ?? '').trim() !== '' && !passedUp(a))
  if (withReply.length === 0) return []
  const maxRound = Math.max(...withReply.map((a) => a.round ?? 0))
  return withReply
    .map((a) => ({
      assignmentId: a.id,
      unitName: a.unit_name,
      text: a.reply ?? '',
      repliedAt: a.replied_at,
      onTime: a.handled_on_time,
      round: a.round ?? 0,
      current: (a.round ?? 0) === maxRound && a.state === 'replied',
      lead: a.lead,
    }))
    .sort((x, y) => (y.round - x.round) || (Number(y.current) - Number(x.current)) || (y.repliedAt < x.repliedAt ? -1 : 1))
}

// The reply the list shows in one line: the lead unit's current one (the answer the citizen
// gets; a co-handler may reply after it while it is reviewed), else the latest current one,
// else the latest at all.
export function latestReply(t: Pick<RcTicket, 'assignments'>): RcReply | undefined {
  const all = repliesOf(t)
  return all.find((r) => r.current && r.lead) ?? all.find((r) => r.current) ?? all[0]
}

export type FieldError = { field: string; message: string }
export type Checked<T> = { ok: true; body: T } | { ok: false; error: FieldError }

// review {decision: approve|reject, comment?}. The UI asks for a reason when rejecting
// (the server allows none, but the unit needs to know what to redo).
export function reviewBody(decision: string, comment: string): Checked<{ decision: string; comment?: string }> {
  const c = comment.trim()
  if (decision !== 'approve' && decision !== 'reject') return { ok: false, error: { field: 'decision', message: '请选择审核结论' } }
  if (decision === 'reject' && !c) return { ok: false, error: { field: 'comment', message: '退回修改请填写意见' } }
  if (c.length > 600) return { ok: false, error: { field: 'comment', message: '意见不超过600字' } }
  return { ok: true, body: c ? { decision, comment: c } : { decision } }
}

export const callbackOutcomeLabels: Record<string, string> = {
  reached: '已联系上', unreachable: '未接通', refused: '拒绝回访',
}

const satisfied = new Set(['very_satisfied', 'satisfied', 'basically_satisfied'])
export function isSatisfied(rating: string): boolean {
  return satisfied.has(rating)
}

// callback {outcome: reached|unreachable|refused, rating (reached only, required), comment?}.
export function callbackBody(outcome: string, rating: string, comment: string):
  Checked<{ outcome: string; rating?: string; comment?: string }> {
  const c = comment.trim()
  if (!(outcome in callbackOutcomeLabels)) return { ok: false, error: { field: 'outcome', message: '请选择回访结果' } }
  if (outcome === 'reached' && !rating) return { ok: false, error: { field: 'rating', message: '联系上市民时须记录满意度' } }
  if (c.length > 600) return { ok: false, error: { field: 'comment', message: '说明不超过600字' } }
  const body: { outcome: string; rating?: string; comment?: string } = { outcome }
  if (outcome === 'reached') body.rating = rating
  if (c) body.comment = c
  return { ok: true, body }
}

// What a callback will do to the ticket, told before saving it.
export function callbackEffect(outcome: string, rating: string, attempts: number, maxAttempts = 3): string {
  if (outcome === 'reached') {
    if (!rating) return '请选择满意度'
    return isSatisfied(rating) ? '工单将以「已解决」办结' : '工单将以「不满意」办结，可发起重办'
  }
  if (outcome === 'refused') return '工单将以「拒绝回访」办结'
  if (outcome === 'unreachable') {
    const n = attempts + 1
    return n >= maxAttempts ? `第${n}次未接通，工单将以「联系不上」办结` : `记录第${n}次未接通，工单仍待回访`
  }
  return ''
}

// reason/note bodies (reopen {reason}, urge/supervise {note}, ≤ 2000 bytes).
export function textBody<K extends string>(key: K, text: string, what: string): Checked<Record<K, string>> {
  const v = text.trim()
  if (!v) return { ok: false, error: { field: key, message: `请填写${what}` } }
  if (new TextEncoder().encode(v).length > 2000) return { ok: false, error: { field: key, message: `${what}过长` } }
  return { ok: true, body: { [key]: v } as Record<K, string> }
}

// Another call or message about a ticket (催单, 补充) as the agent records it: what was said,
// and who rang when it is someone with a phone of their own (POST /tickets/{id}/contacts).
export interface ContactForm { kind: string; channel: string; content: string; phone: string; name: string }
export interface ContactBody {
  kind: string; channel: string; content: string; citizen?: { phone?: string; name?: string }
}
export function contactBody(f: ContactForm): Checked<ContactBody> {
  const text = textBody('content', f.content, '来电内容')
  if (!text.ok) return text
  const body: ContactBody = { kind: f.kind, channel: f.channel, content: text.body.content }
  const phone = toHalfWidth(f.phone).trim(), name = f.name.trim()
  const digits = phoneDigits(phone).length
  if (phone && (digits < 5 || digits > 20 || /[^\d\s\-+().]/.test(phone))) {
    return { ok: false, error: { field: 'citizen.phone', message: '来电号码应为 5–20 位数字' } }
  }
  if ([...name].length > 50) return { ok: false, error: { field: 'citizen.name', message: '姓名过长' } }
  if (phone || name) body.citizen = { ...(phone ? { phone } : {}), ...(name ? { name } : {}) }
  return { ok: true, body }
}

// Keyset pagination: the cursors of the pages seen so far, so 上一页 goes back.
export class CursorStack {
  private stack: (string | null)[] = [null]
  get current(): string | null {
    return this.stack[this.stack.length - 1]
  }
  get page(): number {
    return this.stack.length
  }
  get hasPrev(): boolean {
    return this.stack.length > 1
  }
  next(cursor: string | null): boolean {
    if (!cursor) return false
    this.stack.push(cursor)
    return true
  }
  prev(): boolean {
    if (this.stack.length <= 1) return false
    this.stack.pop()
    return true
  }
  reset(): void {
    this.stack = [null]
  }
}

// Alerts (GET /alerts): a one-line Chinese summary of each kind's data.
export const alertKindLabels: Record<string, string> = {
  repeat_caller: '重复来电', emergency: '紧急警情', duplicate_cluster: '重复诉求', assist_returned: '协办退回',
}
// 协办退回: which co-handling unit gave its part back, why, and who leads the order now.
export function assistReturnedSummary(d: any): string {
  return `工单 ${d.number ?? ''} 的协办单位 ${d.unit_name || '—'} 退回${d.reason ? `（${d.reason}）` : ''}，`
    + `主办 ${d.lead_unit_name || '—'}：请确认由主办独立办理，或协调改派`
}
export function severityType(s: string): 'danger' | 'warning' | 'info' {
  return s === 'high' ? 'danger' : s === 'warning' ? 'warning' : 'info'
}
export function alertSummary(a: { kind: string; data: any }): string {
  const d = a.data ?? {}
  switch (a.kind) {
    case 'emergency': {
      const phrases = (d.hits ?? []).map((h: any) => h.phrase).filter(Boolean).join('；')
      return `工单 ${d.number ?? ''} 疑似紧急情况${phrases ? '：' + phrases : ''}${d.transfer ? `，建议转 ${d.transfer}` : ''}`
    }
    case 'duplicate_cluster':
      return `同一事项 ${d.count ?? (d.numbers ?? []).length} 件${d.first ? `（首件 ${d.first}）` : ''}`
    case 'repeat_caller':
      return `来电 ${d.phone ?? ''} 在${d.window_days ?? 30}天内反映 ${d.count ?? (d.tickets ?? []).length} 次${d.escalating ? '，情绪/诉求升级' : ''}`
    case 'assist_returned':
      return assistReturnedSummary(d)
    default:
      return ''
  }
}
// 处置 (POST /alerts/{id}/handle): who handled an alert, when and how; an alert a newer report
// opened again still shows its last handling.
export interface AlertHandling { at: string; by: string; by_name: string; note: string }
export const alertStateLabels: Record<string, string> = { open: '待处置', handled: '已处置' }
export function alertHandledText(a: { state?: string; handled?: AlertHandling | null }, time: (iso: string) => string): string {
  const h = a.handled
  if (!h) return ''
  const who = h.by_name || '—'
  return `${a.state === 'handled' ? '已处置' : '上次处置'}：${who} ${time(h.at)}，${h.note}`
}
// Numbers of the tickets an alert names (for links).
export function alertNumbers(a: { kind: string; data: any }): string[] {
  const d = a.data ?? {}
  if (a.kind === 'duplicate_cluster') return d.numbers ?? []
  // A ticket chased again is one ticket, listed once.
  if (a.kind === 'repeat_caller') return [...new Set<string>((d.tickets ?? []).map((t: any) => t.number))]
  if (a.kind === 'emergency' || a.kind === 'assist_returned') return d.number ? [d.number] : []
  return []
}

// What a ticket's units ask the centre to decide (申请延期 / 申请挂起), with their reasons.
export function pendingRequests(t: Pick<RcTicket, 'assignments'>): string[] {
  const out: string[] = []
  for (const a of t.assignments ?? []) {
    if (a.state !== 'accepted') continue
    if (a.extension_request) out.push(`${a.unit_name} 申请延期 ${a.extension_request.days} 天：${a.extension_request.reason}`)
    if (a.suspend_requested && !a.suspended) out.push(`${a.unit_name} 申请挂起：${a.suspend_reason ?? ''}`)
  }
  return out
}

// The extension requests waiting (a lead's and an assisting unit's may wait together; each
// is decided on its own, naming its assignment).
export function extensionRequests(t: Pick<RcTicket, 'assignments'>): { assignment_id: string; unit: string; text: string }[] {
  return (t.assignments ?? [])
    .filter((a) => a.state === 'accepted' && a.extension_request)
    .map((a) => {
      const unit = `${a.unit_name}${a.lead ? '' : '（协办）'}`
      return { assignment_id: a.id, unit, text: `${unit} 申请延期 ${a.extension_request!.days} 天：${a.extension_request!.reason}` }
    })
}

// The decisions a ticket waits for: one per extension request (the unit named when two
// wait), and the suspension.
export interface PendingDecision { kind: 'extension' | 'suspension'; assignment_id?: string; unit?: string }
export function pendingDecisions(t: Pick<RcTicket, 'assignments'>): PendingDecision[] {
  const extensions = extensionRequests(t)
  const out: PendingDecision[] = extensions.map((r) =>
    ({ kind: 'extension', assignment_id: r.assignment_id, unit: extensions.length > 1 ? r.unit : undefined }))
  if ((t.assignments ?? []).some((a) => a.state === 'accepted' && a.suspend_requested && !a.suspended)) out.push({ kind: 'suspension' })
  return out
}

