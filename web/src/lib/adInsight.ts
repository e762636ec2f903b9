// Pure helpers of the insight screen (热点预警): the period parameters and alert summaries.
import { dayString, dayTime } from './adCalendar'
import { cityDate } from './format'

// A picked date range [first, last] (YYYY-MM-DD, both included) → the API's [from, to)
// (dates without a time are read in the city's time zone by the server).
export function periodQuery(range: [string, string] | null | undefined): { from?: string; to?: string } {
  if (!range || !range[0] || !range[1]) return {}
  return { from: range[0], to: dayString(dayTime(range[1]) + 86400000) }
}

// The last `days` days up to and including `today` as a picker value.
export function lastDaysRange(days: number, today: Date = new Date()): [string, string] {
  const t = cityDate(today)
  return [dayString(dayTime(t) - (days - 1) * 86400000), t]
}

export const alertKindLabels: Record<string, string> = {
  repeat_caller: '重复来电', duplicate_cluster: '重复诉求聚集', emergency: '紧急事件',
}
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
      return `同一事项已有 ${d.count ?? (d.numbers ?? []).length} 件重复诉求，首件 ${d.first ?? ''}`
    case 'emergency': {
      const hits = (d.hits ?? []).map((h: any) => h.phrase).filter(Boolean).join('、')
      return `工单 ${d.number ?? ''} 疑似紧急事件${d.transfer ? '，建议' + (transferLabels[d.transfer] ?? '转' + d.transfer) : ''}${hits ? '：' + hits : ''}`
    }
    default:
      return JSON.stringify(d)
  }
}

export function severityType(s: string): 'danger' | 'warning' | 'info' {
  return s === 'high' ? 'danger' : s === 'warning' ? 'warning' : 'info'
}
