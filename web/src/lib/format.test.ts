import { describe, expect, it } from 'vitest'
import { cityClock, cityDate, cityDayIso, cityMinute, fullTime, maskPhone, percent, remaining, shortTime, warningType } from './format'

describe('format', () => {
  it('shows remaining and overdue clock time', () => {
    expect(remaining(90 * 60 * 1000)).toBe('剩余1小时30分')
    expect(remaining(-(2 * 86400 + 3 * 3600) * 1000)).toBe('超期2天3小时')
    expect(remaining(59 * 1000)).toBe('剩余0分钟')
    expect(remaining(undefined)).toBe('')
  })
  it('shortens ISO times, keeping the year only when it differs', () => {
    const now = new Date(2026, 10, 28)
    expect(shortTime('2026-11-28T21:37:42+08:00', now)).toBe('11-28 21:37')
    expect(shortTime('2025-01-02T08:05:00+08:00', now)).toBe('2025-01-02 08:05')
    expect(shortTime('', now)).toBe('')
    expect(fullTime('2026-11-28T21:37:42+08:00')).toBe('2026-11-28 21:37:42')
  })
  it('maps warning levels and rates', () => {
    expect(warningType('red')).toBe('danger')
    expect(warningType('yellow')).toBe('warning')
    expect(warningType('none')).toBe('success')
    expect(percent(0.9614)).toBe('96.1%')
    expect(percent(null)).toBe('—')
    // Half up on the decimal value, not on the division's binary noise (as the Markdown).
    expect(percent(41 / 80)).toBe('51.3%')
    expect(percent(23 / 80)).toBe('28.8%')
    expect(percent(29 / 400)).toBe('7.3%')
    expect(percent(13 / 16)).toBe('81.3%')
    expect(percent(0.51249)).toBe('51.2%')
    expect(percent(1)).toBe('100.0%')
    expect(percent(0)).toBe('0.0%')
    expect(percent(0.0004)).toBe('0.0%')
    expect(percent(0.5, 0)).toBe('50%')
    expect(percent(Infinity)).toBe('—')
  })
  it('masks a typed phone number', () => {
    expect(maskPhone('13912345678')).toBe('139****5678')
    expect(maskPhone('1234')).toBe('1234')
  })
})

describe('the city clock', () => {
  // 2026-11-28T17:30:05Z is 2026-11-29 01:30:05 in the city (UTC+8), whatever the browser's zone.
  const at = Date.UTC(2026, 10, 28, 17, 30, 5)
  it('shows times and dates on the city clock', () => {
    expect(cityMinute(at)).toBe('2026-11-29 01:30')
    expect(cityClock(new Date(at))).toBe('01:30:05')
    expect(cityDate(new Date(at))).toBe('2026-11-29')
  })
  it('turns a picked day into the city day it means', () => {
    expect(cityDayIso(new Date(2026, 10, 28, 0, 0, 0))).toBe('2026-11-28T00:00:00+08:00')
    // The end of a picked period is the next day's start: periods run [from, to).
    expect(cityDayIso('2026-11-28', true)).toBe('2026-11-29T00:00:00+08:00')
    expect(cityDayIso('2026-12-31', true)).toBe('2027-01-01T00:00:00+08:00')
    expect(cityDayIso('2028-02-28', true)).toBe('2028-02-29T00:00:00+08:00')
  })
})
