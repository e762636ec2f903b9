// Pure helpers of the intake workbench (话务受理): the category cascader, the request body
// of POST /tickets, the proposals of POST /suggest as the screen shows them, area look-up
// for the address autocomplete, and "only the latest request counts" for typing-driven calls.
import { toHalfWidth } from './rcPortal'
import { categoryName, compareCodes } from './wbTicket'

// ---------------------------------------------------------------- categories

export interface Category {
  code: string
  name: string
  parent_code: string | null
  level?: number
  active?: boolean
}

// The parent of a hierarchical code: two digits a level ("010203" → "0102", "01" → "").
export function parentCode(code: string): string {
  return code.length > 2 ? code.slice(0, code.length - 2) : ''
}

// Every level of a code, root first: "010203" → ["01", "0102", "010203"].
export function codePath(code: string | null | undefined): string[] {
  if (!code) return []
  const out: string[] = []
  for (let i = 2; i <= code.length; i += 2) out.push(code.slice(0, i))
  if (code.length % 2 === 1) out.push(code)
  return out
}

// "城乡建设 / 物业管理 / 物业服务" for a code (the names known for each level).
export function categoryPathLabel(code: string | null | undefined, byCode: Map<string, string>): string {
  return codePath(code)
    .map((c) => byCode.get(c) ?? c)
    .join(' / ')
}

// The intake form's category picker: the active categories whose path ("城乡建设 / 物业管理")
// holds every word of the query, or whose code starts with it, in code order; all of them
// for an empty query (any level can be chosen). At most `limit`.
export function matchCategories(
  items: Category[],
  byCode: Map<string, string>,
  query: string,
  limit = 50,
): { key: string; label: string; hint: string }[] {
  const words = query.trim().split(/\s+/).filter(Boolean)
  const out: { key: string; label: string; hint: string }[] = []
  for (const c of items.filter((x) => x.active !== false).sort(compareCodes)) {
    const path = categoryPathLabel(c.code, byCode)
    const fits = words.every((w) => path.includes(w)) || (words.length === 1 && c.code.startsWith(words[0]))
    if (!fits) continue
    out.push({ key: c.code, label: path, hint: c.code })
    if (out.length >= limit) break
  }
  return out
}

// ---------------------------------------------------------------- areas

export interface Area {
  id: string
  name: string
  kind: string
  parent_id: string | null
  aliases: string[]
}

export interface AreaHit {
  value: string // what goes into the address input
  area: Area
  via: string // the name or alias that matched
}

// Areas whose name or an alias matches the address typed so far: the name/alias contains
// the query, or the query contains the name/alias (the caller said more than the place).
// Names first, then aliases; at most `limit`.
export function matchAreas(areas: Area[], query: string, limit = 10): AreaHit[] {
  const q = query.trim()
  if (!q) return []
  const hits: AreaHit[] = []
  const seen = new Set<string>()
  const push = (a: Area, via: string) => {
    const key = a.id + '|' + via
    if (seen.has(key)) return
    seen.add(key)
    hits.push({ value: via, area: a, via })
  }
  const fits = (s: string) => s.includes(q) || q.includes(s)
  for (const a of areas) if (fits(a.name)) push(a, a.name)
  for (const a of areas) for (const al of a.aliases ?? []) if (fits(al)) push(a, al)
  return hits.slice(0, limit)
}

// "望江街道（江南区）": an area with the name of its parent.
export function areaFullName(area: Area | null | undefined, areas: Area[]): string {
  if (!area) return ''
  const parent = area.parent_id ? areas.find((a) => a.id === area.parent_id) : undefined
  return parent ? `${area.name}（${parent.name}）` : area.name
}

// ---------------------------------------------------------------- the form

export interface IntakeForm {
  channel: string
  phone: string
  name: string
  kind: 'person' | 'enterprise'
  org_name: string
  address: string
  area_id: string
  request_type: string
  urgency: string
  category_code: string
  content: string
  confidential: boolean
}

export function emptyForm(): IntakeForm {
  return {
    channel: 'phone',
    phone: '',
    name: '',
    kind: 'person',
    org_name: '',
    address: '',
    area_id: '',
    request_type: 'consultation',
    urgency: 'normal',
    category_code: '',
    content: '',
    confidential: false,
  }
}

// Whether the agent has typed anything of a call (what 清空 would throw away), beyond the
// channel and the type and urgency every form starts with.
export function hasTyped(f: IntakeForm, answer = ''): boolean {
  return [f.phone, f.name, f.org_name, f.address, f.content, answer].some((x) => x.trim() !== '')
}

