import { describe, expect, it } from 'vitest'
import { checkDuration, deadRules, matchRule, validatePolicy, policyBody, durationText, type SlaPolicy } from './adSla'

const base = (): SlaPolicy => ({
  calendar: 'cn-mainland', warning_pct: 75, supervise_after: '1wd', callback: '1wd', reopen_cap: 2,
  rules: [{ urgency: 'emergency', accept: '15m', handle: '2h' }, { accept: '1wd', handle: '5wd' }],
})

describe('durations', () => {
  it('accepts the server formats', () => {
    for (const s of ['15m', '2h', '1d', '5wd', '0.5d']) expect(checkDuration(s)).toBeNull()
  })
  it('refuses others', () => {
    for (const s of ['', '5', '5 days', 'wd', '400d']) expect(checkDuration(s)).not.toBeNull()
    expect(checkDuration('0h', false)).not.toBeNull()
  })
  it('reads in Chinese', () => expect(durationText('5wd')).toBe('5个工作日'))
})

describe('validatePolicy', () => {
  it('passes the default policy', () => expect(validatePolicy(base())).toEqual({}))
  it('needs a catch-all rule', () => {
    const p = base()
    p.rules = [p.rules[0]]
    expect(validatePolicy(p).rules).toContain('兜底')
  })
  it('refuses a zero accept limit', () => {
    const p = base()
    p.rules[1].accept = '0wd'
    expect(Object.keys(validatePolicy(p))).toEqual(['rules[1].accept'])
  })
  it('names the bad cell', () => {
    const p = base()
    p.rules[1].handle = 'x'
    p.warning_pct = 100
    const e = validatePolicy(p)
    expect(Object.keys(e).sort()).toEqual(['rules[1].handle', 'warning_pct'])
  })
  it('drops empty conditions in the body', () => {
    const p = base()
    p.rules[1].urgency = ''
    p.rules[1].category_prefix = ' '
    expect(policyBody(p).rules[1]).toEqual({ accept: '1wd', handle: '5wd' })
  })
})

describe('which rule applies', () => {
  // As the server picks it: the most specific matching rule, whatever the order.
  const rules = [
    { accept: '1wd', handle: '5wd' },
    { category_prefix: '0101', accept: '2h', handle: '1wd' },
    { urgency: 'urgent', accept: '10m', handle: '3h' },
    { category_prefix: '010101', accept: '1h', handle: '2wd' },
    { category_prefix: '0101', accept: '4h', handle: '3wd' },
  ]
  it('picks the most specific, urgency first', () => {
    expect(matchRule(rules, { urgency: 'urgent', request_type: 'complaint', category_code: '010101' })).toBe(2)
    expect(matchRule(rules, { urgency: 'normal', request_type: 'complaint', category_code: '010101' })).toBe(3)
    expect(matchRule(rules, { urgency: 'normal', request_type: 'complaint', category_code: '010199' })).toBe(1)
    expect(matchRule(rules, { urgency: 'normal', request_type: 'complaint', category_code: '02' })).toBe(0)
  })
  it('marks only a repeat of an earlier rule as never applying', () => {
    expect([...deadRules(rules)]).toEqual([4])
  })
})
