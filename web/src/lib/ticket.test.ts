import { describe, expect, it } from 'vitest'
import { assignmentStateText } from './ticket'

describe('assignment state', () => {
  it('keeps what became of a superseded order', () => {
    expect(assignmentStateText({ state: 'superseded', return_reason: '非本单位职责', replied_at: '' })).toBe('已退回（已改派）')
    expect(assignmentStateText({ state: 'superseded', replied_at: '2026-11-30T10:00:00+08:00' })).toBe('已反馈（已重办）')
    expect(assignmentStateText({ state: 'superseded', replied_at: '' })).toBe('已失效')
    expect(assignmentStateText({ state: 'pending', replied_at: '' })).toBe('待签收')
  })
})
