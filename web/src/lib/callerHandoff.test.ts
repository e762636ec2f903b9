import { describe, expect, it } from 'vitest'
import { handCallerTo, takeCallerFor } from './callerHandoff'

describe('caller handoff', () => {
  it('hands the caller on the line to one ticket, once, for a while', () => {
    handCallerTo('7', { phone: ' 13900005555 ', name: '周九' }, 1000)
    expect(takeCallerFor('8', 2000)).toBeNull()
    expect(takeCallerFor('7', 2000)).toEqual({ phone: '13900005555', name: '周九' })
    expect(takeCallerFor('7', 3000)).toBeNull()
    handCallerTo('7', { phone: '13900005555', name: '' }, 1000)
    expect(takeCallerFor('7', 1000 + 11 * 60 * 1000)).toBeNull()
    handCallerTo('7', { phone: '  ', name: '无号码' }, 1000)
    expect(takeCallerFor('7', 1000)).toBeNull()
  })
})
