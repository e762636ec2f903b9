import { describe, expect, it } from 'vitest'
import { availableActions, canReveal, dispatchTargets, eventDetails, eventLabel, type TicketLike } from './wbTicket'

const t = (status: string, extra: Partial<TicketLike> = {}): TicketLike => ({ id: '1', number: 'N', status, version: 3, assignments: [], ...extra })

describe('availableActions', () => {
  it('offers only what the server would accept when the ticket says so', () => {
    // A district dispatcher on the city centre's intake: the server offers a note only.
    expect(availableActions(t('received', { actions: ['note'] }), { role: 'dispatcher', unit_id: 'd1' })).toEqual(['note'])
    // Past the reopen cap the server leaves reopen out.
    const closed = t('closed', { actions: ['exempt', 'note', 'archive'] })
    expect(availableActions(closed, { role: 'callback_agent' })).toEqual(['note'])
    expect(availableActions(t('closed'), { role: 'callback_agent' })).toEqual(['reopen', 'note'])
  })
  it('offers intake commands to agents on a received ticket', () => {
    const a = availableActions(t('received'), { role: 'agent' })
    expect(a).toEqual(['answer_directly', 'transfer', 'merge', 'urge', 'withdraw', 'note'])
    // Answered, the ticket ends through review and callback: no withdrawal.
    expect(availableActions(t('awaiting_callback'), { role: 'agent' })).not.toContain('withdraw')
    // Requests merged into it wait on its answer.
    expect(availableActions({ ...t('received'), merged_in: 1 }, { role: 'agent' })).toEqual(['answer_directly', 'merge', 'urge', 'note'])
    expect(availableActions(t('replied'), { role: 'dispatcher' })).not.toContain('withdraw')
  })
  it('lets dispatchers dispatch received and redispatch returned tickets', () => {
    expect(availableActions(t('received'), { role: 'dispatcher' })).toContain('dispatch')
    const r = availableActions(t('returned'), { role: 'dispatcher' })
    expect(r).toContain('redispatch')
    expect(r).toContain('transfer')
    expect(r).not.toContain('dispatch')
  })
  it('lets a unit act on its own assignment only', () => {
    const tk = t('dispatched', { assignments: [{ id: 'a', unit_id: 'u1', unit_name: 'x', lead: true, mode: 'direct', state: 'pending' }] })
    expect(availableActions(tk, { role: 'unit_handler', unit_id: 'u1' })).toEqual(['accept', 'return', 'note'])
    expect(availableActions(tk, { role: 'unit_handler', unit_id: 'u2' })).toEqual(['note'])
    const acc = t('in_progress', { assignments: [{ id: 'a', unit_id: 'u1', unit_name: 'x', lead: true, mode: 'direct', state: 'accepted' }] })
    expect(availableActions(acc, { role: 'unit_handler', unit_id: 'u1' })).toEqual(['reply', 'return', 'request_extension', 'suspend', 'note'])
  })
  it('offers an extension decision while one waits', () => {
    const tk = t('in_progress', {
      assignments: [{ id: 'a', unit_id: 'u1', unit_name: 'x', lead: true, mode: 'direct', state: 'accepted', extension_request: { days: 3, reason: 'r' } }],
    })
    expect(availableActions(tk, { role: 'supervisor' })).toContain('decide_extension')
    expect(availableActions(tk, { role: 'unit_handler', unit_id: 'u1' })).not.toContain('request_extension')
  })
  it('offers a suspension decision while a unit request waits, and names a refusal', () => {
    const asked = t('in_progress', {
      assignments: [{ id: 'a', unit_id: 'u1', unit_name: 'x', lead: true, mode: 'direct', state: 'accepted', suspend_requested: true }],
    })
    expect(availableActions(asked, { role: 'supervisor' })).toContain('decide_suspension')
    expect(availableActions(asked, { role: 'unit_handler', unit_id: 'u1' })).not.toContain('decide_suspension')
    expect(availableActions(asked, { role: 'unit_handler', unit_id: 'u1' })).not.toContain('suspend')
    const plain = t('in_progress', { assignments: [{ id: 'a', unit_id: 'u1', unit_name: 'x', lead: true, mode: 'direct', state: 'accepted' }] })
    expect(availableActions(plain, { role: 'supervisor' })).not.toContain('decide_suspension')
    expect(eventLabel('suspend_refused')).toBe('驳回挂起申请')
  })
  it('follows review, callback, reopen and archive', () => {
    expect(availableActions(t('replied'), { role: 'reviewer' })).toEqual(['review', 'note'])
    expect(availableActions(t('awaiting_callback'), { role: 'callback_agent' })).toEqual(['callback', 'reopen', 'note'])
    expect(availableActions(t('closed'), { role: 'qa_inspector' })).toEqual(['archive', 'note'])
    expect(availableActions(t('closed'), { role: 'analyst' })).toEqual([])
    expect(availableActions(t('archived'), { role: 'admin' })).toEqual(['note'])
  })
  it('gives nothing without a user', () => {
    expect(availableActions(t('received'), null)).toEqual([])
  })
})

