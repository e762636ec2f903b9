import { describe, expect, it } from 'vitest'
import { ApiError } from './api'
import { bulkSummary, canRelay, coHandlersSendable, quickBody, quickLabel, quickPick, confirmedFields, coordinateBody, correctionFields, dispatchBody, groupUnits, planBulk, redispatchBody, runBulk, validateCoordinate, validateDispatch, type Unit } from './dqDispatch'

const units: Unit[] = [
  { id: '1', name: '市中心', kind: 'city_center', parent_id: null },
  { id: '2', name: '江南区分中心', kind: 'district_center', parent_id: '1' },
  { id: '3', name: '教育局', kind: 'department', parent_id: '1' },
  { id: '4', name: '旧单位', kind: 'department', parent_id: '1', active: false },
]
const form = (o: any = {}) => ({ unit_id: '3', assisting_unit_ids: [], mode: 'direct' as const, note: '', ...o })

describe('dispatch form', () => {
  it('relays only to centres', () => {
    expect(canRelay(units[1])).toBe(true)
    expect(canRelay(units[2])).toBe(false)
    expect(canRelay(undefined)).toBe(false)
    expect(validateDispatch(form({ mode: 'relay' }), units)?.field).toBe('mode')
    expect(validateDispatch(form({ unit_id: '2', mode: 'relay' }), units)).toBeNull()
  })
  it('checks lead and assisting units', () => {
    expect(validateDispatch(form({ unit_id: '' }), units)?.field).toBe('unit_id')
    expect(validateDispatch(form({ unit_id: '99' }), units)?.field).toBe('unit_id')
    expect(validateDispatch(form({ unit_id: '4' }), units)?.field).toBe('unit_id')
    expect(validateDispatch(form({ assisting_unit_ids: ['3'] }), units)?.field).toBe('assisting_unit_ids')
    expect(validateDispatch(form({ assisting_unit_ids: Array.from({ length: 21 }, (_, i) => 'x' + i) }), units)?.field).toBe('assisting_unit_ids')
    expect(validateDispatch(form({ note: '字'.repeat(700) }), units)?.field).toBe('note')
  })
  it('builds bodies as command_parse.cc reads them', () => {
    expect(dispatchBody(form({ assisting_unit_ids: ['2', '2', '3'], note: ' 请尽快 ' }))).toEqual({ unit_id: '3', mode: 'direct', assisting_unit_ids: ['2'], note: '请尽快' })
    expect(dispatchBody(form())).toEqual({ unit_id: '3', mode: 'direct' })
    expect(redispatchBody('3', '')).toEqual({ unit_id: '3' })
    expect(redispatchBody('3', '', 'relay')).toEqual({ unit_id: '3', mode: 'relay' })
    expect(redispatchBody('3', '', 'direct')).toEqual({ unit_id: '3' })
    expect(coordinateBody(' 已协调 ', '')).toEqual({ note: '已协调' })
    expect(coordinateBody('已协调', '3')).toEqual({ note: '已协调', unit_id: '3' })
    expect(coordinateBody('增派协办', '', ['5'])).toEqual({ note: '增派协办', assisting_unit_ids: ['5'] })
    expect(coordinateBody('改办', '3', ['3', '5'])).toEqual({ note: '改办', unit_id: '3', assisting_unit_ids: ['5'] })
    expect(validateCoordinate('  ', '')?.field).toBe('note')
  })
  it('groups active units, centres first', () => {
    const g = groupUnits(units, { city_center: '市中心', district_center: '区分中心', department: '职能部门' })
    expect(g.map((x) => x.label)).toEqual(['市中心', '区分中心', '职能部门'])
    expect(g[2].units.map((u) => u.id)).toEqual(['3'])
  })
})

