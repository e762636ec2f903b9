// Times and durations as the screens show them (the server speaks ISO 8601 with the
// city's offset, e.g. 2026-11-28T21:37:42+08:00).

const pad = (n: number) => String(n).padStart(2, '0')

// "2026-11-28T21:37:42+08:00" → "11-28 21:37" (or with the year when it is not this year).
export function shortTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  if (!m) return iso
  const [, y, mo, d, h, mi] = m
  const head = Number(y) === now.getFullYear() ? `${mo}-${d}` : `${y}-${mo}-${d}`
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
  if (level === 'red') return 'danger'
  if (level === 'yellow') return 'warning'
  if (level === 'none') return 'success'
  return 'info'
}

export function percent(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—'
  return (x * 100).toFixed(digits) + '%'
}

// Local date as YYYY-MM-DD (for from/to parameters).
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

// Hides all but the last four digits of a phone number typed by the agent (display only;
// the server masks what it returns).
export function maskPhone(p: string): string {
  const digits = p.replace(/\s+/g, '')
  if (digits.length <= 4) return digits
  return digits.slice(0, 3) + '****' + digits.slice(-4)
}
