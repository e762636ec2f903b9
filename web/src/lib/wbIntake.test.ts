import { describe, expect, it } from 'vitest'
import {
  hasTyped,
  Latest, codePath, composeAnswer, insertOnce, emergencyNote, emptyForm, formItemFor, historyPhone, hitPhrases, toneEvidence,
  matchAreas, matchCategories, parentCode, proposedCategory, proposedValue, snippetParts, ticketBody,
} from './wbIntake'
import { requestTypeLabels } from './labels'

describe('categories', () => {
  it('derives parents and paths from two-digit levels', () => {
    expect(parentCode('010203')).toBe('0102')
    expect(parentCode('01')).toBe('')
    expect(codePath('010203')).toEqual(['01', '0102', '010203'])
    expect(codePath('')).toEqual([])
  })
  it('finds categories for the picker by any words of their path or by code', () => {
    const items = [
      { code: '0101', name: '物业管理', parent_code: '01' },
      { code: '01', name: '城乡建设', parent_code: null },
      { code: '010101', name: '电梯故障', parent_code: '0101' },
      { code: '02', name: '旧', parent_code: null, active: false },
      { code: '03', name: '交通运输', parent_code: null },
    ]
    const names = new Map(items.map((c) => [c.code, c.name]))
    const keys = (q: string, limit?: number) => matchCategories(items, names, q, limit).map((c) => c.key)
    expect(keys('')).toEqual(['01', '0101', '010101', '03'])
    expect(keys('', 2)).toEqual(['01', '0101'])
    expect(keys('电梯')).toEqual(['010101'])
    expect(keys('城乡 电梯')).toEqual(['010101'])
    expect(keys('物业')).toEqual(['0101', '010101'])
    expect(keys('0101')).toEqual(['0101', '010101'])
    expect(keys('旧')).toEqual([])
    expect(matchCategories(items, names, '电梯')[0]).toEqual({ key: '010101', label: '城乡建设 / 物业管理 / 电梯故障', hint: '010101' })
  })
})

describe('areas', () => {
  const areas = [
    { id: '1', name: '江南区', kind: 'district', parent_id: null, aliases: [] },
    { id: '2', name: '望江街道', kind: 'street', parent_id: '1', aliases: ['望江路', '锦绣花园'] },
  ]
  it('matches names and aliases both ways', () => {
    expect(matchAreas(areas, '望江').map((h) => h.via)).toEqual(['望江街道', '望江路'])
    expect(matchAreas(areas, '锦绣花园3栋').map((h) => h.area.id)).toEqual(['2'])
    expect(matchAreas(areas, '  ')).toEqual([])
  })
})

describe('ticket body', () => {
  it('trims and leaves out empty optional fields', () => {
    const f = { ...emptyForm(), phone: ' 138 0013 8000 ', content: ' 噪音扰民 ', name: '' }
    expect(ticketBody(f)).toEqual({
      channel: 'phone', request_type: 'consultation', urgency: 'normal', content: '噪音扰民',
      citizen: { kind: 'person', phone: '138 0013 8000' },
    })
    const g = { ...f, kind: 'enterprise' as const, org_name: '某公司', area_id: '9', category_code: '0101', confidential: true }
    const b = ticketBody(g)
    expect(b.citizen).toEqual({ kind: 'enterprise', phone: '138 0013 8000', org_name: '某公司' })
    expect(b.area_id).toBe('9')
    expect(b.category_code).toBe('0101')
    expect(b.confidential).toBe(true)
  })
  it('maps server fields to form items', () => {
    expect(formItemFor('citizen.phone')).toBe('phone')
    expect(formItemFor('content')).toBe('content')
    expect(formItemFor('area_id')).toBe('address')
    expect(formItemFor('nope')).toBeUndefined()
    expect(formItemFor(undefined)).toBeUndefined()
  })
  it('asks for caller history from seven digits', () => {
    expect(historyPhone('138-001')).toBe('138001'.length >= 7 ? '138001' : null)
    expect(historyPhone('123456')).toBeNull()
    expect(historyPhone('123 4567')).toBe('1234567')
  })
})

