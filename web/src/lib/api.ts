import { kbStatusLabels, statusLabels } from './labels'

const kbStatusZh = (s: string) => kbStatusLabels[s] ?? s

// The one HTTP client of the app: JSON in and out, the bearer token of the session,
// and the server's error envelope {error:{code,message,details:{field}}} turned into an
// ApiError whose message is plain Chinese and whose `field` names the input to mark.

export interface Page<T> {
  items: T[]
  total: number
  next_cursor: string | null
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field: string | undefined,
  ) {
    super(message)
  }
}

let token = ''
let onUnauthorised: () => void = () => {}

export function setToken(t: string): void {
  token = t
}
export function getToken(): string {
  return token
}
export function setUnauthorisedHandler(f: () => void): void {
  onUnauthorised = f
}

// Chinese names of the fields the server names in its errors, so a message reads
// "手机号：…" rather than "citizen.phone: …".
const fieldNames: Record<string, string> = {
  content: '诉求内容', title: '标题', channel: '渠道', request_type: '诉求类型', urgency: '紧急程度',
  category_code: '分类', address: '地址', area_id: '区域', 'citizen.phone': '来电号码', 'citizen.name': '姓名',
  phone: '手机号', unit_id: '承办单位', assisting_unit_ids: '协办单位', reason: '原因', days: '天数',
  comment: '意见', outcome: '回访结果', rating: '满意度', note: '说明', to: '转办去向', username: '用户名',
  password: '密码', current_password: '当前密码', new_password: '新密码', q: '查询', phone_last4: '手机号后四位', code: '编码', name: '名称', kind: '类型',
  into_ticket_id: '主工单', decision: '决定', approve: '审核结论', body: '请求', version: '版本',
  terms: '同义词', keywords: '关键词', warning_pct: '预警比例', rules: '时限规则', parent_id: '上级', lead_unit_id: '主办单位', priority: '优先级',
  category_prefix: '分类', display_name: '姓名', role: '角色', aliases: '别名', from: '开始时间',
  date: '日期', category: '分类', top: '数量', reopen_cap: '重办', closing_kind: '办结类型', min_returns: '退回次数',
  assignment_state: '签收状态', active: '状态', weeks: '统计周数', aht: '平均处理时长', answer_within: '接通时限',
  service_level: '服务水平', max_occupancy: '最高占用率', shrinkage: '损耗率', min_agents: '最少在线坐席',
}

const codeMessages: Record<string, string> = {
  unauthenticated: '登录已失效，请重新登录',
  permission_denied: '没有权限执行此操作',
  not_found: '未找到',
  conflict: '与现有数据冲突',
  stale_version: '工单已被他人修改，请刷新后重试',
  invalid_transition: '工单当前状态不允许此操作',
  failed_precondition: '当前状态不允许此操作',
  resource_exhausted: '请求过于频繁，请稍后再试',
  too_large: '提交的内容过大',
  unavailable: '服务暂不可用，请稍后再试',
}

