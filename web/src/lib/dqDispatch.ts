// Dispatch centre logic: the dispatch form (lead, assisting units, mode, note) checked as
// the server checks it (src/ticket/command_parse.cc), and bulk dispatch planned and run one
// ticket at a time with a Chinese result per row.
import { byteLength, lastReturn, suggestedCategory, suggestedUnits, type Ticket } from './dqTicket'
import { describeError } from './api'

export interface Unit {
  id: string
  name: string
  kind: string
  parent_id: string | null
  is_centre?: boolean
  active?: boolean
  area_id?: string | null
}

// A relay goes only to a district centre or sub-centre (they dispatch on within their subtree).
export function canRelay(u: Pick<Unit, 'kind'> | null | undefined): boolean {
  return !!u && (u.kind === 'district_center' || u.kind === 'sub_center')
}

export interface DispatchForm {
  unit_id: string
  assisting_unit_ids: string[]
  mode: 'direct' | 'relay'
  note: string
}

export interface FieldError {
  field: string
  message: string
}

export const MAX_ASSISTING = 20
export const MAX_NOTE_BYTES = 2000

export function validateDispatch(f: DispatchForm, units: Unit[]): FieldError | null {
  if (!f.unit_id) return { field: 'unit_id', message: '请选择主办单位' }
  const lead = units.find((u) => u.id === f.unit_id)
  if (!lead) return { field: 'unit_id', message: '该单位不在可派范围内' }
  if (lead.active === false) return { field: 'unit_id', message: '该单位已停用' }
  if (f.mode === 'relay' && !canRelay(lead)) {
    return { field: 'mode', message: '逐级转派只能派给区分中心或分中心' }
  }
  if (f.assisting_unit_ids.includes(f.unit_id)) {
    return { field: 'assisting_unit_ids', message: '协办单位不能包含主办单位' }
  }
  if (f.assisting_unit_ids.length > MAX_ASSISTING) {
    return { field: 'assisting_unit_ids', message: `协办单位最多 ${MAX_ASSISTING} 个` }
  }
  if (byteLength(f.note) > MAX_NOTE_BYTES) return { field: 'note', message: '说明过长（最多约 660 个汉字）' }
  return null
}

export function dispatchBody(f: DispatchForm): Record<string, unknown> {
  const body: Record<string, unknown> = { unit_id: f.unit_id, mode: f.mode }
  const assist = [...new Set(f.assisting_unit_ids)].filter((id) => id && id !== f.unit_id)
  if (assist.length) body.assisting_unit_ids = assist
  if (f.note.trim()) body.note = f.note.trim()
  return body
}

// The category and urgency a dispatch confirms: the ticket's own, else what intake proposed
// (when the model did not abstain).
export function confirmedFields(t: Pick<Ticket, 'category_code' | 'urgency' | 'suggestions'> & { request_type?: string }): Corrections {
  const c = t.suggestions?.category
  return {
    category_code: t.category_code || (c && !c.abstain && c.code ? c.code : ''),
    urgency: t.urgency || 'normal',
    request_type: t.request_type || '',
  }
}

// The request type (投诉, 咨询 …) is corrected too: it sets the time limit.
export interface Corrections {
  category_code: string
  urgency: string
  request_type?: string
}

// What the dispatcher confirmed or corrected, sent with the dispatch: only what differs from
// the ticket (the server records each change as feedback for the classifier).
export function correctionFields(t: Pick<Ticket, 'category_code' | 'urgency'> & { request_type?: string }, c: Corrections): Record<string, string> {
  const out: Record<string, string> = {}
  if (c.category_code && c.category_code !== t.category_code) out.category_code = c.category_code
  if (c.urgency && c.urgency !== t.urgency) out.urgency = c.urgency
  if (c.request_type && c.request_type !== t.request_type) out.request_type = c.request_type
  return out
}

// Redispatch takes the new unit, level by level (relay) or direct, and an optional note; a
// redispatched order has no assisting units of its own.
export function redispatchBody(unitId: string, note: string, mode: 'direct' | 'relay' = 'direct'): Record<string, unknown> {
  const body: Record<string, unknown> = { unit_id: unitId }
  if (mode === 'relay') body.mode = 'relay'
  if (note.trim()) body.note = note.trim()
  return body
}

