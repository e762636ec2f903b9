// The audit log's rows as an administrator reads them (审计日志): the server records the
// target as kind:id and the detail as it was at the time; this says them in Chinese.
import { fullTime } from './format'
import { ratingLabels, roleLabels } from './labels'
import { alertKindLabels } from './rcTicket'

export interface AuditEntry { id: string; at: string; user_id: string | null; user_name?: string; action: string; target: string; detail: string }

export const auditActionLabels: Record<string, string> = {
  login: '登录', login_failed: '登录失败', public_rating: '市民自助评价', reveal: '查看完整个人信息', view_personal_data: '查看个人信息',
  caller_lookup: '来电人查询', attachment_opened: '查看保密件附件', litigation_clues_export: '导出诉讼线索', calendar_update: '修改工作日历',
  sla_policy_update: '修改时限规则', unit_updated: '修改单位', area_updated: '修改区域', user_updated: '修改用户',
  category_updated: '修改分类', dispatch_rule_updated: '修改派单规则',
  user_created: '新建用户', unit_created: '新建单位', area_created: '新建区域', category_created: '新建分类',
  dispatch_rule_created: '新建派单规则', dispatch_rule_deleted: '删除派单规则',
  taxonomy_imported: '导入分类体系', org_imported: '导入组织数据',
  kb_entry_created: '新建知识条目', kb_entry_updated: '修改知识条目', kb_entry_review: '审核知识条目',
  kb_entry_publish: '发布知识条目', kb_entry_retire: '停用知识条目', kb_entry_redraft: '退回知识条目为草稿',
  kb_revision_proposed: '提交知识条目修订', kb_revision_review: '审核知识条目修订', kb_revision_publish: '发布知识条目修订',
  kb_revision_redraft: '退回知识条目修订', kb_revision_discard: '放弃知识条目修订', kb_imported: '导入知识条目',
  kb_synonyms_added: '新增同义词组', kb_synonyms_deleted: '删除同义词组', alert_handled: '处置预警',
}

// The words the server writes into details (field names, states), in Chinese.
const detailWords: Record<string, string> = {
  name: '名称', phone: '电话', active: '启用', inactive: '停用', aliases: '别名', retired: '停用',
  display_name: '姓名', password: '密码', enabled: '启用', disabled: '停用',
}
const importKinds: Record<string, string> = { units: '单位', areas: '区域', 'dispatch-rules': '派单目录', taxonomy: '分类体系' }

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
    case 'q': return { text: '按内容中的号码搜索工单' }
    case 'username': return { text: '不存在的用户名' }
    case 'tickets': return { text: '工单（按统计期导出）' }
    case 'unit': return { text: `单位（编号 ${id}）` }
    case 'area': return { text: `区域（编号 ${id}）` }
    case 'category': return { text: `分类 ${id}` }
    case 'dispatch_rule': return { text: `派单规则（编号 ${id}）` }
    case 'kb': return { text: `知识条目（编号 ${id}）` }
    case 'kb_synonyms': return { text: `同义词组（编号 ${id}）` }
    case 'kb_import': return { text: '知识库' }
    case 'alert': return { text: `预警（编号 ${id}）` }
    case 'taxonomy': return { text: `分类体系 第 ${id} 版` }
    case 'units': case 'areas': case 'dispatch-rules': return { text: importKinds[kind] }
    default: return { text: e.target }
  }
}

