import { describe, expect, it } from 'vitest'
import { splitRanking, hours24, barOption, wrapLabel, type OverviewUnit } from './adDashboard'

const u = (name: string, score: number | null): OverviewUnit => ({
  unit_id: name, name, dispatched: 3, replied: 1, returned: 0, on_time_rate: null, satisfaction_rate: null,
  overdue_open: 0, score, rank: 0,
})

describe('splitRanking', () => {
  it('takes the best n and the worst n, worst first', () => {
    const units = [90, 80, 70, 60, 50, 40, 30].map((s) => u('u' + s, s))
    const { red, black } = splitRanking(units, 3)
    expect(red.map((x) => x.score)).toEqual([90, 80, 70])
    expect(black.map((x) => x.score)).toEqual([30, 40, 50])
  })
  it('never puts one unit on both lists and skips unscored units', () => {
    const { red, black } = splitRanking([u('a', 90), u('b', 50), u('c', 10), u('d', null)], 5)
    expect(red.map((x) => x.name)).toEqual(['a'])
    expect(black.map((x) => x.name)).toEqual(['c'])
    // Fewer than three orders in the period: on neither list, as in the reports.
    const few = { ...u('e', 99), dispatched: 2 }
    expect(splitRanking([few, u('a', 90), u('c', 10)], 5)).toEqual({ red: [u('a', 90)], black: [u('c', 10)] })
  })
  it('handles empty lists', () => {
    expect(splitRanking([], 5)).toEqual({ red: [], black: [] })
    expect(splitRanking([u('a', 1)], 5)).toEqual({ red: [], black: [] })
  })
})

describe('helpers', () => {
  it('pads hourly counts to 24', () => {
    expect(hours24([1, 2])).toHaveLength(24)
    expect(hours24(undefined).every((x) => x === 0)).toBe(true)
  })
  it('lists horizontal bars largest on top', () => {
    const o: any = barOption([{ name: 'a', value: 3 }, { name: 'b', value: 1 }], { horizontal: true })
    expect(o.yAxis.data).toEqual(['b', 'a'])
    expect(o.series[0].data).toEqual([1, 3])
  })
})

describe('wrapLabel', () => {
  it('wraps long names so neighbours do not run together', () => {
    expect(wrapLabel('已反馈待审核')).toBe('已反馈待\n审核')
    expect(wrapLabel('已受理')).toBe('已受理')
    // ECharts calls a formatter as (value, index): the index must not become the width.
    const option = barOption([{ name: '已反馈待审核', value: 1 }]) as { xAxis: { axisLabel: { formatter: (v: string, i: number) => string } } }
    expect(option.xAxis.axisLabel.formatter('已反馈待审核', 0)).toBe('已反馈待\n审核')
    expect(option.xAxis.axisLabel.formatter('已反馈待审核', 1)).toBe('已反馈待\n审核')
    expect((barOption([{ name: '已反馈待审核', value: 1 }]) as any).xAxis.axisLabel.formatter('已反馈待审核')).toBe('已反馈待\n审核')
  })
})