describe('confirming the proposal', () => {
  const proposed = { category: { code: '0111', confidence: 0.9, abstain: false }, urgency: { label: 'urgent', abstain: false } }
  it('starts from the ticket, else from a confident proposal', () => {
    expect(confirmedFields({ category_code: '', urgency: 'normal', suggestions: proposed })).toEqual({ category_code: '0111', urgency: 'normal', request_type: '' })
    expect(confirmedFields({ category_code: '0201', urgency: 'urgent', suggestions: proposed })).toEqual({ category_code: '0201', urgency: 'urgent', request_type: '' })
    expect(confirmedFields({ category_code: '', urgency: '', suggestions: { category: { code: '0111', abstain: true } } }))
      .toEqual({ category_code: '', urgency: 'normal', request_type: '' })
  })
  it('sends only what differs from the ticket', () => {
    const t = { category_code: '', urgency: 'normal' }
    expect(correctionFields(t, { category_code: '0111', urgency: 'normal' })).toEqual({ category_code: '0111' })
    expect(correctionFields(t, { category_code: '', urgency: 'emergency' })).toEqual({ urgency: 'emergency' })
    expect(correctionFields({ category_code: '0111', urgency: 'urgent' }, { category_code: '0111', urgency: 'urgent' })).toEqual({})
    // A complaint filed as a consultation runs on the shorter limit: the dispatch corrects it.
    expect(correctionFields({ category_code: '0111', urgency: 'urgent', request_type: 'consultation' },
      { category_code: '0111', urgency: 'urgent', request_type: 'complaint' })).toEqual({ request_type: 'complaint' })
    expect(confirmedFields({ category_code: '0111', urgency: 'urgent', request_type: 'complaint', suggestions: {} }).request_type).toBe('complaint')
  })
})

describe('bulk', () => {
  const t = (id: string, sugg?: string): any => ({ id, number: 'N' + id, version: 1, suggestions: sugg ? { units: [{ unit_id: sugg, name: 'U' + sugg, score: 0.9 }] } : {} })
  it('plans per row suggestion or one unit', () => {
    const pick = (x: any) => (x.suggestions.units ? { unit_id: x.suggestions.units[0].unit_id, name: x.suggestions.units[0].name, score: 0.9, mode: 'direct' as const, assisting: [], category_code: '' } : null)
    const p = planBulk([t('a', '3'), t('b')], { kind: 'suggested' }, pick)
    expect(p[0]).toMatchObject({ unit_id: '3', unit_name: 'U3', skip: '' })
    expect(p[1].skip).toContain('请单独派单')
    const q = planBulk([t('a', '3'), t('b')], { kind: 'unit', unit_id: '2', unit_name: '江南' })
    expect(q.every((x) => x.unit_id === '2' && !x.skip)).toBe(true)
  })
  it('runs one by one and reports each row in Chinese', async () => {
    const plan = planBulk([t('a', '3'), t('b'), t('c', '3')], { kind: 'suggested' }, (x: any) => (x.suggestions.units ? { unit_id: '3', name: 'U3', score: 0.9, mode: 'direct', assisting: [], category_code: '' } : null))
    const progress: number[] = []
    const res = await runBulk(plan, async (item) => {
      if (item.ticket.id === 'c') throw new ApiError(409, 'stale_version', 'ticket changed', undefined)
      return { ...item.ticket, version: 2 }
    }, (n) => progress.push(n))
    expect(res.map((r) => r.ok)).toEqual([true, false, false])
    expect(res[0].message).toBe('已派至U3')
    expect(res[2].message).toBe('工单已被他人修改，请刷新后重试')
    expect(progress).toEqual([1, 2, 3])
    expect(bulkSummary(res)).toBe('成功 1 单，失败 2 单')
    expect(bulkSummary([res[0]])).toBe('全部成功：共 1 单')
    expect(bulkSummary([])).toBe('未选择工单')
  })
})

describe('subtreeUnits', () => {
  it('keeps a centre to its subtree', async () => {
    const { subtreeUnits } = await import('./dqDispatch')
    const us: Unit[] = [
      { id: '1', name: '市', kind: 'city_center', parent_id: null },
      { id: '2', name: '区', kind: 'district_center', parent_id: '1' },
      { id: '3', name: '街道', kind: 'street', parent_id: '2' },
      { id: '5', name: '社区', kind: 'community', parent_id: '3' },
      { id: '4', name: '局', kind: 'department', parent_id: '1' },
    ]
    expect(subtreeUnits(us, '2').map((u) => u.id)).toEqual(['3', '5'])
    expect(subtreeUnits(us, '1').map((u) => u.id)).toEqual(['2', '4', '3', '5'])
    expect(subtreeUnits(us, '0')).toBe(us)
    expect(subtreeUnits(us, undefined)).toBe(us)
  })
})

