// The audit log's rows as an administrator reads them (审计日志): the server records the
// target as kind:id and the detail as it was at the time; this says them in Chinese.
import { fullTime } from './format'

export interface AuditEntry { id: string; at: string; user_id: string; user_name?: string; action: string; target: string; detail: string }

export const auditActionLabels: Record<string, string> = {
  login: '登录', login_failed: '登录失败', reveal: '查看完整个人信息', view_personal_data: '查看个人信息',
  caller_lookup: '来电人查询', litigation_clues_export: '导出诉讼线索', calendar_update: '修改工作日历',
  sla_policy_update: '修改时限规则', unit_updated: '修改单位', area_updated: '修改区域', user_updated: '修改用户',
  category_updated: '修改分类', dispatch_rule_updated: '修改派单规则',
}

const personalFields: Record<string, string> = { name: '姓名', phone: '手机号', id_number: '身份证号' }

// What the action was on, and the ticket it names (for a link) when it names one.
export function auditTarget(e: AuditEntry): { text: string; ticketId?: string } {
  const [kind, id = ''] = e.target.split(/:(.*)/s)
  switch (kind) {
    case 'ticket': return { text: '工单', ticketId: id }
    case 'user': return { text: id === e.user_id ? '本人账号' : `用户账号（编号 ${id}）` }
    case 'calendar': return { text: `工作日历 ${id}` }
    case 'sla_policy': return { text: `时限规则 第 ${id} 版` }
    case 'phone': return { text: '来电号码' }
    case 'tickets': return { text: '工单（按统计期导出）' }
    case 'unit': return { text: `单位（编号 ${id}）` }
    case 'area': return { text: `区域（编号 ${id}）` }
    case 'category': return { text: `分类 ${id}` }
    case 'dispatch_rule': return { text: `派单规则（编号 ${id}）` }
    default: return { text: e.target }
  }
}

export function auditDetail(e: AuditEntry): string {
  const period = /^(\S+) \.\. (\S+)$/.exec(e.detail)
  if (period) return `${fullTime(period[1])} 至 ${fullTime(period[2])}`
  if (e.action === 'reveal' || e.action === 'view_personal_data') {
    return e.detail.split(',').filter(Boolean).map((f) => personalFields[f] ?? f).join('、')
  }
  return e.detail
}
