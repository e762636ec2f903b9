import { describe, expect, it } from 'vitest'
import { assignmentStateText, endedTimeliness } from './ticket'

describe('assignment state', () => {
  it('keeps what became of a superseded order', () => {
    expect(assignmentStateText({ state: 'superseded', return_reason: '非本单位职责', replied_at: '' })).toBe('已退回（已改派）')
    expect(assignmentStateText({ state: 'superseded', replied_at: '2026-11-30T10:00:00+08:00' })).toBe('已反馈（已重办）')
    expect(assignmentStateText({ state: 'superseded', replied_at: '' })).toBe('已失效')
    expect(assignmentStateText({ state: 'pending', replied_at: '' })).toBe('待签收')
  })
})

describe('an ended order against its time limit', () => {
  const due = '2026-12-01T17:00:00+08:00'
  it('says whether it ended in time, a live one having its warning level instead', () => {
    expect(endedTimeliness({ state: 'accepted', ended_at: '', handle_due_at: due, handled_on_time: null })).toBeNull()
    expect(endedTimeliness({ state: 'replied', ended_at: '', handle_due_at: due, handled_on_time: false })?.text).toBe('超时反馈')
    // Returned after its deadline, then re-dispatched: late, not 正常.
    expect(endedTimeliness({ state: 'superseded', ended_at: '2026-12-02T09:00:00+08:00', handle_due_at: due, handled_on_time: null }))
      .toEqual({ text: '超期结束', type: 'danger' })
    expect(endedTimeliness({ state: 'returned', ended_at: '2026-12-01T09:00:00+08:00', handle_due_at: due, handled_on_time: null })?.text)
      .toBe('已结束')
  })
})