describe('quickPick', () => {
  const units: Unit[] = [
    { id: 'hub', name: '市中心', kind: 'city_center', parent_id: null, is_centre: true },
    { id: 'jn', name: '江南区分中心', kind: 'district_center', parent_id: 'hub', is_centre: true },
    { id: 'gas', name: '燃气公司', kind: 'utility', parent_id: 'hub' },
    { id: 'old', name: '停用单位', kind: 'department', parent_id: 'hub', active: false },
    { id: 'env', name: '生态环境局', kind: 'department', parent_id: 'hub' },
  ]
  const tk = (ids: string[], returnedBy?: string): any => ({
    category_code: '0101',
    suggestions: { units: ids.map((id, i) => ({ unit_id: id, name: 'N' + id, score: 0.9 - i * 0.1 })) },
    assignments: returnedBy ? [{ unit_id: returnedBy, unit_name: 'R', state: 'returned', return_reason: '非本单位', ended_at: '2026-11-30T10:00:00+08:00', lead: true }] : [],
  })
  it('relays to a proposed district centre instead of falling to a weaker unit', () => {
    expect(quickPick(tk(['jn', 'gas']), units, 'hub')).toMatchObject({ unit_id: 'jn', mode: 'relay' })
    expect(quickPick(tk(['gas', 'jn']), units, 'hub')).toMatchObject({ unit_id: 'gas', mode: 'direct' })
  })
  it('never sends the order back to the unit that returned it', () => {
    expect(quickPick(tk(['gas', 'jn'], 'gas'), units, 'hub')).toMatchObject({ unit_id: 'jn' })
  })
  it('leaves the choice to the dialog when the best proposal cannot be sent', () => {
    expect(quickPick(tk(['elsewhere', 'gas']), units, 'hub')).toBeNull()
    expect(quickPick(tk(['old', 'gas']), units, 'hub')).toBeNull()
    expect(quickPick(tk(['hub', 'gas']), units, 'hub')).toBeNull()
    expect(quickPick(tk([]), units, 'hub')).toBeNull()
  })
  it('sends the directory\'s co-handlers with a direct dispatch, never by relay', () => {
    const t = tk(['gas'])
    t.suggestions.units[0].assisting = [{ unit_id: 'env', name: '生态环境局' }]
    const p = quickPick(t, units, 'hub')!
    expect(quickBody(p, 'dispatch')).toEqual({ unit_id: 'gas', mode: 'direct', assisting_unit_ids: ['env'] })
    expect(quickBody(p, 'redispatch')).toEqual({ unit_id: 'gas', mode: 'direct' })
    expect(quickLabel(p)).toBe('Ngas（协办 生态环境局）')
    // A co-handler this centre cannot send to directly (out of use, or a centre): the dialog
    // decides, not one click without it; a redispatch names no co-handler at all.
    t.suggestions.units[0].assisting = [{ unit_id: 'old', name: '停用单位' }]
    expect(quickPick(t, units, 'hub')).toBeNull()
    expect(quickPick(t, units, 'hub', false)).toMatchObject({ unit_id: 'gas', assisting: [] })
    t.suggestions.units[0].assisting = [{ unit_id: 'jn', name: '江南区分中心' }]
    expect(quickPick(t, units, 'hub')).toBeNull()
    const r = tk(['jn'])
    r.suggestions.units[0].assisting = [{ unit_id: 'gas', name: '燃气公司' }]
    expect(quickBody(quickPick(r, units, 'hub')!, 'dispatch')).toEqual({ unit_id: 'jn', mode: 'relay' })
  })
  it('sends co-handlers only when every one is a handling unit of this desk', () => {
    const find = (id: string) => units.find((u) => u.id === id)
    expect(coHandlersSendable([], find)).toBe(true)
    expect(coHandlersSendable(['gas', 'env'], find)).toBe(true)
    expect(coHandlersSendable(['gas', 'jn'], find)).toBe(false) // a centre relays, it co-handles nothing
    expect(coHandlersSendable(['gas', 'elsewhere'], find)).toBe(false)
  })
  it('leaves an unclassified ticket to the dialog and names a confident proposal', () => {
    const t = tk(['gas'])
    t.category_code = ''
    expect(quickPick(t, units, 'hub')).toBeNull()
    t.suggestions.category = { abstain: true, code: '0202', confidence: 0.3 }
    expect(quickPick(t, units, 'hub')).toBeNull()
    t.suggestions.category = { abstain: false, code: '0202', confidence: 0.97 }
    expect(quickBody(quickPick(t, units, 'hub')!, 'dispatch')).toEqual({ unit_id: 'gas', mode: 'direct', category_code: '0202' })
  })
})
