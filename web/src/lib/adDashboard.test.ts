import { describe, expect, it } from 'vitest'
import { hours24, barOption, wrapLabel } from './adDashboard'

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
