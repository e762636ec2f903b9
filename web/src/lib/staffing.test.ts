import { describe, expect, it } from 'vitest'
import {
  cellShade, defaultStaffingForm, hourLabel, pooledSaving, staffingGrid, staffingQuery, type StaffingHour, type StaffingPlan,
} from './staffing'

function hour(weekday: number, h: number, agents: number): StaffingHour {
  return {
    weekday, hour: h, calls_per_hour: agents * 10, peak_calls_per_hour: agents * 12, traffic_erlangs: agents * 0.8,
    agents, staff: Math.ceil(agents / 0.7), service_level: 0.85, asa_s: 5, abandon_rate: 0, occupancy: 0.8,
    agents_at_peak: agents + 1, staff_at_peak: Math.ceil((agents + 1) / 0.7),
  }
}

describe('staffing', () => {
  it('asks with fractions where the form holds percentages', () => {
    expect(staffingQuery(defaultStaffingForm())).toEqual({
      weeks: '4', aht: '300', answer_within: '20', service_level: '0.8', max_occupancy: '0.85', shrinkage: '0.3',
      min_agents: '1', channel: 'phone',
    })
    const every = { ...defaultStaffingForm(), channels: [] as string[], weeks: 2 }
    expect(staffingQuery(every).channel).toBeUndefined()
    expect(staffingQuery({ ...every, channels: ['phone', 'web'] }).channel).toBe('phone,web')
    // Callers who hang up: Erlang A with its abandonment cap; without patience neither is sent.
    expect(staffingQuery({ ...every, patience: 60, maxAbandonPct: 3 })).toMatchObject({ patience: '60', max_abandon: '0.03' })
    expect(staffingQuery(every).max_abandon).toBeUndefined()
  })
  it('lays the week out as hours by weekdays', () => {
    const hours: StaffingHour[] = []
    for (let d = 1; d <= 7; d++) for (let h = 0; h < 24; h++) hours.push(hour(d, h, d === 2 && h === 9 ? 5 : 1))
    const plan = { hours } as StaffingPlan
    const grid = staffingGrid(plan)
    expect(grid).toHaveLength(24)
    expect(grid[9].cells).toHaveLength(7)
    expect(grid[9].cells[1].agents).toBe(5)
    expect(grid[9].cells[0].weekday).toBe(1)
    expect(grid[23].cells[6]).toMatchObject({ weekday: 7, hour: 23 })
  })
  it('shades by load against the most', () => {
    expect(cellShade(0, 10)).toBe('transparent')
    expect(cellShade(10, 10)).toBe('rgba(64, 158, 255, 0.80)')
    expect(cellShade(5, 10)).toBe('rgba(64, 158, 255, 0.46)')
    expect(cellShade(3, 0)).toBe('transparent')
    expect(hourLabel(7)).toBe('07:00')
  })
  it('tells the share of agent hours pooling the centres saves', () => {
    const pooling = (separate: number, pooled: number) => ({
      pooling: { separate_agent_hours_per_week: separate, pooled_agent_hours_per_week: pooled, saved_agent_hours_per_week: separate - pooled },
    }) as StaffingPlan
    expect(pooledSaving(pooling(400, 300))).toBe(0.25)
    expect(pooledSaving(pooling(168, 168))).toBe(0)
    expect(pooledSaving(pooling(0, 0))).toBe(0)
  })
})