// The body of POST /tickets: trimmed, empty optional fields left out.
export function ticketBody(f: IntakeForm): Record<string, unknown> {
  const citizen: Record<string, string> = { kind: f.kind }
  if (f.phone.trim()) citizen.phone = toHalfWidth(f.phone).trim()  // an IME's full-width digits
  if (f.name.trim()) citizen.name = f.name.trim()
  if (f.kind === 'enterprise' && f.org_name.trim()) citizen.org_name = f.org_name.trim()
  const body: Record<string, unknown> = {
    channel: f.channel,
    request_type: f.request_type,
    urgency: f.urgency,
    content: f.content.trim(),
    citizen,
  }
  if (f.address.trim()) body.address = f.address.trim()
  if (f.area_id) body.area_id = f.area_id
  if (f.category_code) body.category_code = f.category_code
  if (f.confidential) body.confidential = true
  return body
}

// The form item a server error names: "citizen.phone" → "phone", "tags[2]" → "tags".
const fieldToItem: Record<string, keyof IntakeForm> = {
  channel: 'channel', request_type: 'request_type', urgency: 'urgency', content: 'content', title: 'content',
  address: 'address', area_id: 'address', category_code: 'category_code', confidential: 'confidential',
  'citizen.phone': 'phone', 'citizen.name': 'name', 'citizen.kind': 'kind', 'citizen.org_name': 'org_name',
  'citizen.credit_code': 'org_name', 'citizen.id_number': 'name', citizen: 'phone',
}
export function formItemFor(field: string | undefined): keyof IntakeForm | undefined {
  if (!field) return undefined
  return fieldToItem[field] ?? fieldToItem[field.replace(/\[\d+\]$/, '')]
}

// Digits of a phone as typed ("138 0013-8000" → "13800138000").
export function phoneDigits(p: string): string {
  return toHalfWidth(p).replace(/\D+/g, '')
}

// Caller history is worth asking for from seven digits on (a local number).
export function historyPhone(p: string): string | null {
  const d = phoneDigits(p)
  return d.length >= 7 ? d : null
}


// ---------------------------------------------------------------- proposals (POST /suggest)

export interface Prediction {
  label: string
  confidence: number
  abstain?: boolean
  top?: { label: string; confidence: number }[]
  code?: string
  name?: string
}

export interface SuggestUnit {
  unit_id: string
  name: string
  score: number
  reasons: string[]
}

export interface EmergencyHit { kind: string; transfer: string; phrase: string }

export interface Suggestion {
  category?: Prediction
  category_used?: string
  request_type?: Prediction
  urgency?: Prediction
  units?: SuggestUnit[]
  tone?: { level: number; name: string; anger: number; evidence: string[] }
  emergency?: { transfer: string; hits: EmergencyHit[] }
  duplicates?: { ticket_id: string; number: string; status: string; score: number }[]
  litigation?: { domain: string; label: string; evidence: string[] }[]
}

export const toneLabels: Record<string, string> = {
  calm: '平和', dissatisfied: '不满', angry: '愤怒', extreme: '情绪激动',
}
export function toneType(level: number | undefined): 'success' | 'info' | 'warning' | 'danger' {
  if (!level) return 'success'
  if (level === 1) return 'info'
  if (level === 2) return 'warning'
  return 'danger'
}

export const transferLabels: Record<string, string> = {
  '110': '110 公安', '119': '119 消防', '120': '120 急救', '122': '122 交警', other: '其他渠道',
}

// The emergency kinds the screening names (kept as is when unknown).
export const emergencyKindLabels: Record<string, string> = {
  fire: '火情', trapped: '人员被困', explosion: '爆炸', gas: '燃气泄漏', injury: '人员受伤', crime: '违法犯罪',
  violence: '暴力', medical: '急症', suicide: '轻生', traffic: '交通事故', flood: '水淹', drowning: '溺水',
  missing: '人员走失', collapse: '坍塌', electric: '触电', poisoning: '中毒',
}

// What the screening heard, each phrase once (a message may say 煤气味 a dozen times): the
// first hit of each phrase, or the phrases alone.
export function uniqueHits(hits: EmergencyHit[] | undefined): EmergencyHit[] {
  return (hits ?? []).filter((h, i, all) => h.phrase && all.findIndex((x) => x.phrase === h.phrase) === i)
}
export function hitPhrases(hits: EmergencyHit[] | undefined): string[] {
  return uniqueHits(hits).map((h) => h.phrase)
}

// The tone's evidence as a reader wants it: the server marks each phrase (+ negative,
// ! escalation, - positive, ~ cancelled by a negation, (否定) where the negator was); shown
// are the phrases that counted, once each, as the citizen wrote them.
export function toneEvidence(evidence: string[] | undefined): string[] {
  const shown = (evidence ?? []).filter((e) => !e.startsWith('~')).map((e) => e.replace(/^[-+!]/, '').replace('(否定)', ''))
  return [...new Set(shown.filter(Boolean))]
}

