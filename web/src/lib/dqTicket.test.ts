import { describe, expect, it } from 'vitest'
import { actionFailure, byteLength, categoryCell, defaultUnit, staleRowMessage, excerpt, lastReturn, remainingFor, returningUnits, scoreText, STALE_FORM_MESSAGE, suggestedCategory, suggestedUnits, unitAssignment, warningFor } from './dqTicket'
import { ApiError, describeError } from './api'

const a = (o: any) => ({ unit_id: 'u1', unit_name: '甲', lead: true, state: 'pending', dispatched_at: '2026-11-28T10:00:00+08:00', ended_at: '', ...o })

describe('dqTicket', () => {
  it('excerpts by characters', () => {
    expect(excerpt('一二三四五', 3)).toBe('一二三…')
    expect(excerpt(' a\n b ', 10)).toBe('a b')
    expect(excerpt(null)).toBe('')
  })
  it('reads suggestions', () => {
    const t: any = { suggestions: { category: { code: '0504', name: '校外培训', confidence: 0.9 }, units: [{ unit_id: '9', name: '教育局', score: 0.996 }] } }
    expect(suggestedUnits(t)[0].name).toBe('教育局')
    expect(suggestedCategory(t)).toEqual({ code: '0504', name: '校外培训', confidence: 0.9 })
    expect(suggestedCategory({ suggestions: { category: { abstain: true, code: '01' } } } as any)).toBeNull()
    // The list shows the ticket's own category first, the proposal only without one.
    const names = new Map([['0706', '噪声污染']])
    expect(categoryCell({ ...t, category_code: '0706' } as any, names)).toEqual({ name: '噪声污染', hint: '已分类' })
    expect(categoryCell({ ...t, category_code: '' } as any, names)).toEqual({ name: '校外培训', hint: '建议 · 置信度 90.0%' })
    expect(categoryCell({ category_code: '', suggestions: {} } as any, names)).toBeNull()
    expect(suggestedUnits({} as any)).toEqual([])
    expect(scoreText(0.996)).toBe('99.6%')
    expect(scoreText(1e-170)).toBe('<0.1%')
  })
  it('finds the latest return', () => {
    const t: any = { assignments: [a({ state: 'returned', ended_at: '2026-11-28T11:00:00+08:00', return_reason: '旧' }),
      a({ unit_id: 'u2', unit_name: '乙', state: 'returned', ended_at: '2026-11-28T12:00:00+08:00', return_reason: '新' })] }
    expect(lastReturn(t)).toMatchObject({ unit_id: 'u2', reason: '新' })
    expect(lastReturn({ assignments: [] } as any)).toBeNull()
  })
  it('picks the live assignment of a unit and its clock', () => {
    const t: any = {
      remaining_ms: 5, overdue: false, warning_level: 'none',
      assignments: [a({ state: 'superseded', remaining_ms: 1 }), a({ state: 'accepted', dispatched_at: '2026-11-28T09:00:00+08:00', remaining_ms: -60000, warning_level: 'red' }),
        a({ unit_id: 'u2', state: 'pending', remaining_ms: 99, accept_due_at: '2026-11-30T09:00:00+08:00', accept_remaining_ms: 7200000 })],
    }
    expect(unitAssignment(t, 'u1')?.state).toBe('accepted')
    expect(remainingFor(t, 'u1')).toBe(-60000)
    expect(warningFor(t, 'u1')).toBe('red')
    expect(remainingFor(t, 'nobody')).toBe(5)
    // A pending order shows the working time left to sign, as the server counts it.
    expect(remainingFor(t, 'u2', Date.parse('2026-11-28T09:00:00+08:00'))).toBe(7200000)
    expect(unitAssignment(t, '')).toBeNull()
    // Not signed for in time: 签收超时, as its time reads, though the handling clock is fine;
    // red once the handling deadline has passed too.
    const late: any = { overdue: false, warning_level: 'none',
      assignments: [a({ unit_id: 'u3', state: 'pending', warning_level: 'none', accept_remaining_ms: -45780000 })] }
    expect(warningFor(late, 'u3')).toBe('accept_overdue')
    expect(warningFor({ ...late, assignments: [{ ...late.assignments[0], warning_level: 'red' }] }, 'u3')).toBe('red')
    expect(warningFor({ ...late, assignments: [{ ...late.assignments[0], warning_level: 'yellow', remaining_ms: -1 }] }, 'u3')).toBe('red')
    expect(warningFor({ ...late, assignments: [{ ...late.assignments[0], accept_remaining_ms: 60000 }] }, 'u3')).toBe('none')
  })
  it('starts a re-dispatch with a confident proposal that has not returned the ticket', () => {
    const sug = (units: any[]) => ({ units })
    const t: any = {
      suggestions: sug([{ unit_id: 'u1', name: 'A', score: 0.7 }, { unit_id: 'u2', name: 'B', score: 0.25 }, { unit_id: 'u3', name: 'C', score: 0.02 }]),
      assignments: [a({ unit_id: 'u1', state: 'superseded', return_reason: '非本单位职责' })],
    }
    const known = () => true
    expect([...returningUnits(t)]).toEqual(['u1'])
    expect(defaultUnit(t, known)).toBe('u2')
    t.assignments.push(a({ unit_id: 'u2', state: 'returned', return_reason: '也不是' }))
    expect(defaultUnit(t, known)).toBe('') // only a 2 % guess is left: the dispatcher chooses
    expect(defaultUnit({ suggestions: sug([{ unit_id: 'u9', name: 'Z', score: 0.9 }]), assignments: [] } as any, (id) => id !== 'u9')).toBe('')
  })
  it('says what became of a row someone else acted on', () => {
    expect(staleRowMessage('202612010001')).toContain('请确认后重试')
    expect(staleRowMessage('202612010001', { status_label: '已派单' }, false)).toBe('202612010001 已由他人处理（现为「已派单」），已移出列表')
    expect(staleRowMessage('202612010001', { status_label: '待派单' }, true)).toContain('请确认后重试')
  })
  it('counts UTF-8 bytes', () => {
    expect(byteLength('中a')).toBe(4)
  })
})

describe('actionFailure', () => {
  it('reads a stale version as stale, whatever the form', () => {
    const f = actionFailure(new ApiError(409, 'stale_version', 'ticket changed', undefined), ['reason'])
    expect(f).toEqual({ stale: true, message: STALE_FORM_MESSAGE })
  })
  it('puts a named field under the form field, index stripped, and anything else on the form', () => {
    const e = new ApiError(400, 'invalid_argument', 'assisting_unit_ids[0]: no unit with id 9', 'assisting_unit_ids[0]')
    expect(actionFailure(e, ['assisting_unit_ids'])).toEqual({ stale: false, field: 'assisting_unit_ids', message: describeError(e) })
    expect(actionFailure(e, ['reason'])).toEqual({ stale: false, message: describeError(e) })
    expect(actionFailure(new ApiError(403, 'permission_denied', 'no', undefined)).field).toBeUndefined()
  })
})
