// The ticket as GET /tickets and GET /tickets/{id} return it (TicketJson in
// src/api/views.cc): one type for every screen. Fields the server sends only sometimes are
// optional; `citizen` and `created_by_name` come with the single-ticket read only.

export interface Assignment {
  id: string
  unit_id: string
  unit_name: string
  lead: boolean
  mode: string // direct | relay
  parent_id: string | null
  dispatched_by_unit_id: string | null
  round: number
  state: string // pending | accepted | replied | returned | superseded
  dispatched_at: string
  accepted_at: string
  replied_at: string
  ended_at: string
  accept_due_at: string
  handle_due_at: string
  handled_on_time: boolean | null
  suspended: boolean
  suspend_requested: boolean
  working_time?: boolean // the handle limit runs in working time (false: natural time, an urgent order)
  warning_level: string
  remaining_ms?: number
  accept_remaining_ms?: number // pending only: working time left to sign
  reply?: string
  rejected_comment?: string // the reviewer sent the reply back (审核退回) with this comment
  return_reason?: string
  extension_request?: { days: number; reason: string }
  suspend_reason?: string
}

export interface SuggestedUnit {
  unit_id: string
  name: string
  score: number
  reasons?: string[]
  assisting?: { unit_id: string; name: string }[] // the directory's co-handlers (协办) beside this lead
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
  closed_at: string
  callback_due_at: string
  overdue: boolean
  warning_level: string
  remaining_ms?: number
  current_unit_id: string | null
  current_unit_name: string
  reopen_count: number
  urge_count: number
  return_count: number
  supervised: boolean
  callback_attempts: number
  closing_kind: string
  rating: string
  assignments: Assignment[]
  suggestions?: {
    category?: { abstain?: boolean; code?: string; name?: string; confidence?: number }
    urgency?: { abstain?: boolean; label?: string; confidence?: number }
    request_type?: { abstain?: boolean; label?: string; confidence?: number }
    units?: SuggestedUnit[]
  }
  citizen?: { kind: string; masked: boolean; name?: string; phone?: string; words_revealable?: boolean }
  [k: string]: unknown
}

// What became of an order, for the assignment tables: a superseded order still says whether
// its unit had returned it (then re-dispatched) or answered it (then reopened), which its
// state alone no longer does.
export function assignmentStateText(a: Pick<Assignment, 'state' | 'return_reason' | 'replied_at'>): string {
  if (a.state === 'superseded') {
    if (a.return_reason) return '已退回（已改派）'
    if (a.replied_at) return '已反馈（已重办）'
    return '已失效'
  }
  const labels: Record<string, string> = { pending: '待签收', accepted: '办理中', replied: '已反馈', returned: '已退回' }
  return labels[a.state] ?? a.state
}

// How an order that ended stood against its time limit, for the assignment table's 预警
// column (a live order shows its warning level there): answered in time or late, or ended
// (returned, taken away) after its deadline had passed.
export function endedTimeliness(
  a: Pick<Assignment, 'state' | 'ended_at' | 'handle_due_at' | 'handled_on_time'>, exempt = false,
): { text: string; type: 'success' | 'danger' | 'info' } | null {
  if (a.state === 'pending' || a.state === 'accepted') return null
  if (exempt) return { text: '免考核', type: 'info' }  // its units are off the clock
  if (a.handled_on_time === true) return { text: '按时反馈', type: 'success' }
  if (a.handled_on_time === false) return { text: '超时反馈', type: 'danger' }
  const end = Date.parse(a.ended_at || ''), due = Date.parse(a.handle_due_at || '')
  if (end && due && end > due) return { text: '超期结束', type: 'danger' }
  return { text: '已结束', type: 'info' }
}