export function auditDetail(e: AuditEntry): string {
  const period = /^(\S+) \.\. (\S+)$/.exec(e.detail)
  if (period) return `${fullTime(period[1])} 至 ${fullTime(period[2])}`
  if (e.action === 'reveal' || e.action === 'view_personal_data') {
    return e.detail.split(',').filter(Boolean).map((f) => personalFields[f] ?? f).join('、')
  }
  // A failed login under a name no account has: what was typed is not kept, only its length.
  const typed = e.action === 'login_failed' ? /^(\d+) characters$/.exec(e.detail) : null
  if (typed) return `输入 ${typed[1]} 个字符`
  // A citizen's rating on the portal: the proof given, the rating and where it came from.
  const rated = e.action === 'public_rating' ? /^(phone_last4|code) (\w+)(?: from (.+))?$/.exec(e.detail) : null
  if (rated) {
    return `凭${rated[1] === 'code' ? '查询码' : '手机号后四位'}评价「${ratingLabels[rated[2]] ?? rated[2]}」` +
      (rated[3] ? `，来自 ${rated[3]}` : '')
  }
  let d = e.detail
  // Done at the console: `hotline init` / `hotline import`, by nobody the database knows.
  const cli = /\s*\((hotline \w+(?: \w+)?)\)$/.exec(d)
  if (cli) d = d.slice(0, cli.index)
  const by = cli ? `（命令行 ${cli[1]}）` : ''
  const rows = /^(\d+) (rows|categories) from (.*)$/.exec(d)
  if (rows) return `从 ${rows[3]} 导入 ${rows[1]} ${rows[2] === 'rows' ? '行' : '个分类'}${by}`
  const entries = /^(\d+) entries from (.*?)(?:; (\d+) unchanged)?(?:; (\d+) revisions in review replaced)?$/.exec(d)
  if (entries) {
    return `从 ${entries[2]} 导入 ${entries[1]} 条知识条目${entries[3] ? `（${entries[3]} 条未变）` : ''}` +
      `${entries[4] ? `，替换 ${entries[4]} 条待审修订` : ''}${by}`
  }
  const version = /^(taxonomy )?version (\d+)( \(saved unchanged\))?$/.exec(d)
  if (version) return (version[1] ? `分类体系第 ${version[2]} 版` : `第 ${version[2]} 版`) + (version[3] ? '（内容未变）' : '') + by
  // A handled alert: its kind, then the note (the system's own, when it settled itself).
  const alert = e.action === 'alert_handled' ? /^(\w+): ([\s\S]*)$/.exec(d) : null
  if (alert) return `${alertKindLabels[alert[1]] ?? alert[1]}${alert[2] ? `：${alert[2]}` : ''}` + by
  // A category made, renamed or retired: "物业 under 01, taxonomy version 7",
  // "name 物业 -> 物业服务, retired with 3 subcategories, taxonomy version 8".
  const made = e.action === 'category_created' ? /^(.*?)(?: under (\S+))?, taxonomy version (\d+)$/.exec(d) : null
  if (made) return `「${made[1]}」${made[2] ? `（上级分类 ${made[2]}）` : ''}，分类体系第 ${made[3]} 版` + by
  if (e.action === 'category_updated' && /, taxonomy version \d+$/.test(d)) {
    return d.split(', ').map((part) => {
      const renamed = /^name (.*) -> (.*)$/.exec(part)
      if (renamed) return `名称 ${renamed[1]}→${renamed[2]}`
      const retired = /^(retired|active)(?: with (\d+) subcategories)?$/.exec(part)
      if (retired) return (retired[1] === 'retired' ? '停用' : '启用') + (retired[2] ? `（含 ${retired[2]} 个下级分类）` : '')
      const v = /^taxonomy version (\d+)$/.exec(part)
      return v ? `分类体系第 ${v[1]} 版` : part
    }).filter(Boolean).join('、') + by
  }
  // A dispatch rule as it was and as it is: "0104 望江街道 -> 市城管局 + 市住建局, priority 10 => …".
  if (e.action.startsWith('dispatch_rule_')) {
    const rule = (r: string) => r.replace('(all categories)', '（全部分类）').replace(/, priority (-?\d+)$/, '，优先级 $1').replace(/ -> /, ' → 主办 ')
      .replace(/ \+ /g, ' + 协办 ')
    return d.split(' => ').map(rule).join(' 改为 ') + by
  }
  // An SLA policy saved: what it holds against the version it replaced.
  const policy = e.action === 'sla_policy_update'
    ? /^calendar (\S+), (\d+) rules, warning at (\d+)% \(version (\d+): calendar (\S+), (\d+) rules\)$/.exec(d) : null
  if (policy) {
    return `日历 ${policy[1]}，${policy[2]} 条规则，用时 ${policy[3]}% 预警（原第 ${policy[4]} 版：日历 ${policy[5]}，${policy[6]} 条规则）` + by
  }
  // What an update changed: "name phone", "role agent->dispatcher unit 3->5", "name retired v4".
  // Other details (a new unit's or area's name, a rule's prefix) are shown as they are.
  if (!e.action.endsWith('_updated') && e.action !== 'user_created') return d + by
  const said: string[] = []
  const words = d.split(' ').filter(Boolean)
  for (let i = 0; i < words.length; i++) {
    const w = words[i]
    const change = /^(\w+)->(\w+)$/.exec(words[i + 1] ?? '')
    if (w === 'role' && change) {
      said.push(`角色 ${roleLabels[change[1]] ?? change[1]}→${roleLabels[change[2]] ?? change[2]}`)
      i++
    } else if (w === 'role' && words[i + 1]) {
      said.push(`角色 ${roleLabels[words[i + 1]] ?? words[i + 1]}`)
      i++
    } else if (w === 'unit' && change) {
      said.push(`所属单位 ${change[1]}→${change[2]}`)
      i++
    } else if (/^v\d+$/.test(w)) {
      said.push(`分类体系第 ${w.slice(1)} 版`)
    } else {
      said.push(detailWords[w] ?? w)
    }
  }
  return said.join('、') + by
}
