import { describe, expect, it } from 'vitest'
import { checkProof, checkSubmit, isPhone, normaliseCode, proofQuery, publicError, submitBody, toHalfWidth } from './rcPortal'

describe('portal checks', () => {
  it('normalises what the IME types', () => {
    expect(toHalfWidth('１３８')).toBe('138')
    expect(normaliseCode(' df4f wgrq ')).toBe('DF4FWGRQ')
    expect(isPhone('138 0013 8000')).toBe(true)
    expect(isPhone('0571-88886666')).toBe(true)
    expect(isPhone('12345')).toBe(false)
    expect(isPhone('000000000000')).toBe(false)
    expect(isPhone('01234567890')).toBe(false)
    expect(isPhone('010-12345678')).toBe(true)
    expect(isPhone('+86 139 1234 5678')).toBe(true)
    expect(isPhone('(0731)84567890')).toBe(true)
    expect(isPhone('0086 13912345678')).toBe(true)
    // Whatever the server reads as the same number: dots, a landline with +86, not another country's.
    expect(isPhone('139.1234.5678')).toBe(true)
    expect(isPhone('+86 731 8456 7890')).toBe(true)
    expect(isPhone('+86 10 12345678')).toBe(true)
    expect(isPhone('+1 415 555 0100')).toBe(false)
    expect(isPhone('13912345678 ext 12')).toBe(false)
    expect(isPhone('+86 400 123 4567')).toBe(false)
    expect(isPhone('8613912345678')).toBe(true)
  })
  it('checks the submit form', () => {
    const f = { content: '小区门口路灯坏了一周', phone: '13800138000', name: '', address: '', request_type: 'help' }
    expect(checkSubmit(f)).toEqual({})
    expect(Object.keys(checkSubmit({ ...f, content: '坏了' }))).toEqual(['content'])
    expect(checkSubmit({ ...f, phone: '1380' })).toEqual({ phone: '请填写正确的手机号或固定电话' })
    // An empty form names every field it needs at once, an empty phone as missing.
    expect(checkSubmit({ ...f, content: '', phone: '' })).toEqual({ content: '请把诉求写清楚（至少5个字）', phone: '请填写联系电话' })
    expect(submitBody({ ...f, name: ' 王 ' })).toEqual({ content: f.content, phone: '13800138000', name: '王', request_type: 'help' })
  })
  it('checks the proof', () => {
    expect(checkProof('202611280000043', 'phone', '6016')).toEqual({ ok: true })
    expect(checkProof('', 'phone', '6016')).toMatchObject({ field: 'number' })
    expect(checkProof('202611280000043', 'phone', '601')).toMatchObject({ field: 'proof', message: '手机号后四位应为 4 位数字' })
    expect(checkProof('202611280000043', 'phone', '')).toMatchObject({ field: 'proof', message: '请填写手机号后四位' })
    // A number that is not one is named before the phone digits are looked at.
    expect(checkProof('abc', 'phone', '12')).toMatchObject({ field: 'number' })
    expect(checkProof('２０２６１１２８００００００４３', 'phone', '6016')).toEqual({ ok: true })
    expect(checkProof('202611280000043', 'code', 'df4fwgrq')).toEqual({ ok: true })
    expect(proofQuery('code', 'df4fwgrq')).toEqual({ code: 'DF4FWGRQ' })
    expect(proofQuery('phone', '６０１６')).toEqual({ phone_last4: '6016' })
  })
  it('speaks plainly about errors', () => {
    expect(publicError(404, 'x')).toContain('未查到')
    expect(publicError(404, 'x', 'no ticket matches this number and phone/code; 2 tries by phone digits left, or use the query code')).toContain('还可尝试 2 次')
    expect(publicError(404, 'x', 'no ticket matches this number and phone/code; 0 tries by phone digits left, or use the query code')).toContain('请改用查询码')
    expect(publicError(500, 'x')).toBe('x')
    expect(publicError(429, 'x', 'too many failed look-ups of this number by phone digits; use the query code, or try again in 15 minutes')).toContain('查询码')
    expect(publicError(429, 'x', 'too many requests from your address; slow down')).toBe('操作过于频繁，请稍后再试')
    expect(publicError(409, 'x', 'this request is already closed and rated')).toContain('已评价')
    // Answered on the spot and never rated: not "已评价".
    expect(publicError(409, 'x', 'this request is already closed (answered on the spot, or closed after the callback) and can no longer be rated'))
      .toBe('该诉求已办结（当场答复，或回访后办结），不能再评价')
    expect(publicError(409, 'x', 'this request ended without an answer to rate here (transferred, merged into another request, or withdrawn)'))
      .toContain('无需在此评价')
    expect(publicError(409, 'x', 'this request has not been answered yet; rate it once it is')).toContain('办理中')
  })
})
