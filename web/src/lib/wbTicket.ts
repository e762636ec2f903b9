// Pure helpers of the ticket detail (工单详情) and its actions: which lifecycle commands a
// role may issue on a ticket in its current state (README "Who may issue what" and
// src/ticket/ticket.cc), how an event reads in the timeline, who may reveal the citizen.
import {
  actionLabels, channelLabels, closingKindLabels, label, ratingLabels, requestTypeLabels, urgencyLabels,
} from './labels'
import { subtreeUnits, type Unit } from './dqDispatch'
import { cityMinute } from './format'

export interface Assignment {
  id: string
  unit_id: string
  unit_name: string
  lead: boolean
  mode: string
  dispatched_by_unit_id?: string | null
  state: string // pending | accepted | replied | returned | superseded
  suspended?: boolean
  suspend_requested?: boolean
  extension_request?: { days: number; reason: string }
  [k: string]: unknown
}

export interface TicketLike {
  id: string
  number: string
  status: string
  phase?: string
  version: number
  exempt?: boolean
  current_unit_id?: string | null
  assignments?: Assignment[]
  // The commands the server would accept from this user now (GET /tickets/{id}).
  actions?: string[]
  [k: string]: unknown
}

export interface UserLike {
  role: string
  unit_id?: string
}

// ---------------------------------------------------------------- categories

// Taxonomy codes in code order (plain comparison: codes are digits, and localeCompare is
// slow on a taxonomy of hundreds under a throttled CPU).
export function compareCodes(a: { code: string }, b: { code: string }): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0
}

export function categoryName(code: string | null | undefined, byCode: Map<string, string>): string {
  if (!code) return ''
  return byCode.get(code) ?? code
}

// ---------------------------------------------------------------- personal data

export const revealRoles = ['supervisor', 'admin', 'dispatcher', 'reviewer', 'agent', 'callback_agent']
export function canReveal(role: string | undefined): boolean {
  return !!role && revealRoles.includes(role)
}

// Where a revealed number was written (numbers_in_text[].field).
export const writtenFieldLabels: Record<string, string> = {
  title: '标题', content: '诉求内容', address: '地址', contacts: '来电记录',
}

// ---------------------------------------------------------------- actions

const openStatuses = new Set(['received', 'dispatched', 'in_progress', 'suspended', 'returned', 'replied', 'awaiting_callback'])
export function isOpen(status: string): boolean {
  return openStatuses.has(status)
}

const handlingStatuses = new Set(['dispatched', 'in_progress', 'suspended', 'returned'])

// The commands the screen offers, in the order offered.
export const actionOrder = [
  'dispatch', 'redispatch', 'accept', 'reply', 'return', 'request_extension', 'decide_extension', 'suspend', 'decide_suspension',
  'resume',
  'coordinate', 'review', 'callback', 'reopen', 'answer_directly', 'transfer', 'merge', 'urge', 'supervise',
  'withdraw', 'exempt', 'archive', 'note',
] as const
export type ActionName = (typeof actionOrder)[number]

function ownLive(t: TicketLike, unitId: string | undefined, states: string[]): Assignment[] {
  if (!unitId) return []
  return (t.assignments ?? []).filter((a) => a.unit_id === unitId && states.includes(a.state))
}

function activeLead(t: TicketLike): Assignment | undefined {
  const leads = (t.assignments ?? []).filter((a) => a.lead && a.state !== 'superseded')
  return leads[leads.length - 1]
}