describe('proposals', () => {
  it('reads known values only', () => {
    expect(proposedValue({ label: 'complaint', confidence: 0.8 }, requestTypeLabels)).toEqual({ value: 'complaint', confidence: 0.8, abstain: false })
    expect(proposedValue({ label: 'xx', confidence: 0.8 }, requestTypeLabels)).toBeNull()
    expect(proposedValue(undefined, requestTypeLabels)).toBeNull()
  })
  it('names the category', () => {
    const by = new Map([['0111', '电梯安全']])
    expect(proposedCategory({ category: { label: '0111', confidence: 0.5, abstain: true } }, by)).toEqual({
      value: '0111', name: '电梯安全', confidence: 0.5, abstain: true,
    })
    expect(proposedCategory(null, by)).toBeNull()
  })
  it('writes the transfer note', () => {
    expect(emergencyNote({ transfer: '119', hits: [{ kind: 'fire', transfer: '119', phrase: '着火' }, { kind: 'fire', transfer: '119', phrase: '着火' }] }))
      .toBe('话务员转119：紧急事项（着火）')
    const hit = (phrase: string) => ({ kind: 'gas', transfer: '119', phrase })
    expect(hitPhrases([hit('煤气味'), hit('煤气味'), hit('着火')])).toEqual(['煤气味', '着火'])
  })
  it('shows the tone evidence that counted, as written, once each', () => {
    expect(toneEvidence(['+还是没', '!上访', '+太不(否定)负责', '~不(否定)满意', '-感谢', '+还是没'])).toEqual(['还是没', '上访', '太不负责', '感谢'])
    expect(toneEvidence(undefined)).toEqual([])
  })
  it('splits snippets without markup', () => {
    expect(snippetParts('住宅<em>电梯</em>故障<b>x</b>')).toEqual([
      { text: '住宅', hit: false }, { text: '电梯', hit: true }, { text: '故障x', hit: false },
    ])
  })
  it('composes an answer in ticking order', () => {
    const es = [{ id: 'a', body: 'A。' }, { id: 'b', body: ' B。 ' }]
    expect(composeAnswer(es, ['b', 'a', 'zz'])).toBe('B。\nA。')
    // 插入答复 after ticking the same entry does not say it twice.
    expect(insertOnce('B。', 'B。')).toBe('B。')
    expect(insertOnce('B。', 'A。')).toBe('B。\nA。')
    expect(insertOnce('', 'A。')).toBe('A。')
  })
})

describe('Latest', () => {
  it('lets only the newest answer land and aborts the older one', async () => {
    const l = new Latest()
    let firstSignal: AbortSignal | undefined
    let release!: (v: string) => void
    const first = l.run((s) => {
      firstSignal = s
      return new Promise<string>((res) => (release = res))
    })
    const second = l.run(async () => 'new')
    release('old')
    expect(await first).toBeUndefined()
    expect(firstSignal!.aborted).toBe(true)
    expect(await second).toEqual({ value: 'new' })
  })
  it('swallows errors of superseded calls, passes the latest one on', async () => {
    const l = new Latest()
    const a = l.run((s) => new Promise((_, rej) => s.addEventListener('abort', () => rej(new Error('aborted')))))
    const b = l.run(async () => {
      throw new Error('boom')
    })
    expect(await a).toBeUndefined()
    await expect(b).rejects.toThrow('boom')
  })
})

import { humanReason } from './wbIntake'
describe('humanReason', () => {
  it('names areas in reasons', () => {
    expect(humanReason('派单目录: 分类0111 区域385061627147325443', new Map([['385061627147325443', '望江街道']]))).toBe('派单目录: 分类0111 区域望江街道')
    expect(humanReason('区域1234567', new Map())).toBe('区域1234567')
    expect(humanReason('派单目录: 分类0104；历史: 分类010401近期承办14单', undefined, new Map([['0104', '市容环境'], ['010401', '占道经营']])))
      .toBe('派单目录: 分类「市容环境」；历史: 分类「占道经营」近期承办14单')
    expect(humanReason('分类0199', undefined, new Map())).toBe('分类0199')
  })
})

describe('hasTyped', () => {
  it('is what 清空 would throw away: typed text, not the defaults every call starts with', () => {
    expect(hasTyped(emptyForm())).toBe(false)
    expect(hasTyped({ ...emptyForm(), channel: 'wechat', urgency: 'urgent' })).toBe(false)
    expect(hasTyped({ ...emptyForm(), content: '路灯不亮' })).toBe(true)
    expect(hasTyped({ ...emptyForm(), phone: '139' })).toBe(true)
    expect(hasTyped({ ...emptyForm(), content: '  ' })).toBe(false)
    expect(hasTyped(emptyForm(), '已为您查询')).toBe(true)
  })
})
