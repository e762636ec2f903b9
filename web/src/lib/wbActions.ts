// The fields each lifecycle command asks for (src/ticket/command_parse.cc) and the body
// built from them, for the action dialogs of TicketActions.vue.

import { coordinateBody } from './dqDispatch'

// The longest extension (延期) a unit may ask for: the server's policy (extension_max_days).
export const MAX_EXTENSION_DAYS = 30

export type FieldKind =
  | 'unit' // one unit id (select from GET /units)
  | 'units' // several unit ids
  | 'mode' // direct | relay
  | 'text' // one line
  | 'textarea'
  | 'days' // 1..MAX_EXTENSION_DAYS
  | 'approve' // boolean
  | 'decision' // approve | reject
  | 'outcome' // reached | unreachable | refused
  | 'rating'
  | 'transfer_to' // 110 | 119 | 120 | 122 | other
  | 'ticket_number' // a ticket number, looked up to its id

export interface FieldSpec {
  key: string // the body field
  label: string
  kind: FieldKind
  required?: boolean
  placeholder?: string
}

export interface ActionModel {
  unit_id: string
  assisting_unit_ids: string[]
  mode: string
  reason: string
  note: string
  content: string
  comment: string
  days: number
  approve: boolean
  decision: string
  outcome: string
  rating: string
  to: string
  into_number: string
}

export function emptyActionModel(): ActionModel {
  return {
    unit_id: '', assisting_unit_ids: [], mode: 'direct', reason: '', note: '', content: '', comment: '', days: 3,
    approve: true, decision: 'approve', outcome: 'reached', rating: 'satisfied', to: '110', into_number: '',
  }
}

export const actionFields: Record<string, FieldSpec[]> = {
  dispatch: [
    { key: 'unit_id', label: '主办单位', kind: 'unit', required: true },
    { key: 'assisting_unit_ids', label: '协办单位', kind: 'units' },
    { key: 'mode', label: '派单方式', kind: 'mode' },
    { key: 'note', label: '派单说明', kind: 'textarea' },
  ],
  redispatch: [
    { key: 'unit_id', label: '改派单位', kind: 'unit', required: true },
    { key: 'mode', label: '派单方式', kind: 'mode' },
    { key: 'note', label: '说明', kind: 'textarea' },
  ],
  accept: [],
  return: [{ key: 'reason', label: '退单原因', kind: 'textarea', required: true, placeholder: '说明不属于本单位职责的依据' }],
  request_extension: [
    { key: 'days', label: '延期天数', kind: 'days', required: true },
    { key: 'reason', label: '延期原因', kind: 'textarea', required: true },
  ],
  decide_extension: [
    { key: 'approve', label: '审批结果', kind: 'approve', required: true },
    { key: 'comment', label: '意见', kind: 'textarea', placeholder: '不同意时必填' },
  ],
  suspend: [{ key: 'reason', label: '挂起原因', kind: 'textarea', required: true }],
  decide_suspension: [
    { key: 'approve', label: '审批结果', kind: 'approve', required: true },
    { key: 'comment', label: '意见', kind: 'textarea', placeholder: '不同意时必填' },
  ],
  resume: [],
  coordinate: [
    { key: 'note', label: '协调意见', kind: 'textarea', required: true },
    { key: 'unit_id', label: '改由单位', kind: 'unit', placeholder: '不改派可不选' },
    // 增派协办: co-handlers join the order beside its lead (or the unit it is handed to).
    { key: 'assisting_unit_ids', label: '增派协办', kind: 'units' },
  ],
  reply: [{ key: 'content', label: '办理结果', kind: 'textarea', required: true, placeholder: '办理过程与结果，将经审核后答复市民' }],
  review: [
    { key: 'decision', label: '审核结论', kind: 'decision', required: true },
    { key: 'comment', label: '审核意见', kind: 'textarea', placeholder: '退回时必填' },
  ],
  callback: [
    { key: 'outcome', label: '回访结果', kind: 'outcome', required: true },
    { key: 'rating', label: '满意度', kind: 'rating' },
    { key: 'comment', label: '回访记录', kind: 'textarea' },
  ],
  reopen: [{ key: 'reason', label: '重办原因', kind: 'textarea', required: true }],
  answer_directly: [{ key: 'content', label: '答复内容', kind: 'textarea', required: true }],
  transfer: [
    { key: 'to', label: '转至', kind: 'transfer_to', required: true },
    { key: 'note', label: '转办说明', kind: 'textarea', required: true },
  ],
  merge: [{ key: 'into_number', label: '主工单号', kind: 'ticket_number', required: true, placeholder: '并入的工单编号' }],
  urge: [{ key: 'note', label: '催办说明', kind: 'textarea', required: true }],
  supervise: [{ key: 'note', label: '督办意见', kind: 'textarea', required: true }],
  withdraw: [{ key: 'reason', label: '撤单原因', kind: 'textarea', required: true }],
  exempt: [{ key: 'reason', label: '免考核原因', kind: 'textarea', required: true }],
  archive: [],
  note: [{ key: 'content', label: '备注', kind: 'textarea', required: true }],
}