// What `user` may try on `t` now, as the screen names it. The server decides (centres act
// in their subtree, units on their own assignments, reopening stops at the policy's cap):
// where the ticket carries the server's `actions`, only those are offered.
export function availableActions(t: TicketLike, user: UserLike | null | undefined): ActionName[] {
  if (!user) return []
  const role = user.role
  const s = t.status
  const is = (...roles: string[]) => roles.includes(role)
  const open = isOpen(s)
  const ok = new Set<ActionName>()
  const own = (states: string[]) => ownLive(t, user.unit_id, states)
  // A unit handler acts on its own assignment; so does the dispatcher of a relaying centre.
  const actsAsUnit = is('unit_handler') || is('dispatcher')

  if (s === 'received' && is('agent', 'dispatcher', 'admin')) ok.add('answer_directly')
  // Requests merged into this one wait on its answer: it is neither transferred nor withdrawn.
  const carries = Number(t.merged_in ?? 0) > 0
  if ((s === 'received' || s === 'returned') && is('agent', 'dispatcher', 'admin') && !carries) ok.add('transfer')
  // Once a unit has answered, the review and the callback end the ticket.
  if (open && !['replied', 'awaiting_callback'].includes(s) && is('agent', 'dispatcher', 'admin') && !carries) ok.add('withdraw')
  if (open && is('agent', 'dispatcher', 'supervisor', 'admin')) ok.add('merge')
  if (s === 'received' && is('dispatcher', 'admin')) ok.add('dispatch')
  const lead = activeLead(t)
  if (is('dispatcher') && lead && lead.unit_id === user.unit_id && (lead.state === 'pending' || lead.state === 'accepted') &&
      lead.mode === 'relay') {
    ok.add('dispatch') // a relay centre passes the order down its subtree
  }
  if ((s === 'returned' || s === 'dispatched') && is('dispatcher', 'admin')) ok.add('redispatch')
  if (actsAsUnit && own(['pending']).length) ok.add('accept')
  if (actsAsUnit && own(['pending', 'accepted']).length && handlingStatuses.has(s)) ok.add('return')
  const accepted = own(['accepted'])
  if (actsAsUnit && accepted.some((a) => !a.extension_request) && handlingStatuses.has(s)) ok.add('request_extension')
  if (actsAsUnit && accepted.some((a) => !a.suspended) && handlingStatuses.has(s)) ok.add('reply')
  if (is('unit_handler') && accepted.some((a) => !a.suspended && !a.suspend_requested)) ok.add('suspend')
  if (is('supervisor', 'dispatcher', 'admin')) {
    if ((t.assignments ?? []).some((a) => a.extension_request && a.state === 'accepted')) ok.add('decide_extension')
    if (s === 'in_progress') ok.add('suspend')
    if ((t.assignments ?? []).some((a) => a.suspend_requested && !a.suspended && a.state === 'accepted')) {
      ok.add('decide_suspension')
    }
    if (s === 'suspended') ok.add('resume')
    if (handlingStatuses.has(s)) ok.add('coordinate')
  }
  if (s === 'suspended' && is('unit_handler') && lead && lead.unit_id === user.unit_id) ok.add('resume')
  if (s === 'replied' && is('reviewer', 'supervisor', 'admin')) ok.add('review')
  if (s === 'awaiting_callback' && is('callback_agent', 'reviewer', 'admin')) ok.add('callback')
  if ((s === 'closed' || s === 'awaiting_callback') && is('callback_agent', 'reviewer', 'supervisor', 'dispatcher', 'admin')) {
    ok.add('reopen')
  }
  if (open && is('agent', 'dispatcher', 'supervisor', 'admin')) ok.add('urge')
  if (open && is('supervisor', 'admin')) ok.add('supervise')
  if (s !== 'archived' && !t.exempt && is('supervisor', 'admin')) ok.add('exempt')
  if (['closed', 'transferred', 'merged', 'withdrawn'].includes(s) && is('supervisor', 'qa_inspector', 'admin')) ok.add('archive')
  if (role !== 'analyst') ok.add('note')
  const server = Array.isArray(t.actions) ? new Set(t.actions) : null
  return actionOrder.filter((a) => ok.has(a) && (!server || server.has(a)))
}

// The units a dispatch from `user` may name (the server's CheckTarget): its centre's
// subtree; a re-dispatch stays inside the subtree of the centre the order came back to.
// Admins pick anywhere.
export function dispatchTargets(units: Unit[], user: UserLike | null | undefined, t: TicketLike, action: ActionName): Unit[] {
  if (!user || user.role === 'admin') return units
  const out = subtreeUnits(units, user.unit_id)
  const by = action === 'redispatch' || action === 'coordinate' ? activeLead(t)?.dispatched_by_unit_id : null
  if (!by || by === user.unit_id) return out
  const inBy = new Set(subtreeUnits(units, by).map((u) => u.id))
  return out.filter((u) => inBy.has(u.id))
}

