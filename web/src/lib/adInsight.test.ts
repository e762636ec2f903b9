import { describe, expect, it } from 'vitest'
import { periodQuery, lastDaysRange, alertSummary, modelDataLabel, modelMethodLabel, modelVersionLabel, thresholdLabel } from './adInsight'

describe('insight helpers', () => {
  it('makes the end date exclusive', () => {
    expect(periodQuery(['2026-11-01', '2026-11-30'])).toEqual({ from: '2026-11-01', to: '2026-12-01' })
    expect(periodQuery(['2026-12-31', '2026-12-31'])).toEqual({ from: '2026-12-31', to: '2027-01-01' })
    expect(periodQuery(null)).toEqual({})
  })
  it('counts the last days inclusively', () => {
    expect(lastDaysRange(30, new Date(Date.UTC(2026, 10, 28, 4)))).toEqual(['2026-10-30', '2026-11-28'])
  })
  it('summarises alerts', () => {
    const base = { id: '1', severity: 'high', ticket_id: '2', created_at: '', updated_at: '' }
    expect(alertSummary({ ...base, kind: 'emergency', data: { number: 'N1', transfer: '119', hits: [{ phrase: '煤气味' }] } }))
      .toBe('工单 N1 疑似紧急事件，建议转119：煤气味')
    expect(alertSummary({ ...base, kind: 'duplicate_cluster', data: { count: 3, first: 'N0', numbers: [] } })).toContain('3 件')
    // A district centre gets no first report of another centre's: no dangling 首件.
    expect(alertSummary({ ...base, kind: 'duplicate_cluster', data: { count: 5, first: null, numbers: ['N3'] } }))
      .toBe('同一事项全市已有 5 件重复诉求')
    expect(alertSummary({ ...base, kind: 'repeat_caller', data: { phone: '139****0000', count: 4, window_days: 30, escalating: true, tones: ['calm', 'angry'] } }))
      .toBe('139****0000 30 天内来电 4 次，情绪/诉求升级（平静→愤怒）')
  })
  it('describes models in Chinese', () => {
    expect(modelDataLabel("the platform's history: 463 closed tickets, label category")).toBe('本平台已办结工单 463 件（标注：诉求分类）')
    expect(modelDataLabel('shared/data/teddy2020c (9,176 rows)')).toBe('shared/data/teddy2020c (9,176 rows)')
    expect(modelMethodLabel('5-fold cross-validation, grouped by normalised text')).toContain('5 折交叉验证')
    expect(modelVersionLabel('2026-11-30T10:32:15+08:00/ec5358e14608')).toBe('2026-11-30 10:32 · ec5358e1')
  })
  it('never rounds a threshold up to 1', () => {
    expect(thresholdLabel(0.9999998660752316)).toBe('0.999999')
    expect(thresholdLabel(0.4567)).toBe('0.45')
    expect(thresholdLabel(0.9951)).toBe('0.995')
    expect(thresholdLabel(1)).toBe('1.00')
    expect(thresholdLabel(undefined)).toBe('—')
  })
})