// Coordinate: a note (required) and optionally a unit to hand the order to.
export function validateCoordinate(note: string, unitId: string): FieldError | null {
  if (!note.trim()) return { field: 'note', message: '请填写协调意见' }
  if (byteLength(note) > MAX_NOTE_BYTES) return { field: 'note', message: '协调意见过长' }
  void unitId
  return null
}

// 增派协办: co-handlers to join the order (beside its lead, or the unit it is handed to).
export function coordinateBody(note: string, unitId: string, assisting: string[] = []): Record<string, unknown> {
  const body: Record<string, unknown> = { note: note.trim() }
  if (unitId) body.unit_id = unitId
  const joining = assisting.filter((id) => id && id !== unitId)
  if (joining.length) body.assisting_unit_ids = joining
  return body
}

// ---- one click ----

export interface QuickPick {
  unit_id: string
  name: string
  score: number
  reasons?: string[]
  mode: 'direct' | 'relay'
  assisting: { unit_id: string; name: string }[] // sent with a direct dispatch (协办)
  category_code: string // the model's confident category, for a ticket that has none yet
}

// Whether a direct dispatch from this desk can send all these co-handlers (协办): each one
// of the desk's units (`find`), and none a centre (a centre is sent an order to relay, not a part).
export function coHandlersSendable(ids: string[], find: (id: string) => Unit | null | undefined): boolean {
  return ids.every((id) => { const u = find(id); return !!u && !u.is_centre })
}

// Where one click (and a bulk 各自的建议单位) sends a ticket: the best proposal, skipping
// the unit that just returned the order; a district centre or sub-centre gets it to relay
// (逐级下派). Null when that unit is not one of `targets` (another district, inactive, this
// centre itself) or is a centre that cannot relay: the dispatcher chooses in the dialog,
// rather than the click falling through to a weaker proposal somewhere else.
// `withAssisting`: a dispatch sends co-handlers, a redispatch (退单 tab) names the lead only.
export function quickPick(t: Ticket, targets: Unit[], ownUnitId?: string | null, withAssisting = true): QuickPick | null {
  // Unclassified (the model abstained): a person picks the category in the dialog, or the
  // order would leave without one (no category report, no category time limit).
  const category = t.category_code ? '' : suggestedCategory(t)?.code ?? ''
  if (!t.category_code && !category) return null
  const returnedBy = lastReturn(t)?.unit_id
  const s = suggestedUnits(t).find((x) => x.unit_id !== returnedBy)
  if (!s) return null
  const reachable = (id: string) => {
    const u = targets.find((x) => x.id === id)
    return u && u.active !== false && u.id !== ownUnitId ? u : null
  }
  const u = reachable(s.unit_id)
  if (!u) return null
  if (u.is_centre && !canRelay(u)) return null
  // A relayed order's centre chooses its own co-handlers; a direct one takes the directory's,
  // all of them or, when one cannot be sent from here, none by one click.
  const assisting = u.is_centre || !withAssisting ? [] : (s.assisting ?? []).filter((a) => a.unit_id !== s.unit_id)
  if (!coHandlersSendable(assisting.map((a) => a.unit_id), reachable)) return null
  return { unit_id: s.unit_id, name: s.name, score: s.score, reasons: s.reasons, mode: u.is_centre ? 'relay' : 'direct',
           assisting, category_code: category }
}

// The body of a one-click (or bulk 各自的建议单位) dispatch: a redispatch names the lead only.
export function quickBody(p: QuickPick, action: 'dispatch' | 'redispatch'): Record<string, unknown> {
  const body: Record<string, unknown> = { unit_id: p.unit_id, mode: p.mode }
  if (action === 'dispatch' && p.assisting.length) body.assisting_unit_ids = p.assisting.map((a) => a.unit_id)
  if (p.category_code) body.category_code = p.category_code
  return body
}

// "望江街道办事处（协办 市生态环境局）": where one click sends the order.
export function quickLabel(p: QuickPick): string {
  return p.name + (p.assisting.length ? `（协办 ${p.assisting.map((a) => a.name).join('、')}）` : '')
}

