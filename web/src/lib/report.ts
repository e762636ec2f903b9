// 周报/月报/专报 (GET /reports/{kind}): the request a form makes, and how its changes read.
import { nextDay, percent, roundHalfUp } from './format'

export type ReportKind = 'weekly' | 'monthly' | 'special'
export const reportKindLabels: Record<ReportKind, string> = { weekly: '周报', monthly: '月报', special: '专报' }

export interface ReportUnit {
  unit_id: string; name: string; rank: number | null; score: number | null; dispatched: number; returned: number
  on_time_rate: number | null; satisfaction_rate: number | null; overdue_open: number
}
export interface Report {
  kind: ReportKind
  title: string
  scope: string
  period: { from: string; to: string; complete: boolean }
  previous: { from: string; to: string }
  generated_at: string
  summary: Record<string, number | null>
  categories: { code: string; name: string; count: number; prev: number; change: number | null }[]
  areas: { area_id: string; name: string; count: number }[]
  hotspots: { rank: number; description: string; place: string; tickets: number; callers: number; numbers: string[] }[]
  open: { total: number; overdue: number; yellow: number }
  red_list: ReportUnit[]
  ranked_units?: number
  board_places?: number
  black_list: ReportUnit[]
  alerts: { repeat_caller: number; duplicate_cluster: number; emergency: number }
  topic?: { code: string; name: string; tickets: number; subtopics: { terms: string[]; tickets: number; share: number }[] }
}

export interface ReportForm {
  kind: ReportKind
  day: string                       // weekly/monthly: a day of the period, YYYY-MM-DD ('' = the last complete one)
  range: [string, string] | null    // special: first and last day, YYYY-MM-DD
  category: string                  // special: the topic's category code
}

// The query of GET /reports/{kind}; a special report's last day is included (to = the next day).
// A week picked on the calendar arrives as its first day, Sunday or Monday by the date
// library's locale: the day after lies in the same Monday-to-Sunday week either way.
export function reportQuery(f: ReportForm): Record<string, string> {
  if (f.kind === 'weekly') return f.day ? { date: nextDay(f.day) } : {}
  if (f.kind !== 'special') return f.day ? { date: f.day } : {}
  const q: Record<string, string> = {}
  if (f.range) {
    q.from = f.range[0]
    q.to = nextDay(f.range[1])
  }
  if (f.category) q.category = f.category
  return q
}

export { nextDay }

// "+12.5%" / "-3.0%" / "—" (nothing before to compare with).
export function changeText(c: number | null | undefined): string {
  if (c === null || c === undefined || !Number.isFinite(c)) return '—'
  const text = roundHalfUp(c * 100)
  return (c > 0 && text !== '0.0' ? '+' : '') + text + '%'
}

// A rate against the period before: "92.0%（上期 90.5%，+1.5 个百分点）".
export function rateWithPrev(now: number | null | undefined, prev: number | null | undefined): string {
  if (now === null || now === undefined) return '—'
  if (prev === null || prev === undefined || !Number.isFinite(prev) || !Number.isFinite(now)) return percent(now)
  // From the rates as shown (87.2% and 87.4%: -0.2, not the unrounded -0.3), in tenths of a
  // point: percent() rounds half up (81.25 → 81.3), as the Markdown download does.
  const tenths = (v: number) => Math.round(Number(roundHalfUp(v * 100)) * 10)
  const pts = tenths(now) - tenths(prev)
  return `${percent(now)}（上期 ${percent(prev)}，${pts >= 0 ? '+' : '-'}${(Math.abs(pts) / 10).toFixed(1)} 个百分点）`
}

// What an empty 红榜/黑榜 says: nobody could be ranked, or too few to split into two lists.
// Whether a list holds fewer units than it could (the server's `places`): units tied across
// its cut were left off.
export function boardCutShort(listed: number, places: number | undefined): boolean {
  return listed < (places ?? 0)
}

// Units tied across a list's cut are left off it: a list may be empty with enough units.
export function emptyBoardText(ranked: number | undefined): string {
  if (!ranked) return '暂无可排名的单位（本期派单 3 件以上且已有答复或超期）'
  // (each list holds at most a third of the units ranked: three are needed for one on each)
  return ranked < 3 ? `可排名的单位仅 ${ranked} 个，不足以分列红黑榜` : '本榜暂缺：得分与榜单分界处并列的单位不列入'
}
