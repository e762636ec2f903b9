// 坐席测算 (GET /stats/staffing): the query a form makes and how the week's plan reads as a
// grid of hours (rows) by weekdays (columns).

export interface StaffingHour {
  weekday: number; hour: number; calls_per_hour: number; peak_calls_per_hour: number; traffic_erlangs: number
  agents: number; staff: number; service_level: number; asa_s: number; abandon_rate: number; occupancy: number
  agents_at_peak: number; staff_at_peak: number
}
export interface StaffingPlan {
  from: string; to: string; weeks: number; channels: string[]; contacts: number
  target: { aht_s: number; answer_within_s: number; service_level: number; max_occupancy: number; shrinkage: number; min_agents: number
    patience_s: number; max_abandon: number }
  hours: StaffingHour[]
  summary: {
    busiest: { weekday: number; hour: number; calls_per_hour: number } | null  // null: no contacts
    max_agents_at_peak: number; max_staff_at_peak: number
    agent_hours_per_week: number; staff_hours_per_week: number; agent_hours_per_week_at_peak: number
  }
  // Each centre staffed for its own lines alone (the busiest first), against all of them as
  // one pool (多援一: any free agent answers any centre's line).
  centres: StaffingCentre[]
  pooling: {
    centres: number
    separate_agent_hours_per_week: number; pooled_agent_hours_per_week: number; saved_agent_hours_per_week: number
    separate_staff_hours_per_week: number; pooled_staff_hours_per_week: number
    separate_max_agents_at_peak: number; pooled_max_agents_at_peak: number
  }
}
export interface StaffingCentre {
  unit_id: string | null; name: string | null; contacts: number  // null: tickets taken in outside any centre
  busiest: { weekday: number; hour: number; calls_per_hour: number } | null
  max_agents_at_peak: number; agent_hours_per_week: number; staff_hours_per_week: number
}

// The share of agent hours pooling saves against each centre staffed alone (0 when nothing is).
export function pooledSaving(plan: StaffingPlan): number {
  const p = plan.pooling
  return p.separate_agent_hours_per_week > 0 ? p.saved_agent_hours_per_week / p.separate_agent_hours_per_week : 0
}

// The form keeps percentages as the planner types them (80, not 0.8).
export interface StaffingForm {
  weeks: number
  channels: string[]
  aht: number            // seconds
  answerWithin: number   // seconds
  serviceLevelPct: number
  maxOccupancyPct: number
  shrinkagePct: number
  minAgents: number
  patience: number       // callers' mean patience, seconds; 0: nobody hangs up (Erlang C)
  maxAbandonPct: number  // with patience: at most this share hangs up
}

export function defaultStaffingForm(): StaffingForm {
  return { weeks: 4, channels: ['phone'], aht: 300, answerWithin: 20, serviceLevelPct: 80, maxOccupancyPct: 85, shrinkagePct: 30, minAgents: 1,
    patience: 0, maxAbandonPct: 5 }
}

export function staffingQuery(f: StaffingForm): Record<string, string> {
  const q: Record<string, string> = {
    weeks: String(f.weeks), aht: String(f.aht), answer_within: String(f.answerWithin),
    service_level: String(f.serviceLevelPct / 100), max_occupancy: String(f.maxOccupancyPct / 100),
    shrinkage: String(f.shrinkagePct / 100), min_agents: String(f.minAgents),
  }
  if (f.channels.length) q.channel = f.channels.join(',')
  if (f.patience > 0) {  // Erlang A: callers hang up after waiting about this long
    q.patience = String(f.patience)
    q.max_abandon = String(f.maxAbandonPct / 100)
  }
  return q
}

export const weekdayLabels = ['周一', '周二', '周三', '周四', '周五', '周六', '周日']

// One row per hour of the day, one cell per weekday (the API lists Monday 0:00 first).
export function staffingGrid(plan: StaffingPlan): { hour: number; cells: StaffingHour[] }[] {
  const rows: { hour: number; cells: StaffingHour[] }[] = []
  for (let h = 0; h < 24; h++) rows.push({ hour: h, cells: [] })
  for (const cell of plan.hours) {
    if (cell.hour >= 0 && cell.hour < 24 && cell.weekday >= 1 && cell.weekday <= 7) rows[cell.hour].cells[cell.weekday - 1] = cell
  }
  return rows
}

// A cell's shade: none for nothing, deepening with its value (the load) against the week's most.
export function cellShade(value: number, most: number): string {
  if (value <= 0 || most <= 0) return 'transparent'
  const share = Math.min(1, value / most)
  return `rgba(64, 158, 255, ${(0.12 + 0.68 * share).toFixed(2)})`
}

export function hourLabel(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`
}