// ---- bulk ----

export type BulkTarget = { kind: 'suggested' } | { kind: 'unit'; unit_id: string; unit_name: string }

export interface BulkItem {
  ticket: Ticket
  unit_id: string
  unit_name: string
  mode: 'direct' | 'relay'
  skip: string // why the row is not sent ('' when it is)
  pick?: QuickPick // the row's own proposal, when the target is 'suggested'
}

// `pick`: each row's own proposal (quickPick), when the target is 'suggested'.
export function planBulk(rows: Ticket[], target: BulkTarget, pick: (t: Ticket) => QuickPick | null = () => null): BulkItem[] {
  return rows.map((t) => {
    if (target.kind === 'unit') return { ticket: t, unit_id: target.unit_id, unit_name: target.unit_name, mode: 'direct', skip: '' }
    const s = pick(t)
    if (!s) return { ticket: t, unit_id: '', unit_name: '', mode: 'direct', skip: '未分类或无可直接派出的建议承办单位，请单独派单' }
    return { ticket: t, unit_id: s.unit_id, unit_name: quickLabel(s), mode: s.mode, skip: '', pick: s }
  })
}

export interface BulkResult {
  id: string
  number: string
  unit_name: string
  ok: boolean
  message: string
  ticket?: Ticket // the new version on success
}

// Runs the plan one ticket at a time (each with its own version, so a row changed by
// someone else fails alone with 409 and the rest go through).
export async function runBulk(
  plan: BulkItem[],
  exec: (item: BulkItem) => Promise<Ticket>,
  onProgress?: (done: number, total: number) => void,
): Promise<BulkResult[]> {
  const out: BulkResult[] = []
  let done = 0
  for (const item of plan) {
    const base = { id: item.ticket.id, number: item.ticket.number, unit_name: item.unit_name }
    if (item.skip) {
      out.push({ ...base, ok: false, message: item.skip })
    } else {
      try {
        const t = await exec(item)
        out.push({ ...base, ok: true, message: `已派至${item.unit_name}`, ticket: t })
      } catch (e) {
        out.push({ ...base, ok: false, message: describeError(e) })
      }
    }
    onProgress?.(++done, plan.length)
  }
  return out
}

export function bulkSummary(results: BulkResult[]): string {
  const ok = results.filter((r) => r.ok).length
  const bad = results.length - ok
  if (!results.length) return '未选择工单'
  if (!bad) return `全部成功：共 ${ok} 单`
  if (!ok) return `全部失败：共 ${bad} 单`
  return `成功 ${ok} 单，失败 ${bad} 单`
}

// Units grouped by kind for a select (centres first), inactive ones left out.
const kindOrder = ['city_center', 'district_center', 'sub_center', 'department', 'utility', 'street', 'community']
export function groupUnits(units: Unit[], labels: Record<string, string>): { label: string; units: Unit[] }[] {
  const groups = new Map<string, Unit[]>()
  for (const u of units) {
    if (u.active === false) continue
    const g = groups.get(u.kind) ?? []
    g.push(u)
    groups.set(u.kind, g)
  }
  const kinds = [...groups.keys()].sort((a, b) => {
    const ia = kindOrder.indexOf(a), ib = kindOrder.indexOf(b)
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib)
  })
  return kinds.map((k) => ({ label: labels[k] ?? k, units: groups.get(k)! }))
}

// The units a centre may dispatch to: its subtree (itself excluded). A user without a unit
// (admin) or an unknown root gets every unit.
export function subtreeUnits(units: Unit[], rootId: string | null | undefined): Unit[] {
  if (!rootId || !units.some((u) => u.id === rootId)) return units
  const children = new Map<string, Unit[]>()
  for (const u of units) {
    if (!u.parent_id) continue
    const c = children.get(u.parent_id) ?? []
    c.push(u)
    children.set(u.parent_id, c)
  }
  const out: Unit[] = []
  const stack = [...(children.get(rootId) ?? [])]
  while (stack.length) {
    const u = stack.shift()!
    out.push(u)
    stack.push(...(children.get(u.id) ?? []))
  }
  return out
}
