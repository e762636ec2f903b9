// The SLA policy (时限规则) editor's checks, matching src/sla/policy.cc.

export interface SlaRule {
  urgency?: string
  request_type?: string
  category_prefix?: string
  accept: string
  handle: string
}

export interface SlaPolicy {
  version?: number
  calendar: string
  warning_pct: number
  supervise_after: string
  callback: string
  reopen_cap: number
  rules: SlaRule[]
}

const durationRe = /^(\d+(?:\.\d+)?)(m|h|d|wd)$/

// null when `s` is a duration the server accepts (15m, 2h, 3d, 5wd; at most 365 days), else the reason.
export function checkDuration(s: string | undefined, allowZero = true): string | null {
  const m = durationRe.exec((s ?? '').trim())
  if (!m) return '格式应为数字加单位：m 分钟、h 小时、d 自然日、wd 工作日，如 5wd'
  const v = Number(m[1])
  const days = m[2] === 'm' ? v / 1440 : m[2] === 'h' ? v / 24 : v
  if (days > 365) return '不能超过 365 天'
  if (!allowZero && v === 0) return '必须大于零'
  return null
}

export function durationText(s: string | undefined): string {
  const m = durationRe.exec((s ?? '').trim())
  if (!m) return s ?? ''
  const unit = { m: '分钟', h: '小时', d: '天', wd: '个工作日' }[m[2]]
  return m[1] + unit
}

export const isCatchAll = (r: SlaRule) => !r.urgency && !r.request_type && !r.category_prefix

// Which rule sets a ticket's limits, as the server picks it (SlaPolicyDoc::Match): of the
// rules whose conditions all hold, the most specific — urgency outranks request type, which
// outranks a longer category prefix — and the first among equals.
export function ruleScore(r: SlaRule): number {
  return (r.urgency ? 1000 : 0) + (r.request_type ? 100 : 0) + (r.category_prefix?.length ?? 0) + 1
}
export function matchRule(rules: SlaRule[], t: { urgency: string; request_type: string; category_code: string }): number {
  let best = -1
  rules.forEach((r, i) => {
    if (r.urgency && r.urgency !== t.urgency) return
    if (r.request_type && r.request_type !== t.request_type) return
    if (r.category_prefix && !t.category_code.startsWith(r.category_prefix)) return
    if (best < 0 || ruleScore(r) > ruleScore(rules[best])) best = i
  })
  return best
}
// Rules that never take effect: an earlier rule has exactly the same conditions.
export function deadRules(rules: SlaRule[]): Set<number> {
  const seen = new Set<string>()
  const out = new Set<number>()
  rules.forEach((r, i) => {
    const key = [r.urgency ?? '', r.request_type ?? '', r.category_prefix ?? ''].join('|')
    if (seen.has(key)) out.add(i)
    seen.add(key)
  })
  return out
}

// Field → message for everything wrong with the policy; keys use the server's names
// ("rules[2].accept", "warning_pct", "rules").
export function validatePolicy(p: SlaPolicy): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!Number.isInteger(p.warning_pct) || p.warning_pct < 1 || p.warning_pct > 99) errors.warning_pct = '应为 1–99 的整数'
  if (!Number.isInteger(p.reopen_cap) || p.reopen_cap < 0 || p.reopen_cap > 10) errors.reopen_cap = '应为 0–10 的整数'
  for (const f of ['supervise_after', 'callback'] as const) {
    const e = checkDuration(p[f])
    if (e) errors[f] = e
  }
  if (p.rules.length === 0 || p.rules.length > 500) errors.rules = '需要 1–500 条规则'
  p.rules.forEach((r, i) => {
    const a = checkDuration(r.accept, false)
    if (a) errors[`rules[${i}].accept`] = a
    const h = checkDuration(r.handle, false)
    if (h) errors[`rules[${i}].handle`] = h
    if (r.category_prefix && !/^\d+$/.test(r.category_prefix)) errors[`rules[${i}].category_prefix`] = '应为分类编码（数字）'
  })
  if (p.rules.length && !p.rules.some(isCatchAll)) errors.rules = '需要一条不带条件的兜底规则（适用于其他所有工单）'
  return errors
}

// The body for PUT /sla-policies: empty conditions dropped, durations trimmed.
export function policyBody(p: SlaPolicy): SlaPolicy {
  return {
    calendar: p.calendar,
    warning_pct: p.warning_pct,
    supervise_after: p.supervise_after.trim(),
    callback: p.callback.trim(),
    reopen_cap: p.reopen_cap,
    rules: p.rules.map((r) => {
      const o: SlaRule = { accept: r.accept.trim(), handle: r.handle.trim() }
      if (r.urgency) o.urgency = r.urgency
      if (r.request_type) o.request_type = r.request_type
      if (r.category_prefix?.trim()) o.category_prefix = r.category_prefix.trim()
      return o
    }),
  }
}
