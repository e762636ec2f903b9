import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, act, api, buildUrl, describeError, getAll, newIdempotencyKey, setToken, setUnauthorisedHandler } from './api'

function reply(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

afterEach(() => {
  vi.unstubAllGlobals()
  setToken('')
})

describe('idempotency keys', () => {
  it('are distinct and say whose form they came from', () => {
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey())
    expect(newIdempotencyKey('portal')).toMatch(/^portal-/)
  })
})

describe('api client', () => {
  it('builds URLs without empty parameters', () => {
    expect(buildUrl('/tickets', { status: 'received', q: '', cursor: undefined, page_size: 50 })).toBe(
      '/api/v1/tickets?status=received&page_size=50',
    )
  })

  it('sends the bearer token and JSON, and parses the answer', async () => {
    const f = reply(200, { ok: true })
    vi.stubGlobal('fetch', f)
    setToken('abc')
    expect(await api('/x', { body: { a: 1 } })).toEqual({ ok: true })
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/x')
    expect(init.method).toBe('POST')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer abc')
    expect(init.body).toBe('{"a":1}')
  })

  it('reads every page of a reference list, following next_cursor', async () => {
    const pages: Record<string, unknown> = {
      '': { items: [{ code: '01' }, { code: '02' }], total: 3, next_cursor: '02', version: 4 },
      '02': { items: [{ code: '03' }], total: 3, next_cursor: null, version: 4 },
    }
    const f = vi.fn(async (url: string) => {
      const cursor = new URL(url, 'http://x').searchParams.get('cursor') ?? ''
      return new Response(JSON.stringify(pages[cursor]), { status: 200, headers: { 'Content-Type': 'application/json' } })
    })
    vi.stubGlobal('fetch', f)
    const all = await getAll<{ code: string }, { items: { code: string }[]; total: number; next_cursor: string | null; version: number }>('/categories')
    expect(all.items.map((c) => c.code)).toEqual(['01', '02', '03'])
    expect(all.version).toBe(4)
    expect(f).toHaveBeenCalledTimes(2)
    expect(f.mock.calls[0][0]).toBe('/api/v1/categories?page_size=1000')
  })

  it('turns the error envelope into an ApiError naming the field, in Chinese', async () => {
    vi.stubGlobal('fetch', reply(400, { error: { code: 'invalid_argument', message: 'content: must not be empty', details: { field: 'content' } } }))
    const e = await api('/tickets', { body: {} }).catch((x) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e.field).toBe('content')
    expect(describeError(e)).toBe('诉求内容：不能为空')
    // A list's item is named as the list, and a byte limit is read in characters too.
    expect(describeError(new ApiError(400, 'invalid_argument', 'terms[0]: each term is 1-100 bytes of text', 'terms[0]')))
      .toBe('同义词：每个词应为 1 到 100 字节（约 33 个汉字）')
    expect(describeError(new ApiError(400, 'invalid_argument', 'keywords: each must be a string of at most 100 bytes', 'keywords')))
      .toBe('关键词：每项最多 100 字节（约 33 个汉字）')
    // `to` is a period's end when the message is about the period, a transfer's destination otherwise.
    expect(describeError(new ApiError(400, 'invalid_argument', 'to: a report covers at most 400 days', 'to')))
      .toBe('结束时间：统计期最长 400 天')
    expect(describeError(new ApiError(400, 'invalid_argument', 'to: the period must be 1 ms to 400 days long', 'to')))
      .toBe('结束时间：结束时间应晚于开始时间，统计期最长 400 天')
    expect(describeError(new ApiError(400, 'invalid_argument', 'to: must be after from', 'to'))).toBe('结束时间：应晚于开始时间')
    expect(describeError(new ApiError(400, 'invalid_argument', 'to: must not be empty', 'to'))).toMatch(/^转办去向：/)
    expect(describeError(new ApiError(412, 'failed_precondition', 'into_ticket_id: the target ticket is closed, merge needs an open one', 'into_ticket_id')))
      .toBe('主工单：目标工单已办结，只能并入未办结的工单')
    expect(describeError(new ApiError(409, 'invalid_transition', 'the pending revision is draft and cannot become published', undefined)))
      .toBe('待发布的修订为草稿，不能改为已发布')
    expect(describeError(new ApiError(400, 'invalid_argument', 'to: must be one of: 110, 119, 120, 122, other', 'to')))
      .toBe('转办去向：取值不在可选范围内')
    expect(describeError(new ApiError(400, 'invalid_argument', 'date: expected a date such as 2026-11-23 (or ISO 8601)', 'date')))
      .toBe('日期：日期格式不正确')
    expect(describeError(new ApiError(403, 'permission_denied', 'only the lead unit may suspend; your unit assists (协办) on this order', undefined)))
      .toBe('只有主办单位可以挂起，本单位为协办单位')
    expect(describeError(new ApiError(409, 'conflict', 'username: Agent1 differs from the existing agent1 only in case', 'username')))
      .toMatch(/「Agent1」与已有账号「agent1」仅大小写不同$/)
  })

  it('says in Chinese why an action or an account change was refused', async () => {
    const refused = async (code: string, message: string, field?: string) => {
      vi.stubGlobal('fetch', reply(code === 'permission_denied' ? 403 : 400, { error: { code, message, details: field ? { field } : {} } }))
      return describeError(await api('/x', { method: 'PATCH', body: {} }).catch((x) => x))
    }
    expect(await refused('permission_denied', 'the order was dispatched by another centre')).toBe('该工单由其他中心派出，本中心不能改派或协调')
    expect(await refused('permission_denied', 'this ticket has no assignment for your unit')).toBe('本单位没有该工单的承办任务')
    expect(await refused('invalid_argument', 'active: you cannot disable your own account', 'active')).toBe('状态：不能停用自己的账号')
    expect(await refused('invalid_argument', 'unit_id: no active unit with id 7', 'unit_id')).toBe('承办单位：单位不存在或已停用')
    expect(await refused('invalid_argument', 'password: must be at least 8 characters', 'password')).toBe('密码：至少 8 位')
    // What the tester met in English on the workbench, the admin screens and the login page.
    expect(await refused('invalid_argument', 'citizen.phone: may hold only digits, spaces, -, ( ) and a leading +', 'citizen.phone'))
      .toMatch(/：只能包含数字、空格/)
    expect(await refused('conflict', "username: 'agent1' is taken", 'username')).toMatch(/：「agent1」已被使用$/)
    expect(await refused('permission_denied', 'role qa_inspector may not look callers up by phone: q holds a phone or ID number, or part of one', ''))
      .toBe('当前角色不能按电话或证件号码查询工单（搜索内容含号码）')
    expect(await refused('conflict', "name: a unit named '市城市管理局' exists already", 'name')).toMatch(/：已有名为「市城市管理局」的单位$/)
    expect(await refused('resource_exhausted', 'too many failed logins for this user; wait 5 minutes')).toBe('登录失败次数过多，请 5 分钟后再试')
    expect(await refused('invalid_argument', 'warning_pct: must be an integer from 1 to 99', 'warning_pct')).toMatch(/：应为 1 到 99 的整数$/)
    expect(await refused('invalid_argument', 'terms: a synonym group has 2 to 20 terms', 'terms')).toMatch(/：同义词组应有 2 到 20 个词$/)
    expect(await refused('invalid_argument',
      'days: must be between 1 and 28: the policy allows 30 days of extension in all, 2 granted already', 'days'))
      .toBe('天数：应为 1 到 28 天（本单延期合计最多 30 天，已批准 2 天）')
    expect(await refused('invalid_argument', 'assisting_unit_ids[1]: repeats an earlier id', 'assisting_unit_ids[1]'))
      .toBe('协办单位：与前面的单位重复')
    expect(await refused('conflict', 'cannot return a ticket that is replied', '')).toBe('工单当前为「已反馈待审核」，不能退单')
    expect(await refused('invalid_argument', 'kind: must be district, street or community', 'kind')).toMatch(/：取值不在可选范围内$/)
  })

  it('explains conflicts and calls the unauthorised handler on 401', async () => {
    const onOut = vi.fn()
    setUnauthorisedHandler(onOut)
    vi.stubGlobal('fetch', reply(401, { error: { code: 'unauthenticated', message: 'token expired', details: {} } }))
    const e = await api('/auth/me').catch((x) => x)
    expect(onOut).toHaveBeenCalled()
    expect(describeError(e)).toContain('登录已失效')
    vi.stubGlobal('fetch', reply(409, { error: { code: 'stale_version', message: 'ticket changed', details: {} } }))
    expect(describeError(await act('1', 'accept', {}, 3).catch((x) => x))).toContain('已被他人修改')
    // As the server sends it, naming the version field: still the one Chinese sentence.
    vi.stubGlobal('fetch', reply(409, { error: { code: 'stale_version', message: 'version: the ticket changed: you saw version 4, it is now 5', details: { field: 'version' } } }))
    expect(describeError(await act('1', 'review', {}, 4).catch((x) => x))).toBe('工单已被他人修改，请刷新后重试')
  })

  it('sends the version as If-Match on actions', async () => {
    const f = reply(200, { id: '1' })
    vi.stubGlobal('fetch', f)
    await act('42', 'dispatch', { unit_id: '7' }, 5)
    const [url, init] = f.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/tickets/42/actions/dispatch')
    expect((init.headers as Record<string, string>)['If-Match']).toBe('"5"')
  })
})
