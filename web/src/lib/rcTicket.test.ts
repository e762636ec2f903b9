import { describe, expect, it } from 'vitest'
import { alertHandledText, alertNumbers, alertSummary, callbackBody, callbackEffect, contactBody, CursorStack, extensionRequests, latestReply, pendingDecisions, pendingRequests, repliesOf, reviewBody, textBody } from './rcTicket'

const a = (o: any) => ({ id: 'a', unit_id: 'u', unit_name: 'U', lead: true, mode: 'direct', parent_id: null, round: 1,
  state: 'replied', dispatched_at: '', replied_at: '2026-11-28T10:00:00+08:00', handle_due_at: '', handled_on_time: true, ...o })

describe('replies', () => {
  it('puts the latest round first and flags history', () => {
    const t = { assignments: [
      a({ id: '1', round: 1, state: 'superseded', reply: '旧答复' }),
      a({ id: '2', round: 2, reply: '新答复', unit_name: '市教育局' }),
      a({ id: '3', round: 2, state: 'pending' }),
    ] }
    const r = repliesOf(t as any)
    expect(r.map((x) => x.assignmentId)).toEqual(['2', '1'])
    expect(r[0].current).toBe(true)
    expect(r[1].current).toBe(false)
    expect(latestReply(t as any)?.text).toBe('新答复')
    expect(repliesOf({ assignments: [] })).toEqual([])
  })
  it("shows the lead's answer though a co-handler replied after it", () => {
    const t = { assignments: [
      a({ id: '1', round: 1, lead: true, reply: '主办答复', replied_at: '2026-11-28T10:00:00+08:00' }),
      a({ id: '2', round: 1, lead: false, reply: '协办意见', replied_at: '2026-11-28T11:00:00+08:00' }),
    ] }
    expect(latestReply(t as any)?.text).toBe('主办答复')
  })
  it('shows a relayed answer once, as the unit that wrote it', () => {
    const t = { assignments: [
      a({ id: 'dc', unit_name: '江北区12345分中心', mode: 'relay', reply: '已修复路灯' }),
      a({ id: 'st', unit_name: '新桥街道办事处', parent_id: 'dc', reply: '已修复路灯' }),
    ] }
    expect(repliesOf(t as any).map((r) => r.unitName)).toEqual(['新桥街道办事处'])
    expect(latestReply(t as any)?.unitName).toBe('新桥街道办事处')
    // A relay whose centre answered itself (nothing below it, or the unit below returned it)
    // is its own answer.
    expect(repliesOf({ assignments: [a({ id: 'dc', mode: 'relay', reply: '本中心答复' })] } as any).length).toBe(1)
    const back = { assignments: [
      a({ id: 'dc', unit_name: '江北区12345分中心', mode: 'relay', reply: '本中心答复' }),
      a({ id: 'st', unit_name: '新桥街道办事处', parent_id: 'dc', state: 'returned', reply: '' }),
    ] }
    expect(latestReply(back as any)?.unitName).toBe('江北区12345分中心')
    // A reply sent back by review (both levels accepted again) or reopened (superseded) is
    // still the street's, shown once.
    for (const state of ['accepted', 'superseded']) {
      const again = { assignments: [
        a({ id: 'dc', unit_name: '江北区12345分中心', mode: 'relay', state, reply: '已修复路灯' }),
        a({ id: 'st', unit_name: '新桥街道办事处', parent_id: 'dc', state, reply: '已修复路灯' }),
      ] }
      expect(repliesOf(again as any).map((r) => r.unitName)).toEqual(['新桥街道办事处'])
    }
  })
})

describe('pendingRequests', () => {
  it('lists what accepted orders ask the centre to decide', () => {
    const t = { assignments: [
      a({ state: 'accepted', unit_name: '市城管局', extension_request: { days: 5, reason: '需现场勘查' } }),
      a({ state: 'accepted', unit_name: '区住建局', suspend_requested: true, suspend_reason: '待法院裁定' }),
      a({ state: 'accepted', suspend_requested: true, suspended: true, suspend_reason: '已挂起' }),
      a({ state: 'superseded', extension_request: { days: 2, reason: '旧申请' } }),
    ] }
    expect(pendingRequests(t as any)).toEqual(['市城管局 申请延期 5 天：需现场勘查', '区住建局 申请挂起：待法院裁定'])
    expect(pendingRequests({ assignments: [] })).toEqual([])
    expect(pendingDecisions(t as any).map((d) => d.kind)).toEqual(['extension', 'suspension'])
    expect(pendingDecisions({ assignments: [t.assignments[2], t.assignments[3]] } as any)).toEqual([])
  })
  it('names the extension request a decision answers, an assisting unit\'s too', () => {
    const t = { assignments: [
      a({ id: '5', state: 'superseded', extension_request: { days: 2, reason: '旧申请' } }),
      a({ id: '7', state: 'accepted', lead: false, unit_name: '区住建局', extension_request: { days: 3, reason: '配合勘查' } }),
      a({ id: '8', state: 'accepted', lead: true, unit_name: '市城管局', extension_request: { days: 5, reason: '需现场勘查' } }),
    ] }
    expect(extensionRequests(t as any)).toEqual([
      { assignment_id: '7', unit: '区住建局（协办）', text: '区住建局（协办） 申请延期 3 天：配合勘查' },
      { assignment_id: '8', unit: '市城管局', text: '市城管局 申请延期 5 天：需现场勘查' }])
    expect(extensionRequests({ assignments: [] })).toEqual([])
    // Two units waiting: a decision each, named; one alone needs no name.
    expect(pendingDecisions(t as any)).toEqual([{ kind: 'extension', assignment_id: '7', unit: '区住建局（协办）' },
                                                { kind: 'extension', assignment_id: '8', unit: '市城管局' }])
    expect(pendingDecisions({ assignments: [t.assignments[2]] } as any)).toEqual([{ kind: 'extension', assignment_id: '8', unit: undefined }])
  })
})

