import { describe, expect, it } from 'vitest'
import { actionBody, dialogFieldFor, emptyActionModel, missingFields, visibleFields } from './wbActions'

const m = (o: Partial<ReturnType<typeof emptyActionModel>> = {}) => ({ ...emptyActionModel(), ...o })

describe('action dialogs', () => {
  it('builds dispatch bodies', () => {
    expect(actionBody('dispatch', m({ unit_id: '5', assisting_unit_ids: ['6'], note: ' 尽快 ' }))).toEqual({
      unit_id: '5', mode: 'direct', assisting_unit_ids: ['6'], note: '尽快',
    })
    expect(actionBody('dispatch', m({ unit_id: '5', mode: 'relay' }))).toEqual({ unit_id: '5', mode: 'relay' })
    expect(actionBody('redispatch', m({ unit_id: '5', mode: 'relay' }))).toEqual({ unit_id: '5', mode: 'relay' })
    expect(actionBody('redispatch', m({ unit_id: '5', note: ' 改派 ' }))).toEqual({ unit_id: '5', note: '改派' })
  })
  it('builds the other bodies', () => {
    expect(actionBody('return', m({ reason: ' 非本单位职责 ' }))).toEqual({ reason: '非本单位职责' })
    expect(actionBody('request_extension', m({ days: 5, reason: 'r' }))).toEqual({ days: 5, reason: 'r' })
    expect(actionBody('decide_extension', m({ approve: false }))).toEqual({ approve: false })
    expect(actionBody('decide_suspension', m({ approve: false, comment: ' 先处置 ' }))).toEqual({ approve: false, comment: '先处置' })
    expect(actionBody('callback', m({ outcome: 'unreachable', rating: 'satisfied' }))).toEqual({ outcome: 'unreachable' })
    expect(actionBody('callback', m({ outcome: 'reached', rating: 'satisfied', comment: 'ok' }))).toEqual({
      outcome: 'reached', rating: 'satisfied', comment: 'ok',
    })
    expect(actionBody('transfer', m({ to: '119', note: 'n' }))).toEqual({ to: '119', note: 'n' })
    expect(actionBody('coordinate', m({ note: 'n' }))).toEqual({ note: 'n' })
    expect(actionBody('coordinate', m({ note: '增派', assisting_unit_ids: ['7'] }))).toEqual({ note: '增派', assisting_unit_ids: ['7'] })
    expect(actionBody('accept', m())).toEqual({})
  })
  it('checks required fields', () => {
    expect(missingFields('return', m())).toEqual({ reason: '退单原因：必填' })
    expect(missingFields('review', m({ decision: 'reject' }))).toEqual({ comment: '审核意见：退回时必填' })
    expect(missingFields('decide_extension', m({ approve: false }))).toEqual({ comment: '意见：不同意时必填' })
    expect(missingFields('decide_suspension', m({ approve: false, comment: '先行处置' }))).toEqual({})
    expect(missingFields('decide_suspension', m({ approve: true }))).toEqual({})
    expect(missingFields('dispatch', m({ unit_id: '5', assisting_unit_ids: ['5'] }))).toHaveProperty('assisting_unit_ids')
    expect(missingFields('request_extension', m({ days: 0, reason: 'x' }))).toHaveProperty('days')
    expect(missingFields('request_extension', m({ days: 31, reason: 'x' }))).toHaveProperty('days')
    expect(missingFields('accept', m())).toEqual({})
  })
  it('shows the rating only for a reached citizen', () => {
    expect(visibleFields('callback', m({ outcome: 'refused' })).map((f) => f.key)).toEqual(['outcome', 'comment'])
  })
  it('maps server fields to dialog fields', () => {
    expect(dialogFieldFor('assisting_unit_ids[1]')).toBe('assisting_unit_ids')
    expect(dialogFieldFor('into_ticket_id')).toBe('into_number')
  })
})
