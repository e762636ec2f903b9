import { describe, expect, it } from 'vitest'
import { expandDays, compressDays, monthGrid, checkYear, isWorking, nextKind, isWeekend } from './adCalendar'

describe('calendar days', () => {
  it('expands ranges and folds them back', () => {
    const list = ['2026-01-01..2026-01-03', '2026-02-15..2026-02-23', '2026-12-31']
    const days = expandDays(list)
    expect(days).toHaveLength(3 + 9 + 1)
    expect(compressDays(days)).toEqual(list)
  })
  it('folds across month ends and drops duplicates', () => {
    expect(compressDays(['2026-03-01', '2026-02-28', '2026-02-28'])).toEqual(['2026-02-28..2026-03-01'])
  })
  it('ignores invalid dates', () => {
    expect(expandDays(['2026-02-30', 'x'])).toEqual([])
  })
  it('lays out a month Monday first', () => {
    const g = monthGrid(2026, 11) // 2026-11-01 is a Sunday
    expect(g[0].slice(0, 6).every((c) => c === null)).toBe(true)
    expect(g[0][6]).toBe('2026-11-01')
    expect(g.flat().filter(Boolean)).toHaveLength(30)
  })
  it('checks a year', () => {
    expect(checkYear(2026, ['2026-10-01'], ['2026-10-10'])).toBeNull()
    expect(checkYear(2026, ['2027-01-01'], [])).toContain('不在')
    expect(checkYear(2026, ['2026-10-01'], ['2026-10-01'])).toContain('既是')
  })
  it('knows working days', () => {
    expect(isWeekend('2026-11-28')).toBe(true)
    expect(isWorking('2026-10-10', new Set(), new Set(['2026-10-10']))).toBe(true)
    expect(isWorking('2026-10-01', new Set(['2026-10-01']), new Set())).toBe(false)
    expect(nextKind('normal')).toBe('holiday')
    expect(nextKind('workday')).toBe('normal')
  })
})