// Actions that end or hand off the ticket read as primary buttons; the rest are plain.
export function actionButtonType(a: ActionName): 'primary' | 'warning' | 'danger' | 'default' {
  if (['dispatch', 'accept', 'reply', 'review', 'callback', 'answer_directly'].includes(a)) return 'primary'
  if (['return', 'transfer', 'withdraw', 'reopen'].includes(a)) return 'warning'
  if (['supervise'].includes(a)) return 'danger'
  return 'default'
}

// ---------------------------------------------------------------- events

// Event types (past tense, src/ticket/ticket.cc) → the command names of labels.ts.
const eventAction: Record<string, string> = {
  created: 'create', answered_directly: 'answer_directly', transferred: 'transfer', merged: 'merge',
  dispatched: 'dispatch', redispatched: 'redispatch', coordinated: 'coordinate', accepted: 'accept',
  returned: 'return', extension_requested: 'request_extension', extension_decided: 'decide_extension',
  suspended: 'suspend', resumed: 'resume', replied: 'reply', reviewed: 'review', callback_recorded: 'callback',
  reopened: 'reopen', urged: 'urge', supervised: 'supervise', withdrawn: 'withdraw', exempted: 'exempt',
  noted: 'note', archived: 'archive', deadline_recomputed: 'recompute_deadlines',
}
const extraEventLabels: Record<string, string> = {
  merged_in: '被并单', suspend_requested: '申请挂起', suspend_refused: '驳回挂起申请', sla_warning: '时限预警', sla_overdue: '超期',
  contact_added: '联系记录', attachment_added: '附件', accept_overdue: '签收超时', callback_overdue: '回访超期',
}

export function eventLabel(type: string): string {
  if (extraEventLabels[type]) return extraEventLabels[type]
  const a = eventAction[type] ?? type
  return actionLabels[a] ?? actionLabels[type] ?? type
}

// The colour of a timeline dot.
export function eventType(type: string): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  if (['returned', 'sla_overdue', 'accept_overdue', 'callback_overdue', 'supervised', 'transferred'].includes(type)) return 'danger'
  if (['urged', 'sla_warning', 'reopened', 'suspended', 'suspend_requested', 'extension_requested'].includes(type)) return 'warning'
  if (['answered_directly', 'callback_recorded', 'reviewed', 'replied', 'archived'].includes(type)) return 'success'
  if (['created', 'dispatched', 'redispatched', 'accepted'].includes(type)) return 'primary'
  return 'info'
}

export interface EventLike {
  type: string
  data?: Record<string, any>
}

// Event data gives deadlines in ISO 8601 on the city's clock (epoch milliseconds before; both read).
export function msTime(v: unknown): string {
  if (typeof v === 'string') return v.replace('T', ' ').slice(0, 16)
  if (typeof v !== 'number' || !v) return ''
  return cityMinute(v)
}

const outcomeLabels: Record<string, string> = { reached: '已联系', unreachable: '联系不上', refused: '拒绝回访' }
const levelLabels: Record<string, string> = { yellow: '黄牌', red: '红牌', none: '正常' }
// Where a chase is for when no unit holds the order (urged, supervised).
const urgeStageLabels: Record<string, string> = { review: '答复审核', callback: '回访', dispatch: '退回待派' }