describe('command bodies', () => {
  it('review', () => {
    expect(reviewBody('approve', ' ')).toEqual({ ok: true, body: { decision: 'approve' } })
    expect(reviewBody('reject', '')).toMatchObject({ ok: false, error: { field: 'comment' } })
    expect(reviewBody('reject', ' 答复未说明时间 ')).toEqual({ ok: true, body: { decision: 'reject', comment: '答复未说明时间' } })
  })
  it('callback needs a rating exactly when reached', () => {
    expect(callbackBody('reached', '', '')).toMatchObject({ ok: false, error: { field: 'rating' } })
    expect(callbackBody('reached', 'satisfied', '好')).toEqual({ ok: true, body: { outcome: 'reached', rating: 'satisfied', comment: '好' } })
    expect(callbackBody('unreachable', 'satisfied', '')).toEqual({ ok: true, body: { outcome: 'unreachable' } })
    expect(callbackBody('resolved', '', '')).toMatchObject({ ok: false, error: { field: 'outcome' } })
  })
  it('callback effect', () => {
    expect(callbackEffect('reached', 'dissatisfied', 0)).toContain('不满意')
    expect(callbackEffect('reached', 'basically_satisfied', 0)).toContain('已解决')
    expect(callbackEffect('unreachable', '', 2)).toContain('联系不上')
    expect(callbackEffect('unreachable', '', 0)).toContain('仍待回访')
  })
  it('text bodies', () => {
    expect(textBody('note', '  ', '督办意见')).toMatchObject({ ok: false, error: { field: 'note' } })
    expect(textBody('reason', '市民不满意', '重办原因')).toEqual({ ok: true, body: { reason: '市民不满意' } })
    expect(textBody('note', '字'.repeat(700), '说明').ok).toBe(false)
  })
})

describe('CursorStack', () => {
  it('goes forward and back', () => {
    const s = new CursorStack()
    expect(s.current).toBeNull()
    expect(s.next(null)).toBe(false)
    s.next('10'); s.next('5')
    expect(s.page).toBe(3)
    s.prev()
    expect(s.current).toBe('10')
    s.reset()
    expect(s.hasPrev).toBe(false)
  })
})

describe('alerts', () => {
  it('summarises each kind', () => {
    expect(alertSummary({ kind: 'emergency', data: { number: 'N1', transfer: '119', hits: [{ phrase: '煤气味' }] } })).toContain('119')
    const dup = { kind: 'duplicate_cluster', data: { count: 3, first: 'N1', numbers: ['N3', 'N2', 'N1'] } }
    expect(alertSummary(dup)).toBe('同一事项 3 件（首件 N1）')
    // A district reader's alert names no first ticket of another district.
    expect(alertSummary({ kind: 'duplicate_cluster', data: { count: 3, numbers: ['N3'] } })).toBe('同一事项 3 件')
    expect(alertNumbers(dup)).toEqual(['N3', 'N2', 'N1'])
    const rep = { kind: 'repeat_caller', data: { phone: '138****0000', count: 4, window_days: 30, escalating: true, tickets: [{ number: 'A' }] } }
    expect(alertSummary(rep)).toContain('升级')
    expect(alertNumbers(rep)).toEqual(['A'])
    // A ticket chased twice is one ticket.
    expect(alertNumbers({ kind: 'repeat_caller', data: { tickets: [{ number: 'A' }, { number: 'A', contact: 'chase' }, { number: 'B' }] } }))
      .toEqual(['A', 'B'])
    const back = { kind: 'assist_returned', data: { number: 'B', unit_name: '市住建局', reason: '非本单位职责', lead_unit_name: '市城管局' } }
    expect(alertSummary(back)).toBe('工单 B 的协办单位 市住建局 退回（非本单位职责），主办 市城管局：请确认由主办独立办理，或协调改派')
    expect(alertNumbers(back)).toEqual(['B'])
  })
  it('says who handled an alert, and that a newer report opened it again', () => {
    const handled = { at: '2026-12-01T10:00:00+08:00', by: '7', by_name: '督办员', note: '已联系来电人' }
    const time = (iso: string) => iso.slice(5, 16).replace('T', ' ')
    expect(alertHandledText({ state: 'handled', handled }, time)).toBe('已处置：督办员 12-01 10:00，已联系来电人')
    expect(alertHandledText({ state: 'open', handled }, time)).toBe('上次处置：督办员 12-01 10:00，已联系来电人')
    expect(alertHandledText({ state: 'open', handled: null }, time)).toBe('')
  })
})

describe('contactBody', () => {
  const f = { kind: 'chase', channel: 'phone', content: ' 井盖还没换 ', phone: '', name: '' }
  it('records what was said, and the caller when given', () => {
    expect(contactBody(f)).toEqual({ ok: true, body: { kind: 'chase', channel: 'phone', content: '井盖还没换' } })
    expect(contactBody({ ...f, phone: '139 1111 2222', name: ' 李女士 ' }))
      .toEqual({ ok: true, body: { kind: 'chase', channel: 'phone', content: '井盖还没换', citizen: { phone: '139 1111 2222', name: '李女士' } } })
  })
  it('names the field that is wrong', () => {
    expect(contactBody({ ...f, content: '  ' })).toMatchObject({ ok: false, error: { field: 'content' } })
    expect(contactBody({ ...f, phone: '123' })).toMatchObject({ ok: false, error: { field: 'citizen.phone' } })
    expect(contactBody({ ...f, phone: '139x1111' })).toMatchObject({ ok: false, error: { field: 'citizen.phone' } })
  })
})