describe('reveal and events', () => {
  it('knows who may reveal', () => {
    expect(canReveal('agent')).toBe(true)
    expect(canReveal('qa_inspector')).toBe(false)
    expect(canReveal('unit_handler')).toBe(false)
  })
  it('labels events by their command', () => {
    expect(eventLabel('dispatched')).toBe('派单')
    expect(eventLabel('created')).toBe('受理')
    expect(eventLabel('merged_in')).toBe('被并单')
    expect(eventLabel('weird')).toBe('weird')
  })
  it('names units and key data', () => {
    const d = eventDetails(
      { type: 'dispatched', data: { lead: { unit_id: '5' }, assisting: [{ unit_id: '6' }], mode: 'direct', note: '尽快' } },
      (id) => ({ '5': '市教育局', '6': '望江街道' })[id] ?? '',
    )
    expect(d).toEqual([
      { k: '主办', v: '市教育局' }, { k: '协办', v: '望江街道' }, { k: '方式', v: '直派' }, { k: '说明', v: '尽快' },
    ])
    // A reply that ended the unit's waiting requests; a chase after the answer names the desk.
    expect(eventDetails({ type: 'replied', data: { unit_id: '5', withdrawn_requests: ['extension', 'suspension'] } }, () => '市教育局'))
      .toEqual([{ k: '单位', v: '市教育局' }, { k: '随答复撤回', v: '延期申请、挂起申请' }])
    expect(eventDetails({ type: 'urged', data: { stage: 'callback', escalation_level: 1 } }, () => ''))
      .toEqual([{ k: '环节', v: '回访' }, { k: '督办级别', v: '1' }])
    // A returned order waits on the centre it came back to.
    expect(eventDetails({ type: 'urged', data: { stage: 'dispatch', centre_id: '2', escalation_level: 1 } }, (id) => (id === '2' ? '市中心' : '')))
      .toEqual([{ k: '单位', v: '市中心' }, { k: '环节', v: '退回待派' }, { k: '督办级别', v: '1' }])
  })
  it('says which deadlines a calendar change moved', () => {
    expect(eventDetails({ type: 'deadline_recomputed', data: {
      unit_id: '5', accept_due_at: { old: '2026-12-07T10:00:00+08:00', new: '2026-12-07T10:00:00+08:00' },
      handle_due_at: { old: '2026-12-10T17:00:00+08:00', new: '2026-12-11T17:00:00+08:00' },
      reason: 'calendar cn-mainland updated' } }, () => '市教育局'))
      .toEqual([{ k: '单位', v: '市教育局' }, { k: '办结时限', v: '2026-12-10 17:00 → 2026-12-11 17:00' },
                { k: '原因', v: '工作日历 cn-mainland 已调整' }])
  })
})

describe('dispatchTargets', () => {
  const units = [
    { id: 'hub', name: '市中心', kind: 'city_center', parent_id: null },
    { id: 'd1', name: '幸福区分中心', kind: 'district_center', parent_id: 'hub' },
    { id: 's1', name: '幸福街道', kind: 'street', parent_id: 'd1' },
    { id: 'c1', name: '幸福社区', kind: 'community', parent_id: 's1' },
    { id: 'dept', name: '住建局', kind: 'department', parent_id: 'hub' },
  ]
  const ids = (us: { id: string }[]) => us.map((u) => u.id)
  it('keeps a centre inside its subtree', () => {
    expect(ids(dispatchTargets(units, { role: 'dispatcher', unit_id: 'd1' }, t('received'), 'dispatch'))).toEqual(['s1', 'c1'])
    expect(ids(dispatchTargets(units, { role: 'dispatcher', unit_id: 'hub' }, t('received'), 'dispatch'))).toEqual(['d1', 'dept', 's1', 'c1'])
    expect(dispatchTargets(units, { role: 'admin' }, t('received'), 'dispatch')).toHaveLength(5)
  })
  it('re-dispatches inside the subtree of the centre the order came back to', () => {
    const tk = t('returned', {
      assignments: [{ id: 'a', unit_id: 's1', unit_name: 'x', lead: true, mode: 'direct', state: 'returned', dispatched_by_unit_id: 'd1' }],
    })
    expect(ids(dispatchTargets(units, { role: 'dispatcher', unit_id: 'hub' }, tk, 'redispatch'))).toEqual(['s1', 'c1'])
    expect(ids(dispatchTargets(units, { role: 'dispatcher', unit_id: 'hub' }, tk, 'dispatch'))).toHaveLength(4)
  })
})