// The server explains in English; the screens speak Chinese. Known phrasings are translated,
// anything else is shown as the server wrote it (still naming the field in Chinese).
const detailPatterns: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
  [/^is required$|^is missing or empty$/, '必填'],
  [/^must not be empty$/, '不能为空'],
  [/^must be a string$/, '应为文本'],
  [/^must be an id$/, '应为有效编号'],
  [/^must be a positive integer$|^must be an integer$|^must be a number$/, '应为整数'],
  [/^must be true or false$/, '应为是或否'],
  [/^must be an array of strings$/, '应为文本列表'],
  [/^is not valid UTF-8/, '含有无效字符'],
  [/^too long$|^is longer than/, '内容过长'],
  [/^at most (\d+) (bytes|characters)/, (m) => `最多 ${m[1]} ${m[2] === 'bytes' ? '字节' : '字'}`],
  [/^at most (\d+)$/, (m) => `最多 ${m[1]}`],
  [/^resume the suspended order before replying/, '工单已挂起，请先恢复办理再反馈'],
  [/^must hold 5 to 20 digits$/, '应为 5 到 20 位数字'],
  [/^expected ISO 8601|^is not a date|^expected a date such as/, '日期格式不正确'],
  [/^a report covers at most (\d+) days/, (m) => `统计期最长 ${m[1]} 天`],
  [/^the period must be 1 ms to (\d+) days long/, (m) => `结束时间应晚于开始时间，统计期最长 ${m[1]} 天`],
  [/^must be after from$/, '应晚于开始时间'],
  [/^no area with id/, '区域不存在'],
  [/^no unit with id|^no such unit/, '单位不存在'],
  [/^unknown channel/, '未知的渠道'],
  [/^unknown request type/, '未知的诉求类型'],
  [/^unknown urgency/, '未知的紧急程度'],
  [/^must be one of/, '取值不在可选范围内'],
  [/^is required when the citizen was reached$/, '联系上市民时必须填写满意度'],
  [/^only a reached citizen gives a rating$/, '未联系上市民时不能填写满意度'],
  [/^the lead unit cannot also assist$/, '主办单位不能同时为协办单位'],
  [/^the order is already with that unit$/, '工单已在该单位'],
  [/^transfer must be 110, 119 or 120/, '只能转 110、119 或 120'],
  [/^must be 1-200 bytes of UTF-8 text$/, '应为 1 到 200 字节的文本'],
  [/ticket belongs to another centre/, '工单属于其他中心，本中心不能操作'],
  [/outside your centre's subtree/, '该单位不在本中心辖区内'],
  [/^the order was dispatched by another centre/, '该工单由其他中心派出，本中心不能改派或协调'],
  [/^this ticket has no assignment for your unit/, '本单位没有该工单的承办任务'],
  [/^only the lead unit may (\w+); your unit assists/, (m) => `只有主办单位可以${actionZh[m[1]] ?? m[1]}，本单位为协办单位`],
  [/^an extension request is already waiting for a decision/, '已有延期申请等待中心审批'],
  [/^the order is suspended: its clock stands still/, '工单已挂起，计时已停止，无需延期'],
  [/^a suspension request is already waiting for a decision/, '已有挂起申请等待中心审批'],
  [/^must be a positive number of days within the policy's limit/, '延期天数应为正整数，且不超过规定上限'],
  [/^(\S+) differs from the existing (\S+) only in case/, (m) => `「${m[1]}」与已有账号「${m[2]}」仅大小写不同`],
  [/^must not hold control characters/, '不能包含控制字符'],
  [/^category (\S+) under the same parent is called (.*) already/, (m) => `同一上级下已有分类「${m[2]}」（${m[1]}）`],
  [/^'([^']*)' exists already \((.*)\)$/, (m) => `编码「${m[1]}」已被分类「${m[2]}」使用`],
  [/^(\d{4}-\d\d-\d\d) is a weekday, worked anyway/, (m) => `${m[1]} 本是工作日；调休上班日应为周六或周日`],
  [/^you may not see this ticket/, '无权查看该工单'],
  [/^the account is disabled/, '账号已停用'],
  [/^wrong username or password/, '用户名或密码错误'],
  [/^you cannot disable your own account/, '不能停用自己的账号'],
  [/^you cannot take the administrator role from yourself/, '不能取消自己的管理员角色'],
  [/^the city centre cannot be made inactive/, '市级中心不能停用'],
  [/^no active unit with id/, '单位不存在或已停用'],
  [/^names no field to change/, '没有要修改的内容'],
  [/^cannot be changed here/, '不能在此修改'],
  [/^a (agent|dispatcher) belongs to a centre/, '话务员和派单员应属于热线中心'],
  [/^a unit_handler belongs to a handling unit/, '承办人员应属于承办单位，不能属于中心'],
  [/^unit .* is out of use$/, '单位已停用'],
  [/^its parent .* is retired$/, '上级分类已停用，请先启用上级'],
  [/^'[^']*' .*is retired$/, '该分类已停用'],
  [/outside the subtree of the centre the order returned to|outside the subtree of the centre that dispatched the order/, '该单位不在派出该工单的中心辖区内'],
  [/^each alias must be 1-200 bytes/, '每个别名应为 1 到 200 字节'],
  [/^'([^']*)' already names (.*) in the same district$/, (m) => `「${m[1]}」已是同区的${m[2]}的名称或别名`],
  [/^a relay dispatch goes to a district centre or sub-centre/, '逐级转派只能派给区分中心或分中心'],
  [/^a relay dispatch goes to a centre below yours/, '逐级转派只能派给下级中心，不能派给本中心'],
  [/^the ticket is exempted already/, '该工单已免考核'],
  [/^must be longer than zero/, '应大于零'],
  [/^a direct dispatch goes to a handling unit/, '直派只能派给承办单位，派给中心请选逐级转派'],
  [/^the lead unit cannot also assist$|^lists the lead unit$/, '主办单位不能同时为协办单位'],
  [/^lists a unit twice$/, '协办单位重复'],
  [/^no extension request is waiting/, '没有待审批的延期申请'],
  [/^no suspension request is waiting/, '没有待审批的挂起申请'],
  [/^a ticket cannot merge into itself/, '工单不能并入自身'],
  [/^is required when rejecting a reply/, '退回答复时必须填写意见'],
  [/^the target ticket is (\w+), merge needs an open one/, (m) => `目标工单${statusLabels[m[1]] ?? m[1]}，只能并入未办结的工单`],
  [/^entry \d+ is not a current knowledge entry/, '所选知识条目已过期、未生效、未发布或已停用，请重新选择'],
  [/^the pending revision is (\w+) and cannot become (\w+)/, (m) => `待发布的修订为${kbStatusZh(m[1])}，不能改为${kbStatusZh(m[2])}`],
  [/^an entry that is (\w+) cannot become (\w+)/, (m) => `知识条目为${kbStatusZh(m[1])}，不能改为${kbStatusZh(m[2])}`],
  [/^is required when refusing an extension$/, '不同意延期时必须填写意见'],
  [/^is required when refusing a suspension$/, '不同意挂起时必须填写意见'],
  [/^must be at least 8 characters$/, '至少 8 位'],
  [/^must be at most 200 bytes$/, '过长（最多 200 字节）'],
  [/^is not your password$/, '与当前密码不符'],
  [/^is the current password$/, '不能与当前密码相同'],
  [/^must not be the username$/, '不能与用户名相同'],
  [/^must not be one character repeated$/, '不能是同一字符的重复'],
  [/^is one of the commonest passwords$/, '过于常见，容易被猜中，请换一个'],
  [/^the ticket was reopened (\d+) times already/, (m) => `已重办 ${m[1]} 次，达到重办上限`],
  [/^role \w+ may not look callers up by phone: q holds/, '当前角色不能按电话或证件号码查询工单（搜索内容含号码）'],
  [/^role \w+ may not look callers up by phone/, '当前角色不能按来电号码查询'],
  [/^role \w+ may not (\w+)/, (m) => `当前角色不能执行「${actionZh[m[1]] ?? m[1]}」`],
  [/^must be a mainland mobile number/, '请填写正确的手机号或固定电话（固话请带区号）'],
  [/^may hold only digits, spaces, -, \( \) and a leading \+/, '只能包含数字、空格、-、( ) 和开头的 +'],
  [/^must be telephone numbers/, '应为电话号码（数字、- ( ) + / , 或「转」分机）'],
  [/^is required for a phone request/, '电话诉求必须填写，用于回访'],
  [/^is required for an SMS request/, '短信诉求必须填写发信号码'],
  [/^is required for an enterprise/, '企业诉求必须填写'],
  [/^is required, to follow the request up/, '必须填写，用于跟进诉求'],
  [/^say what happened in at least (\d+) characters/, (m) => `请把诉求写清楚（至少${m[1]}个字）`],
  [/^has a wrong check digit/, '校验位不正确'],
  [/^holds no valid birth date/, '出生日期无效'],
  [/^must be 15 digits, or 17 digits and a check digit/, '应为 15 位数字，或 17 位数字加校验位（数字或 X）'],
  [/^must be 18 digits or capital letters/, '应为 18 位数字或大写字母'],
  [/^'([^']*)' is taken/, (m) => `「${m[1]}」已被使用`],
  [/^(?:a |an )?(\w+) named '([^']*)' exists already/, (m) => `已有名为「${m[2]}」的${({ unit: '单位', area: '区域' } as Record<string, string>)[m[1]] ?? ''}`],
  [/^the same group exists already/, '相同的同义词组已存在'],
  [/^group \d+ holds all these terms already/, '已有同义词组包含这些词'],
  // A byte limit read in characters: a Chinese character is 3 bytes.
  [/^each term is 1-(\d+) bytes of text(?: without control characters)?$/, (m) => `每个词应为 1 到 ${m[1]} 字节（约 ${Math.floor(Number(m[1]) / 3)} 个汉字）`],
  [/^each must be a string of at most (\d+) bytes$/, (m) => `每项最多 ${m[1]} 字节（约 ${Math.floor(Number(m[1]) / 3)} 个汉字）`],
  [/^'([^']*)' appears twice/, (m) => `「${m[1]}」重复`],
  [/^is given twice in one JSON object/, '同一字段提交了两次'],
  [/^too many failed logins/, '登录失败次数过多，请 5 分钟后再试'],
  [/^too many logins at once/, '该账号同时登录的请求过多，请稍后再试'],
  // An order's extensions together are bounded by the policy: what is left, of how much, is said.
  [/^must be between 1 and (\d+): the policy allows (\d+) days of extension in all, (\d+) granted already/,
    (m) => `应为 1 到 ${m[1]} 天（本单延期合计最多 ${m[2]} 天，已批准 ${m[3]} 天）`],
  [/^no more days can be granted: the policy allows (\d+) days of extension in all, (\d+) granted already/,
    (m) => `已无可延期天数（本单延期合计最多 ${m[1]} 天，已批准 ${m[2]} 天）`],
  [/^repeats an earlier id$/, '与前面的单位重复'],
  [/^cannot ([a-z_]+) a ticket that is ([a-z_]+)$/,
    (m) => `工单当前为「${statusLabels[m[2]] ?? m[2]}」，不能${actionZh[m[1]] ?? m[1]}`],
  [/^the unit has answered: the review and the callback close this ticket/,
    '承办单位已反馈，工单由审核和回访办结（市民不再需要办理的，回访时记为拒绝回访）'],
  [/^attachment \d+ is not one of this ticket's files/, '该附件不属于此工单'],
  [/^unit handlers see their own orders, not rankings/, '承办单位只能查看本单位的工单，不能查看排名'],
  [/^must be between (\d+) and (\d+)/, (m) => `应在 ${m[1]} 到 ${m[2]} 之间`],
  [/^must be an integer from ([\d,-]+) to ([\d,]+)/, (m) => `应为 ${m[1]} 到 ${m[2]} 的整数`],
  [/^must be (\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)( seconds)?$/, (m) => `应为 ${m[1]} 到 ${m[2]}${m[3] ? ' 秒' : ''}`],
  [/^a synonym group has (\d+) to (\d+) terms/, (m) => `同义词组应有 ${m[1]} 到 ${m[2]} 个词`],
  [/^must be 1-200 bytes of UTF-8 text without control characters/, '应为 1 到 200 字节的文本，不含控制字符'],
  [/^at most (\d+) KiB/, (m) => `最多 ${m[1]} KiB`],
  [/^must begin with its parent's code/, '编码应以上级分类的编码开头'],
  [/^must be [a-z_]+(?:, [a-z_]+)* or [a-z_]+$/, '取值不在可选范围内'],
]

// Action names in the server's permission messages ("role agent may not dispatch").
const actionZh: Record<string, string> = {
  dispatch: '派单', redispatch: '改派', coordinate: '协调', accept: '签收', return: '退单', reply: '办理反馈',
  review: '审核', callback: '回访', reopen: '重办', urge: '催办', supervise: '督办', withdraw: '撤单', exempt: '免考核',
  archive: '归档', merge: '并单', transfer: '转办', answer_directly: '直接答复', note: '备注', suspend: '挂起',
  resume: '恢复', request_extension: '申请延期', decide_extension: '审批延期',
  decide_suspension: '审批挂起',
}

export function translateDetail(detail: string): string {
  for (const [re, zh] of detailPatterns) {
    const m = re.exec(detail)
    if (m) return typeof zh === 'string' ? zh : zh(m)
  }
  return detail
}

export function fieldLabel(field: string | undefined): string {
  if (!field) return ''
  // An item of a list (terms[1]) is named as the list.
  const name = field.replace(/\[\d+\]$/, '')
  return fieldNames[name] ?? name
}

// "content: must not be empty" → "诉求内容：must not be empty" (the server's detail kept).
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    // Someone else acted first: the remedy is the same whatever the versions were.
    if (e.code === 'stale_version') return codeMessages.stale_version
    const generic = codeMessages[e.code]
    let detail = e.message
    if (e.field && detail.startsWith(e.field + ':')) detail = detail.slice(e.field.length + 1).trim()
    // `to` is a transfer's destination or, in a message about a period (统计期), its end.
    const label = e.field === 'to' && /period|report|date|ISO|after from/.test(detail) ? '结束时间' : fieldLabel(e.field)
    if (e.field) return `${label}：${translateDetail(detail)}`
    const zh = translateDetail(detail)
    if (zh !== detail) return zh
    return generic ? `${generic}（${detail}）` : detail
  }
  if (e instanceof Error) return '网络错误：' + e.message
  return String(e)
}

