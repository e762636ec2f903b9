import { describe, expect, it } from 'vitest'
import { boardCutShort, changeText, emptyBoardText, nextDay, rateWithPrev, reportQuery } from './report'

describe('report', () => {
  it('asks for the period the form names', () => {
    expect(reportQuery({ kind: 'weekly', day: '', range: null, category: 'x' })).toEqual({})
    // The picker's week starts on Sunday 11-22 or Monday 11-23: both name the week of Monday 11-23.
    expect(reportQuery({ kind: 'weekly', day: '2026-11-22', range: null, category: '' })).toEqual({ date: '2026-11-23' })
    expect(reportQuery({ kind: 'weekly', day: '2026-11-23', range: null, category: '' })).toEqual({ date: '2026-11-24' })
    expect(reportQuery({ kind: 'monthly', day: '2026-10-15', range: null, category: '' })).toEqual({ date: '2026-10-15' })
    expect(reportQuery({ kind: 'special', day: '2026-10-15', range: ['2026-10-01', '2026-10-31'], category: '0102' }))
      .toEqual({ from: '2026-10-01', to: '2026-11-01', category: '0102' })
    expect(reportQuery({ kind: 'special', day: '', range: null, category: '' })).toEqual({})
  })
  it('counts days across months and years', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01')
    expect(nextDay('2028-02-28')).toBe('2028-02-29')
  })
  it('reads changes', () => {
    expect(changeText(0.125)).toBe('+12.5%')
    expect(changeText(-0.03)).toBe('-3.0%')
    expect(changeText(0)).toBe('0.0%')
    expect(changeText(null)).toBe('—')
    expect(rateWithPrev(0.92, 0.905)).toBe('92.0%（上期 90.5%，+1.5 个百分点）')
    expect(rateWithPrev(0.8, 0.9)).toBe('80.0%（上期 90.0%，-10.0 个百分点）')
    expect(rateWithPrev(0.8, Infinity)).toBe('80.0%')
    expect(rateWithPrev(0.8716, 0.8744)).toBe('87.2%（上期 87.4%，-0.2 个百分点）')
    expect(emptyBoardText(1)).toContain('仅 1 个')
    expect(emptyBoardText(2)).toContain('仅 2 个')
    // 81.25 % is shown 81.3 %, as the Markdown prints it; the points are those of the rates shown.
    expect(rateWithPrev(0.8125, 1)).toBe('81.3%（上期 100.0%，-18.7 个百分点）')
    expect(rateWithPrev(0.5, 0.5)).toBe('50.0%（上期 50.0%，+0.0 个百分点）')
    expect(emptyBoardText(0)).toContain('暂无可排名')
    expect(emptyBoardText(4)).toContain('并列')
    expect(boardCutShort(2, 3)).toBe(true)
    expect(boardCutShort(3, 3)).toBe(false)
    expect(boardCutShort(5, 5)).toBe(false)
    expect(boardCutShort(0, undefined)).toBe(false)
    expect(rateWithPrev(0.8, null)).toBe('80.0%')
    expect(rateWithPrev(null, 0.5)).toBe('—')
  })
})
