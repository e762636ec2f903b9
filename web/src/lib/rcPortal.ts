// Pure checks of the citizens' portal (public, no login): what the citizen typed, before
// it goes to /public/tickets.

export type PortalCheck = { ok: true } | { ok: false; field: string; message: string }

// Full-width digits and letters (from a Chinese IME) to ASCII, spaces and dashes dropped.
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
}
export function normaliseDigits(s: string): string {
  return toHalfWidth(s).replace(/[\s-]/g, '')
}
export function normaliseNumber(s: string): string {
  return normaliseDigits(s)
}
export function normaliseCode(s: string): string {
  return toHalfWidth(s).replace(/\s+/g, '').toUpperCase()
}

// A mainland mobile (11 digits starting 1) or a landline with area code.
export function isPhone(s: string): boolean {
  // Read as the server reads it (NormalisePhone): only the digits count; after a + or 00 the
  // number is international, China's (86) being the national number with a landline's trunk 0
  // given back (+86 731 8456 7890 is 0731 8456 7890).
  const t = toHalfWidth(s).trim()
  if (!/^\+?[\d\s\-().（）]*$/.test(t)) return false  // letters or an extension: another number
  let d = t.replace(/\D/g, '')
  const international = t.startsWith('+') || d.startsWith('00')
  if (d.startsWith('00')) d = d.slice(2)
  if (international) {
    if (!d.startsWith('86')) return false
    d = d.slice(2)
    // (a service number, 400… or 800…, is dialled as it is: no landline)
    if (!/^1[3-9]\d{9}$/.test(d) && /^[1-9]\d{8,10}$/.test(d) && !/^[48]00/.test(d)) d = '0' + d
  } else if (d.length === 13 && d.startsWith('86')) {
    d = d.slice(2) // 86 and a mobile, the + left out
  }
  // As the server checks it: a mainland mobile, or an area code (010, 02x, 0[3-9]xx) and 7–8 digits.
  return /^1[3-9]\d{9}$/.test(d) || /^(010|02\d|0[3-9]\d\d)\d{7,8}$/.test(d)
}

export interface SubmitForm {
  content: string
  phone: string
  name: string
  address: string
  request_type: string
}

// Every field that needs fixing at once (field → message), so one tap shows them all;
// empty when the form may be sent.
export function checkSubmit(f: SubmitForm): Record<string, string> {
  const errors: Record<string, string> = {}
  const content = f.content.trim()
  if ([...content].length < 5) errors.content = '请把诉求写清楚（至少5个字）'
  else if (content.length > 2000) errors.content = '诉求内容不超过2000字'
  if (!f.phone.trim()) errors.phone = '请填写联系电话'
  else if (!isPhone(f.phone)) errors.phone = '请填写正确的手机号或固定电话'
  if (f.name.trim().length > 50) errors.name = '姓名过长'
  if (f.address.trim().length > 200) errors.address = '地址过长'
  return errors
}

export function submitBody(f: SubmitForm): Record<string, string> {
  const b: Record<string, string> = { content: f.content.trim(), phone: normaliseDigits(f.phone) }
  if (f.name.trim()) b.name = f.name.trim()
  if (f.address.trim()) b.address = f.address.trim()
  if (f.request_type) b.request_type = f.request_type
  return b
}

export type ProofMode = 'phone' | 'code'

// The number plus either the last four digits of the phone or the query code.
export function checkProof(number: string, mode: ProofMode, proof: string): PortalCheck {
  const n = normaliseNumber(number)
  if (!n) return { ok: false, field: 'number', message: '请填写工单编号' }
  // Numbers are the day and a sequence, all digits (202611280000001).
  if (!/^\d{8,20}$/.test(n)) return { ok: false, field: 'number', message: '工单编号为受理回执上的一串数字，如 202611280000001' }
  if (mode === 'phone') {
    const p = normaliseDigits(proof)
    if (!p) return { ok: false, field: 'proof', message: '请填写手机号后四位' }
    if (!/^\d{4}$/.test(p)) return { ok: false, field: 'proof', message: '手机号后四位应为 4 位数字' }
  } else if (!normaliseCode(proof)) {
    return { ok: false, field: 'proof', message: '请填写受理时告知的查询码' }
  } else if (!/^[0-9A-Z]{4,16}$/.test(normaliseCode(proof))) {
    return { ok: false, field: 'proof', message: '查询码为 4 至 16 位字母或数字' }
  }
  return { ok: true }
}

export function proofQuery(mode: ProofMode, proof: string): Record<string, string> {
  return mode === 'phone' ? { phone_last4: normaliseDigits(proof) } : { code: normaliseCode(proof) }
}

// The status colour of the citizen's progress.
export function statusTone(status: string): 'success' | 'warning' | 'info' | 'primary' | 'danger' {
  if (status === 'closed' || status === 'archived') return 'success'
  if (status === 'awaiting_callback') return 'warning'
  if (status === 'withdrawn' || status === 'merged' || status === 'transferred') return 'info'
  return 'primary'
}

// The public error the citizen reads (no codes): 404 on a wrong pair, 429 when locked.
export function publicError(status: number | undefined, fallback: string, message = ''): string {
  if (status === 404) {
    const left = /(\d+) tries by phone digits left/.exec(message)
    const base = '未查到该工单，请核对工单编号和手机号后四位（或查询码）'
    if (!left) return base
    return Number(left[1]) > 0 ? `${base}；按手机号后四位还可尝试 ${left[1]} 次` : `${base}；手机号后四位已不能再试，请改用查询码，或 15 分钟后再试`
  }
  if (status === 429) {
    if (/phone digits/.test(message)) return '手机号后四位错误次数过多，请改用查询码查询，或 15 分钟后再试'
    return '操作过于频繁，请稍后再试'
  }
  if (status === 409) {
    if (/already closed and rated/i.test(message)) return '该诉求已办结并已评价，感谢您的反馈'
    if (/already closed/i.test(message)) return '该诉求已办结（当场答复，或回访后办结），不能再评价'
    if (/ended without an answer/i.test(message)) return '该诉求已转交其他部门、与相同诉求合并或已撤回，无需在此评价'
    if (/not been answered/i.test(message)) return '该诉求尚在办理中，答复后才能评价'
    return '该诉求当前不能评价（办理结果答复后、回访前可以评价）'
  }
  return fallback
}
