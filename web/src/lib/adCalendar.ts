// The working calendar (工作日历) editor: a year's holidays (放假) and adjusted working days
// (调休上班) as the API writes them ("2026-10-01..2026-10-07" ranges), expanded to single days
// for editing and folded back into ranges for saving. Dates are plain YYYY-MM-DD strings.

export interface CalendarYear {
  source?: string
  holidays: string[]
  workdays: string[]
}

export interface CalendarDoc {
  name: string
  in_force?: boolean
  missing_years?: number[]
  years: Record<string, CalendarYear>
}

export type DayKind = 'normal' | 'holiday' | 'workday'

const pad = (n: number) => String(n).padStart(2, '0')

// Calendar arithmetic in UTC so that the browser's time zone never shifts a day.
export function dayString(t: number): string {
  const d = new Date(t)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}
export function dayTime(s: string): number {
  const [y, m, d] = s.split('-').map(Number)
  return Date.UTC(y, m - 1, d)
}
export function isValidDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && dayString(dayTime(s)) === s
}
export function isWeekend(s: string): boolean {
  const w = new Date(dayTime(s)).getUTCDay()
  return w === 0 || w === 6
}

// ["2026-10-01..2026-10-03", "2026-12-31"] → the five single days, sorted.
export function expandDays(list: string[]): string[] {
  const out = new Set<string>()
  for (const item of list) {
    const [a, b] = item.split('..')
    if (!isValidDay(a) || (b !== undefined && !isValidDay(b))) continue
    const end = dayTime(b ?? a)
    for (let t = dayTime(a); t <= end; t += 86400000) out.add(dayString(t))
  }
  return [...out].sort()
}

// The inverse: consecutive days folded into ranges.
export function compressDays(days: Iterable<string>): string[] {
  const sorted = [...new Set(days)].filter(isValidDay).sort()
  const out: string[] = []
  let i = 0
  while (i < sorted.length) {
    let j = i
    while (j + 1 < sorted.length && dayTime(sorted[j + 1]) - dayTime(sorted[j]) === 86400000) j++
    out.push(i === j ? sorted[i] : `${sorted[i]}..${sorted[j]}`)
    i = j + 1
  }
  return out
}

// Click cycle of a day cell: normal → holiday → workday → normal.
export function nextKind(k: DayKind): DayKind {
  return k === 'normal' ? 'holiday' : k === 'holiday' ? 'workday' : 'normal'
}

// Whether a day is a working day under the year's adjustments.
export function isWorking(day: string, holidays: Set<string>, workdays: Set<string>): boolean {
  if (workdays.has(day)) return true
  if (holidays.has(day)) return false
  return !isWeekend(day)
}

// The weeks of a month (Monday first) as rows of 7 cells; null pads the ends.
export function monthGrid(year: number, month: number): (string | null)[][] {
  const first = Date.UTC(year, month - 1, 1)
  const lead = (new Date(first).getUTCDay() + 6) % 7
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const cells: (string | null)[] = Array(lead).fill(null)
  for (let d = 1; d <= days; d++) cells.push(`${year}-${pad(month)}-${pad(d)}`)
  while (cells.length % 7) cells.push(null)
  const rows: (string | null)[][] = []
  for (let i = 0; i < cells.length; i += 7) rows.push(cells.slice(i, i + 7))
  return rows
}

// Problems the server would refuse: days outside the year, a day both holiday and workday.
export function checkYear(year: number, holidays: string[], workdays: string[]): string | null {
  const y = String(year)
  const outside = [...holidays, ...workdays].find((d) => !d.startsWith(y + '-'))
  if (outside) return `${outside} 不在 ${year} 年内`
  const h = new Set(holidays)
  const both = workdays.find((d) => h.has(d))
  if (both) return `${both} 既是放假日又是调休上班日`
  return null
}
