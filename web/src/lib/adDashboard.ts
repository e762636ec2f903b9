// Pure helpers of the dashboard (数据看板): the overview's shape (its 红榜 / 黑榜 come from
// the server, as the reports', so the two never disagree) and the ECharts options (plain objects; echarts itself loads in Chart.vue).

export interface OverviewUnit {
  unit_id: string
  name: string
  dispatched: number
  replied: number
  returned: number
  on_time_rate: number | null
  satisfaction_rate: number | null
  overdue_open: number
  score: number | null
  rank: number | null // null: not judged (no score, or fewer than 3 orders)
}

export interface Overview {
  now: string
  today: string
  period: { from: string; to: string }
  intake_today: { total: number; by_channel: { channel: string; count: number }[]; by_hour: number[] }
  open: { total: number; overdue: number; yellow: number; by_status: { status: string; label: string; count: number }[] }
  categories: { code: string; name: string; count: number }[]
  areas: { area_id: string; name: string; count: number }[]
  rates: {
    created: number
    closed: number
    rated: number
    satisfied?: number
    on_time?: number
    on_time_base?: number
    answered_directly?: number
    completion_rate: number | null
    on_time_rate: number | null
    satisfaction_rate: number | null
    direct_answer_rate: number | null
  }
  // 红榜 best first, 黑榜 worst first, by the reports' rule (UnitBoard in report.cc).
  board: { red: OverviewUnit[]; black: OverviewUnit[]; judged?: number; places?: number }
  units: OverviewUnit[]
}

// The period [from, to) of the last `days` days ending now, as ISO strings for the API.
export function lastDays(days: number, now: Date = new Date()): { from: string; to: string } {
  const from = new Date(now.getTime() - days * 86400000)
  return { from: from.toISOString(), to: now.toISOString() }
}

// The 24 hourly counts padded/truncated to exactly 24 values.
export function hours24(byHour: number[] | undefined): number[] {
  const out = new Array<number>(24).fill(0)
  for (let i = 0; i < 24 && byHour && i < byHour.length; i++) out[i] = Number(byHour[i]) || 0
  return out
}

const palette = ['#1d4ed8', '#10b981', '#f59e0b', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b']

export function pieOption(data: { name: string; value: number }[]): Record<string, unknown> {
  return {
    color: palette,
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
    series: [{ type: 'pie', radius: ['40%', '70%'], center: ['38%', '50%'], data, label: { formatter: '{b}\n{c}' } }],
  }
}

export function hourLineOption(byHour: number[], name = '受理量'): Record<string, unknown> {
  return {
    color: palette,
    tooltip: { trigger: 'axis' },
    grid: { left: 36, right: 16, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, h) => `${h}时`), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name, type: 'line', smooth: true, areaStyle: { opacity: 0.15 }, data: hours24(byHour) }],
  }
}

// A bar chart; horizontal bars list the largest first from the top.
// A category name in lines of at most `per` characters (code points, not UTF-16 units).
export function wrapLabel(name: string, per = 4): string {
  const chars = [...name]
  const lines: string[] = []
  for (let i = 0; i < chars.length; i += per) lines.push(chars.slice(i, i + per).join(''))
  return lines.join('\n')
}

export function barOption(
  data: { name: string; value: number }[],
  opts: { horizontal?: boolean; name?: string; color?: string } = {},
): Record<string, unknown> {
  const names = data.map((d) => d.name)
  const values = data.map((d) => d.value)
  // Beside a horizontal bar a name has 110 px; under a vertical one it shares the card's width
  // with the others, so it wraps every four characters (已反馈待审核 → 已反馈待 / 审核)
  // instead of running into its neighbours.
  const cat = {
    type: 'category',
    data: opts.horizontal ? [...names].reverse() : names,
    axisLabel: opts.horizontal ? { interval: 0, width: 110, overflow: 'truncate' } : { interval: 0, formatter: (name: string) => wrapLabel(name) },
  }
  const val = { type: 'value', minInterval: 1 }
  return {
    color: [opts.color ?? palette[0]],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: opts.horizontal ? 120 : 36, right: 24, top: 16, bottom: opts.horizontal ? 28 : 44, containLabel: false },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? cat : val,
    series: [{
      name: opts.name ?? '数量', type: 'bar', barMaxWidth: 28,
      data: opts.horizontal ? [...values].reverse() : values,
      label: { show: true, position: opts.horizontal ? 'right' : 'top' },
    }],
  }
}
