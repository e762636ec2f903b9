// Pure helpers of the insight screen (热点预警): the period parameters and alert summaries.
import { dayString, dayTime } from './adCalendar'
import { cityDate, nextDay } from './format'
import { assistReturnedSummary, type AlertHandling } from './rcTicket'

// A picked date range [first, last] (YYYY-MM-DD, both included) → the API's [from, to)
// (dates without a time are read in the city's time zone by the server).
export function periodQuery(range: [string, string] | null | undefined): { from?: string; to?: string } {
  if (!range || !range[0] || !range[1]) return {}
  return { from: range[0], to: nextDay(range[1]) }
}

// The last `days` days up to and including `today` as a picker value.
export function lastDaysRange(days: number, today: Date = new Date()): [string, string] {
  const t = cityDate(today)
  return [dayString(dayTime(t) - (days - 1) * 86400000), t]
}

// One name for each kind of alert and severity on every screen (督办 and 热点预警).
export { alertKindLabels, severityType } from './rcTicket'
export const severityLabels: Record<string, string> = { high: '高', warning: '中', info: '低' }
export const toneLabels: Record<string, string> = { calm: '平静', dissatisfied: '不满', angry: '愤怒', extreme: '激烈' }
export const transferLabels: Record<string, string> = { '110': '转110', '119': '转119', '120': '转120', '122': '转122' }

export interface Alert {
  id: string
  kind: string
  severity: string
  ticket_id: string
  created_at: string
  updated_at: string
  version?: number
  state?: 'open' | 'handled'
  handled?: AlertHandling | null
  data: any
}

// One line of Chinese describing an alert, from its kind-specific data.
export function alertSummary(a: Alert): string {
  const d = a.data ?? {}
  switch (a.kind) {
    case 'repeat_caller': {
      const tones = (d.tones ?? []).map((t: string) => toneLabels[t] ?? t).join('→')
      return `${d.phone ?? ''} ${d.window_days ?? 30} 天内来电 ${d.count ?? '?'} 次${d.escalating ? '，情绪/诉求升级' : ''}${tones ? '（' + tones + '）' : ''}`
    }
    case 'duplicate_cluster':
      // (the count is the city's; a district centre lists only its own tickets, and the first
      // report only when it is one of them)
      return `同一事项全市已有 ${d.count ?? (d.numbers ?? []).length} 件重复诉求${d.first ? `，首件 ${d.first}` : ''}`
    case 'emergency': {
      const hits = (d.hits ?? []).map((h: any) => h.phrase).filter(Boolean).join('、')
      return `工单 ${d.number ?? ''} 疑似紧急事件${d.transfer ? '，建议' + (transferLabels[d.transfer] ?? '转' + d.transfer) : ''}${hits ? '：' + hits : ''}`
    }
    case 'assist_returned':
      return assistReturnedSummary(d)
    default:
      return JSON.stringify(d)
  }
}


// ---- the 智能模型 tab: what a model file says of itself, in Chinese.
const modelFields: Record<string, string> = { category: '诉求分类', request_type: '诉求类型', urgency: '紧急程度' }

// The training data as the platform describes it ("the platform's history: 463 closed
// tickets, label category"); a description someone wrote at training time is shown as written.
export function modelDataLabel(data: string | null | undefined): string {
  const m = /^the platform's history: (\d+) closed tickets, label (\w+)$/.exec(data ?? '')
  return m ? `本平台已办结工单 ${m[1]} 件（标注：${modelFields[m[2]] ?? m[2]}）` : (data ?? '')
}

// The evaluation method ("5-fold cross-validation, grouped by normalised text").
export function modelMethodLabel(method: string | null | undefined): string {
  const m = /^(\d+)-fold cross-validation, grouped by (.+)$/.exec(method ?? '')
  if (!m) return method ?? ''
  const by = m[2] === 'normalised text' ? '相同文本' : m[2] === 'the given group' ? '给定分组' : m[2]
  return `${m[1]} 折交叉验证（按${by}分组，同组样本不跨训练与检验）`
}

// A model's version ("2026-11-30T10:32:15+08:00/ec5358e14608": training time and a digest
// of its weights) as "2026-11-30 10:32 · ec5358e1".
export function modelVersionLabel(version: string | null | undefined): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[^/]*\/([0-9a-f]+)$/.exec(version ?? '')
  return m ? `${m[1]} ${m[2]} · ${m[3].slice(0, 8)}` : (version ?? '')
}

// The confidence below which a model abstains, never rounded up to a misleading 1: shown
// with as many decimals as it takes to tell it from 1 when rounded (at most 6), floored.
export function thresholdLabel(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return '—'
  for (let d = 2; d <= 6; d++) {
    if (p >= 1 || Number(p.toFixed(d)) < 1) return (Math.floor(p * 10 ** d) / 10 ** d).toFixed(d)
  }
  return (Math.floor(p * 1e6) / 1e6).toFixed(6)
}