// The note sent with the emergency transfer: what was heard.
export function emergencyNote(e: NonNullable<Suggestion['emergency']>): string {
  const phrases = hitPhrases(e.hits).join('、')
  return `话务员转${e.transfer}：紧急事项（${phrases || '危及人身财产安全'}）`
}

export interface ProposedValue {
  value: string
  confidence: number
  abstain: boolean
}

// A prediction for a field with known values (request type, urgency); unknown labels are ignored.
export function proposedValue(p: Prediction | undefined, allowed: Record<string, string>): ProposedValue | null {
  if (!p || !p.label || !(p.label in allowed)) return null
  return { value: p.label, confidence: p.confidence ?? 0, abstain: !!p.abstain }
}

// The proposed category: its code (resolved by the server or the label itself), name and confidence.
export function proposedCategory(s: Suggestion | null, byCode: Map<string, string>): (ProposedValue & { name: string }) | null {
  const p = s?.category
  if (!p) return null
  const code = p.code ?? p.label
  if (!code) return null
  return { value: code, name: p.name ?? categoryName(code, byCode), confidence: p.confidence ?? 0, abstain: !!p.abstain }
}

// ---------------------------------------------------------------- latest-only requests

// Typing fires a request per pause; only the newest answer may land. `run` aborts the
// previous call still in flight and resolves to undefined when a newer one superseded it.
export class Latest {
  private ctrl: AbortController | null = null
  private seq = 0

  async run<T>(f: (signal: AbortSignal) => Promise<T>): Promise<{ value: T } | undefined> {
    this.ctrl?.abort()
    const ctrl = new AbortController()
    this.ctrl = ctrl
    const mine = ++this.seq
    try {
      const value = await f(ctrl.signal)
      return mine === this.seq ? { value } : undefined
    } catch (e) {
      if (mine !== this.seq || ctrl.signal.aborted) return undefined
      throw e
    } finally {
      if (this.ctrl === ctrl) this.ctrl = null
    }
  }

  cancel(): void {
    this.seq++
    this.ctrl?.abort()
    this.ctrl = null
  }
}

// A trailing debounce with cancel.
export function debounce<A extends unknown[]>(f: (...a: A) => void, ms: number) {
  let timer: ReturnType<typeof setTimeout> | null = null
  const d = (...a: A) => {
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      f(...a)
    }, ms)
  }
  d.cancel = () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  return d
}

// The text of a <em>-highlighted snippet without markup (the screen renders plain text).
export function plainSnippet(s: string | undefined): string {
  return (s ?? '').replace(/<\/?em>/g, '')
}

// Snippet split into plain/highlighted parts, so it can be rendered without v-html.
export function snippetParts(s: string | undefined): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = []
  const re = /<em>(.*?)<\/em>/g
  const src = s ?? ''
  let last = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(src))) {
    if (m.index > last) out.push({ text: src.slice(last, m.index), hit: false })
    out.push({ text: m[1], hit: true })
    last = m.index + m[0].length
  }
  if (last < src.length) out.push({ text: src.slice(last), hit: false })
  return out.map((p) => ({ ...p, text: p.text.replace(/<[^>]*>/g, '') }))
}

// The answer text composed from the knowledge entries ticked, in the order ticked.
export function composeAnswer(entries: { id: string; body: string }[], ticked: string[]): string {
  return ticked
    .map((id) => entries.find((e) => e.id === id)?.body?.trim())
    .filter((b): b is string => !!b)
    .join('\n')
}

// An entry's text inserted into the answer (插入答复) once: an answer that holds it already,
// ticked or inserted before, stays as it is.
export function insertOnce(answer: string, text: string): string {
  const t = text.trim()
  if (!t || answer.includes(t)) return answer
  return answer.trim() ? answer.trimEnd() + '\n' + t : t
}

// The server's unit reasons name areas by id and categories by code ("派单目录: 分类0111
// 区域3850…"); show their names.
export function humanReason(reason: string, areaNames?: Map<string, string>, catNames?: Map<string, string>): string {
  let out = reason
  if (areaNames) out = out.replace(/区域(\d{6,})/g, (m, id: string) => (areaNames.has(id) ? '区域' + areaNames.get(id) : m))
  if (catNames) out = out.replace(/分类(\d{2,12})/g, (m, code: string) => (catNames.has(code) ? '分类「' + catNames.get(code) + '」' : m))
  return out
}