export interface RequestOptions {
  method?: string
  body?: unknown
  query?: Record<string, string | number | boolean | undefined | null>
  headers?: Record<string, string>
  signal?: AbortSignal
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return '/api/v1' + path + (qs ? '?' + qs : '')
}

export async function api<T = any>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...(opts.headers ?? {}) }
  if (token) headers.Authorization = 'Bearer ' + token
  let body: BodyInit | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const res = await fetch(buildUrl(path, opts.query), {
    method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
    signal: opts.signal,
  })
  const text = await res.text()
  let data: any = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = text
    }
  }
  if (!res.ok) {
    const err = data && typeof data === 'object' ? data.error : undefined
    if (res.status === 401) onUnauthorised()
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? `HTTP ${res.status}`, err?.details?.field)
  }
  return data as T
}

export const get = <T = any>(path: string, query?: RequestOptions['query']) => api<T>(path, { query })

// Every page of a reference list the server pages by cursor (units, areas, categories, the
// dispatch directory): the items of all pages, with the other fields of the last one.
export async function getAll<T = any, P extends Page<T> = Page<T>>(path: string, query: RequestOptions['query'] = {}): Promise<P> {
  const items: T[] = []
  let cursor: string | null = null
  for (let pages = 0; pages < 1000; pages++) {
    const page: P = await get<P>(path, { ...query, page_size: 1000, cursor })
    items.push(...(page.items ?? []))
    cursor = page.next_cursor
    if (!cursor) return { ...page, items }
  }
  throw new Error(`${path}: more than 1000 pages`)
}

export const post = <T = any>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
  api<T>(path, { method: 'POST', body, headers })
export const put = <T = any>(path: string, body: unknown) => api<T>(path, { method: 'PUT', body })
export const patch = <T = any>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body })
export const del = <T = any>(path: string) => api<T>(path, { method: 'DELETE' })

// One action on a ticket (POST /tickets/{id}/actions/{name}); `version` guards against a
// concurrent change (If-Match).
export function act<T = any>(ticketId: string, action: string, body: Record<string, unknown> = {}, version?: number) {
  const headers: Record<string, string> = {}
  if (version !== undefined) headers['If-Match'] = `"${version}"`
  return post<T>(`/tickets/${ticketId}/actions/${action}`, body, headers)
}

// A fresh Idempotency-Key for one filled-in form (the same key on a retry returns the same
// ticket): `wb` the workbench's, `portal` the citizens'.
export function newIdempotencyKey(prefix = 'wb'): string {
  const c = (globalThis as any).crypto
  if (c && typeof c.randomUUID === 'function') return `${prefix}-${c.randomUUID()}`
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}
