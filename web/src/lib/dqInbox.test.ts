import { describe, expect, it } from 'vitest'
import { actionBody, ActionDrafts, actionDrafts, allowedActions, inboxQuery, isoWithOffset, validateAction } from './dqInbox'
import { forget } from './session'

const t = (a: any): any => ({ id: '1', assignments: [{ unit_id: 'u', state: 'pending', dispatched_at: '2026-11-28T10:00:00+08:00', ...a }] })

describe('inbox', () => {
  it('queries per tab', () => {
    const f = { q: ' 路灯 ', due: 'soon' as const }
    expect(inboxQuery('pending', 'u', f)).toEqual({ unit_id: 'u', open: true, q: '路灯', assignment_state: 'pending' })
    expect(inboxQuery('accepted', 'u', { q: '', due: 'soon' })).toEqual({ unit_id: 'u', open: true, assignment_state: 'accepted' })
    expect(inboxQuery('due', 'u', { q: '', due: 'yellow' })).toMatchObject({ warning: 'yellow' })
    expect(inboxQuery('due', 'u', { q: '', due: 'red' })).toMatchObject({ overdue: true })
    const soon = inboxQuery('due', 'u', { q: '', due: 'soon' }, new Date(2026, 10, 28, 9, 0, 0))
    expect(soon.due_before).toBe(isoWithOffset(new Date(2026, 11, 1, 9, 0, 0)))
    expect(inboxQuery('all', 'u', { q: '', due: 'soon' })).toEqual({ unit_id: 'u', open: true })
  })
  it('formats ISO with the offset', () => {
    expect(isoWithOffset(new Date(2026, 0, 2, 3, 4, 5))).toMatch(/^2026-01-02T03:04:05[+-]\d{2}:\d{2}$/)
  })
  it('offers what the assignment allows', () => {
    expect(allowedActions(t({}), 'u')).toEqual(['accept', 'return'])
    expect(allowedActions(t({ state: 'accepted', lead: true }), 'u')).toEqual(['reply', 'return', 'request_extension', 'suspend'])
    // A co-handler (协办) asks for more time, not for the order's clock to stop.
    expect(allowedActions(t({ state: 'accepted', lead: false }), 'u')).toEqual(['reply', 'return', 'request_extension'])
    expect(allowedActions(t({ state: 'accepted', extension_request: { days: 2, reason: 'x' }, suspend_requested: true }), 'u')).toEqual(['reply', 'return'])
    expect(allowedActions(t({ state: 'accepted', suspended: true, lead: true }), 'u')).toEqual(['resume', 'return'])
    expect(allowedActions(t({ state: 'accepted', suspended: true, lead: false }), 'u')).toEqual(['return'])
    expect(allowedActions(t({ state: 'replied' }), 'u')).toEqual([])
    expect(allowedActions(t({}), 'other')).toEqual([])
  })
  it('validates the forms', () => {
    const f = (o: any) => ({ reason: '', days: 3, content: '', ...o })
    expect(validateAction('return', f({}))?.field).toBe('reason')
    expect(validateAction('return', f({ reason: '非本单位职责' }))).toBeNull()
    expect(validateAction('request_extension', f({ days: 0, reason: 'x' }))?.field).toBe('days')
    expect(validateAction('request_extension', f({ days: 1.5, reason: 'x' }))?.field).toBe('days')
    expect(validateAction('request_extension', f({ days: null, reason: 'x' }))?.field).toBe('days')
    // The server's policy allows 30 days at most; 31 is refused here, not after a round trip.
    expect(validateAction('request_extension', f({ days: 31, reason: 'x' }))?.field).toBe('days')
    expect(validateAction('request_extension', f({ days: 30, reason: 'x' }))).toBeNull()
    expect(validateAction('request_extension', f({ days: 5 }))?.message).toContain('延期理由')
    expect(validateAction('suspend', f({ reason: '字'.repeat(700) }))?.field).toBe('reason')
    expect(validateAction('reply', f({}))?.field).toBe('content')
    expect(validateAction('accept', f({}))).toBeNull()
    expect(actionBody('request_extension', f({ days: 5, reason: ' 等材料 ' }))).toEqual({ days: 5, reason: '等材料' })
    expect(actionBody('reply', f({ content: ' 已修复 ' }))).toEqual({ content: '已修复' })
    expect(actionBody('return', f({ reason: 'x' }))).toEqual({ reason: 'x' })
    expect(actionBody('accept', f({}))).toEqual({})
  })
})

describe('action drafts', () => {
  const start = { reason: '', days: 3, content: '旧答复' }
  it('keeps what was typed and closed unsent, per ticket and action', () => {
    const d = new ActionDrafts()
    d.keep('1', 'reply', { reason: '', days: 3, content: '新答复，按审核意见修改' }, start)
    expect(d.take('1', 'reply', start)?.content).toBe('新答复，按审核意见修改')
    expect(d.take('1', 'return', start)).toBeUndefined()
    expect(d.take('2', 'reply', start)).toBeUndefined()
    // Sent back again, the form starts from the newer reply: the old draft is not offered.
    expect(d.take('1', 'reply', { ...start, content: '第二次答复' })).toBeUndefined()
    d.drop('1', 'reply')
    expect(d.take('1', 'reply', start)).toBeUndefined()
  })
  it('are all dropped when the user signs out', () => {
    actionDrafts.keep('1', 'return', { reason: '非本单位职责', days: 3, content: '' }, { reason: '', days: 3, content: '' })
    forget()
    expect(actionDrafts.take('1', 'return', { reason: '', days: 3, content: '' })).toBeUndefined()
  })
  it('keeps nothing when nothing was typed, and forgets a draft cleared back to the start', () => {
    const d = new ActionDrafts()
    d.keep('1', 'reply', { ...start }, start)
    expect(d.take('1', 'reply', start)).toBeUndefined()
    d.keep('1', 'return', { reason: '非本单位职责', days: 3, content: '' }, { reason: '', days: 3, content: '' })
    d.keep('1', 'return', { reason: ' ', days: 3, content: '' }, { reason: '', days: 3, content: '' })
    expect(d.take('1', 'return', { reason: '', days: 3, content: '' })).toBeUndefined()
  })
})
