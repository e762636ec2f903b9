import { describe, expect, it } from 'vitest'
import { auditActionLabels, auditDetail, auditTarget, type AuditEntry } from './adAudit'

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
    expect(auditDetail(entry({ action: 'login_failed', target: 'username:(unknown)', detail: '23 characters' }))).toBe('输入 23 个字符')
    expect(auditDetail(entry({ action: 'kb_imported', detail: '10 entries from /tmp/kb.jsonl; 10 unchanged; 1 revisions in review replaced (hotline kb import)' })))
      .toBe('从 /tmp/kb.jsonl 导入 10 条知识条目（10 条未变），替换 1 条待审修订（命令行 hotline kb import）')
    expect(auditDetail(entry({ action: 'public_rating', detail: 'phone_last4 very_satisfied from 10.0.0.7' })))
      .toBe('凭手机号后四位评价「非常满意」，来自 10.0.0.7')
    expect(auditTarget(entry({ action: 'login_failed', target: 'username:(unknown)' })).text).toBe('不存在的用户名')
    expect(auditTarget(entry({ action: 'caller_lookup', target: 'q', detail: '139****8888' })).text).toBe('按内容中的号码搜索工单')
    expect(auditDetail(entry({ action: 'caller_lookup', detail: '138****5678' }))).toBe('138****5678')
  })
  it('says administration in Chinese, the console\'s included', () => {
    const created = entry({ action: 'user_created', user_id: null, target: 'user:1', detail: 'role admin (hotline init)' })
    expect(auditActionLabels[created.action]).toBe('新建用户')
    expect(auditDetail(created)).toBe('角色 系统管理员（命令行 hotline init）')
    expect(auditDetail(entry({ action: 'user_updated', detail: 'password (hotline init)' }))).toBe('密码（命令行 hotline init）')
    expect(auditDetail(entry({ action: 'user_updated', detail: 'display_name role agent->dispatcher unit 3->5 disabled' })))
      .toBe('姓名、角色 话务员→派单员、所属单位 3→5、停用')
    expect(auditDetail(entry({ action: 'unit_updated', detail: 'name phone inactive' }))).toBe('名称、电话、停用')
    expect(auditDetail(entry({ action: 'category_updated', detail: 'name retired v4' }))).toBe('名称、停用、分类体系第 4 版')
    expect(auditDetail(entry({ action: 'category_created', detail: 'taxonomy version 3' }))).toBe('分类体系第 3 版')
    // What the server writes now: the name and what retiring took with it, a rule before and after.
    expect(auditDetail(entry({ action: 'category_created', detail: '物业 under 01, taxonomy version 7' })))
      .toBe('「物业」（上级分类 01），分类体系第 7 版')
    expect(auditDetail(entry({ action: 'category_updated', detail: 'name 物业 -> 物业服务, retired with 3 subcategories, taxonomy version 8' })))
      .toBe('名称 物业→物业服务、停用（含 3 个下级分类）、分类体系第 8 版')
    expect(auditDetail(entry({ action: 'dispatch_rule_updated', detail: '0104 望江街道 -> 市城管局, priority 2 => 0104 望江街道 -> 市城管局 + 市住建局, priority 3' })))
      .toBe('0104 望江街道 → 主办 市城管局，优先级 2 改为 0104 望江街道 → 主办 市城管局 + 协办 市住建局，优先级 3')
    expect(auditDetail(entry({ action: 'sla_policy_update', detail: 'calendar cn-mainland, 4 rules, warning at 75% (version 1: calendar cn-mainland, 3 rules)' })))
      .toBe('日历 cn-mainland，4 条规则，用时 75% 预警（原第 1 版：日历 cn-mainland，3 条规则）')
    expect(auditDetail(entry({ action: 'kb_entry_publish', detail: 'version 2' }))).toBe('第 2 版')
    expect(auditDetail(entry({ action: 'kb_imported', detail: '3 entries from faq.jsonl; 1 revisions in review replaced (hotline kb import)' })))
      .toBe('从 faq.jsonl 导入 3 条知识条目，替换 1 条待审修订（命令行 hotline kb import）')
    expect(auditDetail(entry({ action: 'kb_imported', detail: '3 entries from faq.jsonl (hotline kb import)' })))
      .toBe('从 faq.jsonl 导入 3 条知识条目（命令行 hotline kb import）')
    expect(auditDetail(entry({ action: 'org_imported', target: 'units', detail: '12 rows from units.csv (hotline import)' })))
      .toBe('从 units.csv 导入 12 行（命令行 hotline import）')
    expect(auditTarget(entry({ target: 'units' })).text).toBe('单位')
    expect(auditDetail(entry({ action: 'unit_created', detail: '12345 热线 东区分中心' }))).toBe('12345 热线 东区分中心')
    expect(auditTarget(entry({ target: 'kb:12' })).text).toBe('知识条目（编号 12）')
    expect(auditTarget(entry({ target: 'taxonomy:3' })).text).toBe('分类体系 第 3 版')
    for (const a of ['unit_created', 'area_created', 'dispatch_rule_created', 'dispatch_rule_deleted', 'taxonomy_imported',
      'kb_entry_created', 'kb_entry_updated', 'kb_entry_review', 'kb_entry_retire', 'kb_entry_redraft', 'kb_revision_proposed',
      'kb_revision_review', 'kb_revision_publish', 'kb_revision_redraft', 'kb_revision_discard', 'kb_imported', 'kb_synonyms_added',
      'kb_synonyms_deleted']) expect(auditActionLabels[a]).toBeTruthy()
  })
})

describe('audit of alerts and unchanged saves', () => {
  it('says them in Chinese', () => {
    const handled = entry({ action: 'alert_handled', target: 'alert:42', detail: 'emergency: 随工单操作自动处置：工单已办结' })
    expect(auditActionLabels[handled.action]).toBe('处置预警')
    expect(auditTarget(handled).text).toBe('预警（编号 42）')
    expect(auditDetail(handled)).toBe('紧急警情：随工单操作自动处置：工单已办结')
    expect(auditDetail(entry({ action: 'kb_entry_updated', target: 'kb:7', detail: 'version 3 (saved unchanged)' }))).toBe('第 3 版（内容未变）')
  })
})
