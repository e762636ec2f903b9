import { describe, expect, it } from 'vitest'
import { auditDetail, auditTarget, type AuditEntry } from './adAudit'

const entry = (over: Partial<AuditEntry>): AuditEntry =>
  ({ id: '1', at: '', user_id: '7', action: 'login', target: '', detail: '', ...over })

describe('audit rows', () => {
  it('names targets instead of kind:id', () => {
    expect(auditTarget(entry({ target: 'user:7' }))).toEqual({ text: '本人账号' })
    expect(auditTarget(entry({ target: 'user:9' })).text).toContain('9')
    expect(auditTarget(entry({ target: 'ticket:385' }))).toEqual({ text: '工单', ticketId: '385' })
    expect(auditTarget(entry({ target: 'sla_policy:3' })).text).toBe('时限规则 第 3 版')
    expect(auditTarget(entry({ target: 'tickets' })).text).toBe('工单（按统计期导出）')
    expect(auditTarget(entry({ target: 'something:else' })).text).toBe('something:else')
  })
  it('says periods and personal fields in Chinese', () => {
    expect(auditDetail(entry({ detail: '2026-11-01T00:00:00+08:00 .. 2026-12-01T00:00:00+08:00' })))
      .toBe('2026-11-01 00:00:00 至 2026-12-01 00:00:00')
    expect(auditDetail(entry({ action: 'reveal', detail: 'name,phone,id_number' }))).toBe('姓名、手机号、身份证号')
    expect(auditDetail(entry({ action: 'caller_lookup', detail: '138****5678' }))).toBe('138****5678')
  })
})