// The fields shown now (the rating only when the citizen was reached).
export function visibleFields(action: string, m: ActionModel): FieldSpec[] {
  return (actionFields[action] ?? []).filter((f) => !(f.kind === 'rating' && m.outcome !== 'reached'))
}

// Missing required fields as {field: message}; empty when the dialog may be sent.
export function missingFields(action: string, m: ActionModel): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of visibleFields(action, m)) {
    const v = (m as any)[f.key]
    const empty = v === undefined || v === null || (typeof v === 'string' && !v.trim()) || (Array.isArray(v) && !v.length)
    if (f.required && empty) out[f.key] = `${f.label}：必填`
    if (f.kind === 'days' && (!Number.isInteger(v) || v < 1 || v > MAX_EXTENSION_DAYS)) out[f.key] = `${f.label}：应为 1 到 ${MAX_EXTENSION_DAYS} 的整数`
  }
  if (action === 'review' && m.decision === 'reject' && !m.comment.trim()) out.comment = '审核意见：退回时必填'
  if ((action === 'decide_extension' || action === 'decide_suspension') && m.approve === false && !m.comment.trim()) {
    out.comment = '意见：不同意时必填'
  }
  if (action === 'callback' && m.outcome === 'reached' && !m.rating) out.rating = '满意度：联系上市民时必填'
  if (action === 'dispatch' && m.unit_id && m.assisting_unit_ids.includes(m.unit_id)) {
    out.assisting_unit_ids = '协办单位：主办单位不能同时为协办单位'
  }
  return out
}

// The request body of the command (merge's into_ticket_id is filled in by the caller
// after looking the number up).
export function actionBody(action: string, m: ActionModel): Record<string, unknown> {
  const t = (s: string) => s.trim()
  const opt = (o: Record<string, unknown>, k: string, v: string) => {
    if (t(v)) o[k] = t(v)
    return o
  }
  switch (action) {
    case 'dispatch': {
      const b: Record<string, unknown> = { unit_id: m.unit_id, mode: m.mode || 'direct' }
      if (m.assisting_unit_ids.length) b.assisting_unit_ids = m.assisting_unit_ids
      return opt(b, 'note', m.note)
    }
    case 'redispatch':
      return opt(m.mode === 'relay' ? { unit_id: m.unit_id, mode: 'relay' } : { unit_id: m.unit_id }, 'note', m.note)
    case 'return': case 'suspend': case 'reopen': case 'withdraw': case 'exempt':
      return { reason: t(m.reason) }
    case 'request_extension':
      return { days: m.days, reason: t(m.reason) }
    case 'decide_extension': case 'decide_suspension':
      return opt({ approve: m.approve }, 'comment', m.comment)
    case 'coordinate':
      return coordinateBody(m.note, m.unit_id, m.assisting_unit_ids)
    case 'reply': case 'note': case 'answer_directly':
      return { content: t(m.content) }
    case 'review':
      return opt({ decision: m.decision }, 'comment', m.comment)
    case 'callback': {
      const b: Record<string, unknown> = { outcome: m.outcome }
      if (m.outcome === 'reached') b.rating = m.rating
      return opt(b, 'comment', m.comment)
    }
    case 'transfer':
      return { to: m.to, note: t(m.note) }
    case 'urge': case 'supervise':
      return { note: t(m.note) }
    default:
      return {}
  }
}

// The dialog field a server error names: "assisting_unit_ids[1]" → "assisting_unit_ids",
// merge's into_ticket_id → the number typed.
export function dialogFieldFor(field: string | undefined): string | undefined {
  if (!field) return undefined
  const f = field.replace(/\[\d+\]$/, '')
  if (f === 'into_ticket_id') return 'into_number'
  return f
}

export const modeLabels: Record<string, string> = { direct: '直派（直接派至承办单位）', relay: '逐级下派（分中心再派）' }
export const outcomeLabels: Record<string, string> = { reached: '已联系上', unreachable: '联系不上', refused: '拒绝回访' }
export const transferTargets: Record<string, string> = {
  '110': '110 公安', '119': '119 消防', '120': '120 急救', '122': '122 交警', other: '其他法定渠道',
}
