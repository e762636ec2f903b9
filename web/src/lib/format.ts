// Times and durations as the screens show them (the server speaks ISO 8601 with the
// city's offset, e.g. 2026-11-28T21:37:42+08:00).

const pad = (n: number) => String(n).padStart(2, '0')

// "2026-11-28T21:37:42+08:00" → "11-28 21:37" (or with the year when it is not this year).
export function shortTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  if (!m) return iso
  const [, y, mo, d, h, mi] = m
  const head = y === cityDate(now).slice(0, 4) ? `${mo}-${d}` : `${y}-${mo}-${d}`
  return `${head} ${h}:${mi}`
}

export function fullTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso)
  return m ? `${m[1]} ${m[2]}` : iso
}

// Remaining clock time (working time on a working clock) as 剩余/超期 text.
export function remaining(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return ''
  const over = ms < 0
  let s = Math.floor(Math.abs(ms) / 1000)
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  const body = d > 0 ? `${d}天${h}小时` : h > 0 ? `${h}小时${m}分` : `${m}分钟`
  return over ? `超期${body}` : `剩余${body}`
}

// The colour class of a warning level: none / yellow / red.
export function warningType(level: string | undefined): 'success' | 'warning' | 'danger' | 'info' {
  if (level === 'red' || level === 'accept_overdue') return 'danger'
  if (level === 'yellow') return 'warning'
  if (level === 'none') return 'success'
  return 'info'
}

// Rounded half away from zero (四舍五入) on the decimal value, as the report's Markdown is:
// to nine decimals first, which takes off the binary noise of a division (41/80 × 100 is
// 51.2499999… in binary and is 51.25, so 51.3%, where toFixed would give 51.2%).
export function roundHalfUp(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '—'
  const [whole, frac] = Math.abs(v).toFixed(9).split('.')
  let units = Number(whole + frac.slice(0, digits))
  if (frac.charCodeAt(digits) >= 53) units += 1 // '5' or more
  const s = units.toString().padStart(digits + 1, '0')
  const text = digits > 0 ? s.slice(0, -digits) + '.' + s.slice(-digits) : s
  return (v < 0 && units > 0 ? '-' : '') + text
}

export function percent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—'
  return roundHalfUp(x * 100, digits) + '%'
}

// The city's zone (UTC+8, no daylight saving): the server speaks it, and the screens show
// the city's clock whatever zone the browser is set to.
export const CITY_OFFSET_MIN = 480

function cityWall(d: Date) {
  const c = new Date(d.getTime() + CITY_OFFSET_MIN * 60000)
  return { y: c.getUTCFullYear(), mo: c.getUTCMonth() + 1, d: c.getUTCDate(), h: c.getUTCHours(), mi: c.getUTCMinutes(), s: c.getUTCSeconds() }
}

// The city's calendar date at `d` as YYYY-MM-DD.
export function cityDate(d: Date = new Date()): string {
  const w = cityWall(d)
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}`
}

// Epoch milliseconds as the city's "YYYY-MM-DD HH:MM".
export function cityMinute(ms: number): string {
  const w = cityWall(new Date(ms))
  return `${w.y}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}`
}

// The city's clock at `d` as HH:MM:SS.
export function cityClock(d: Date): string {
  const w = cityWall(d)
  return `${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`
}

// The calendar day after YYYY-MM-DD.
export function nextDay(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10)
}

// A calendar day (a date picker's value: the day the user picked, in the browser's zone;
// or YYYY-MM-DD) as the start of that day in the city, or with `end` the start of the next
// (the API's periods run [from, to): the picked day's last second counts too).
export function cityDayIso(day: Date | string, end = false): string {
  let ymd = typeof day === 'string' ? day.slice(0, 10) : `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`
  if (end) ymd = nextDay(ymd)
  const sign = CITY_OFFSET_MIN >= 0 ? '+' : '-'
  const off = Math.abs(CITY_OFFSET_MIN)
  return `${ymd}T00:00:00${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
}

// Hides all but the last four digits of a phone number typed by the agent (display only;
// the server masks what it returns).
export function maskPhone(p: string): string {
  const digits = p.replace(/\s+/g, '')
  if (digits.length <= 4) return digits
  return digits.slice(0, 3) + '****' + digits.slice(-4)
}