// The key data of an event as "label：value" pairs (ids shown as unit names where known).
export function eventDetails(
  e: EventLike,
  unitName: (id: string) => string,
  categoryName: (code: string) => string = (c) => c,
): { k: string; v: string }[] {
  const d = e.data ?? {}
  const out: { k: string; v: string }[] = []
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null || v === '') return
    out.push({ k, v: String(v) })
  }
  const unit = (id: unknown) => (typeof id === 'string' && id && id !== '0' ? unitName(id) || id : '')
  switch (e.type) {
    case 'created':
      add('渠道', label(channelLabels, d.channel))
      add('类型', label(requestTypeLabels, d.request_type))
      add('紧急程度', label(urgencyLabels, d.urgency))
      if (d.category_code) add('分类', `${d.category_code} ${categoryName(d.category_code)}`.trim())
      break
    case 'dispatched':
      add('主办', unit(d.lead?.unit_id))
      if (Array.isArray(d.assisting) && d.assisting.length) add('协办', d.assisting.map((a: any) => unit(a.unit_id)).join('、'))
      add('方式', d.mode === 'relay' ? '逐级下派' : d.mode === 'direct' ? '直派' : d.mode)
      add('办结时限', msTime(d.lead?.handle_due_at))
      if (d.suggestion) add('采纳推荐', d.suggestion.followed ? '是' : '否')
      break
    case 'redispatched':
    case 'coordinated':
      add('原单位', unit(d.from_unit_id))
      add('新单位', unit(d.unit_id))
      add('办结时限', msTime(d.handle_due_at))
      break
    case 'accepted':
    case 'replied':
    case 'returned':
      add('单位', unit(d.unit_id))
      if (d.lead === false) add('角色', '协办')
      if (d.on_time !== undefined) add('按时', d.on_time ? '是' : '否')
      add('退回至', unit(d.to_unit_id))
      if (Array.isArray(d.withdrawn_requests) && d.withdrawn_requests.length) {
        add('随答复撤回', d.withdrawn_requests.map((r: string) => (r === 'extension' ? '延期申请' : r === 'suspension' ? '挂起申请' : r)).join('、'))
      }
      break
    case 'extension_requested':
    case 'extension_decided':
      add('天数', d.days)
      if (d.approved !== undefined) add('结果', d.approved ? '同意' : '不同意')
      add('新时限', msTime(d.handle_due_at))
      break
    case 'reviewed':
      add('结论', d.decision === 'approve' ? '通过' : d.decision === 'reject' ? '退回修改' : d.decision)
      break
    case 'callback_recorded':
      add('结果', outcomeLabels[d.outcome] ?? d.outcome)
      add('满意度', label(ratingLabels, d.rating))
      add('第几次', d.attempt)
      add('办结方式', label(closingKindLabels, d.closing_kind))
      break
    case 'transferred':
      add('转至', d.to)
      break
    case 'merged':
      add('并入', d.into_number)
      break
    case 'merged_in':
      add('并入本单的工单', d.number)
      break
    case 'reopened':
      add('重办次数', d.reopen_count)
      add('单位', unit(d.unit_id))
      break
    case 'urged':
    case 'supervised':
      add('单位', unit(d.unit_id ?? d.centre_id))
      add('环节', urgeStageLabels[d.stage] ?? d.stage)
      add('督办级别', d.escalation_level)
      break
    case 'sla_warning':
    case 'sla_overdue':
      add('级别', levelLabels[d.level] ?? d.level)
      add('单位', unit(d.unit_id))
      break
    case 'resumed':
      add('新时限', msTime(d.handle_due_at))
      break
    case 'deadline_recomputed':
      add('单位', unit(d.unit_id))
      for (const [k, name] of [['accept_due_at', '签收时限'], ['handle_due_at', '办结时限'], ['due_at', '总时限'], ['callback_due_at', '回访时限']]) {
        const v = d[k]
        if (v && typeof v === 'object' && v.old !== v.new) add(name, `${msTime(v.old) || '—'} → ${msTime(v.new) || '—'}`)
      }
      break
    case 'suspended':
      if (d.approved_request) add('结果', '同意挂起申请')
      break
  }
  // (a system reason stored in English before it was written in Chinese)
  add('原因', typeof d.reason === 'string' ? d.reason.replace(/^calendar (\S+) updated$/, '工作日历 $1 已调整') : d.reason)
  add('说明', d.note)
  add('意见', d.comment)
  add('内容', d.content)
  return out
}
