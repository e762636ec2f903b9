// zh-CN names of the vocabulary the API speaks (src/ticket/vocabulary.cc).

export const statusLabels: Record<string, string> = {
  received: '已受理', dispatched: '已派单', in_progress: '办理中', suspended: '已挂起', returned: '已退单',
  replied: '已反馈待审核', awaiting_callback: '待回访', closed: '已办结', transferred: '已转办', merged: '已并单',
  withdrawn: '已撤单', archived: '已归档',
}

export const kbStatusLabels: Record<string, string> = {
  draft: '草稿', reviewed: '已审核', published: '已发布', retired: '已停用',
}

export const channelLabels: Record<string, string> = {
  phone: '电话', mailbox: '市长信箱', sms: '短信', app: 'App', wechat: '微信', alipay: '支付宝', weibo: '微博',
  web: '网站', message_board: '留言板', email: '电子邮件', walk_in: '来访', transfer: '转来', open311: 'Open311',
}

// Another call or message about a ticket (POST /tickets/{id}/contacts).
export const contactKindLabels: Record<string, string> = { chase: '催单', supplement: '补充', other: '其他', intake: '受理' }

export const requestTypeLabels: Record<string, string> = {
  consultation: '咨询', help: '求助', complaint: '投诉', report: '举报', suggestion: '建议', praise: '表扬',
}

export const urgencyLabels: Record<string, string> = { normal: '一般', urgent: '紧急', emergency: '特急' }

export const ratingLabels: Record<string, string> = {
  very_satisfied: '非常满意', satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
}

export const roleLabels: Record<string, string> = {
  admin: '系统管理员', agent: '话务员', dispatcher: '派单员', unit_handler: '承办人', reviewer: '审核员',
  callback_agent: '回访员', supervisor: '督办员', qa_inspector: '质检员', analyst: '分析员',
}

export const unitKindLabels: Record<string, string> = {
  city_center: '市热线中心', district_center: '区分中心', sub_center: '分中心', department: '职能部门', street: '街道',
  community: '社区', utility: '公共事业单位',
}

export const areaKindLabels: Record<string, string> = { district: '区县', street: '街道', community: '社区' }

export const actionLabels: Record<string, string> = {
  answer_directly: '直接答复', transfer: '转办', merge: '并单', dispatch: '派单', accept: '签收', return: '退单',
  redispatch: '改派', coordinate: '协调', request_extension: '申请延期', decide_extension: '审批延期', suspend: '挂起',
  decide_suspension: '审批挂起', resume: '恢复', reply: '办理反馈', review: '审核', callback: '回访', reopen: '重办', urge: '催办',
  supervise: '督办',
  withdraw: '撤单', exempt: '免考核', note: '备注', archive: '归档', create: '受理', sla_tick: '时限提醒',
  recompute_deadlines: '重算时限', contact: '联系记录', attachment: '附件',
}

export const warningLabels: Record<string, string> = { none: '正常', yellow: '黄牌预警', red: '红牌超期', accept_overdue: '签收超时' }

export const closingKindLabels: Record<string, string> = {
  direct_answer: '直接答复', resolved: '已解决', unsatisfied: '不满意', unreachable: '联系不上', refused: '拒绝回访',
}

export function label(table: Record<string, string>, key: string | null | undefined): string {
  if (!key) return ''
  return table[key] ?? key
}

export function options(table: Record<string, string>): { value: string; label: string }[] {
  return Object.entries(table).map(([value, label]) => ({ value, label }))
}
