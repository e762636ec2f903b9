// Pure helpers of the knowledge-base screen: the review workflow's next steps, the body
// of a save, and synonym groups typed as one line.
import { cityDate } from './format'

export interface KbEntry {
  id: string
  external_id?: string
  title: string
  body: string
  category_code: string
  keywords: string[]
  status: string
  visibility: string
  effective?: string
  expires?: string
  owner_unit_id?: string
  version?: number
  // Published and inside its validity period now: only such entries are served.
  current?: boolean
  use_count?: number
  updated_at?: string
  updated_by?: string | null
  score?: number
  snippet?: string
  // An edit of a published entry in review (待审修订); the entry serves its own text meanwhile.
  revision?: KbRevision
}

export type KbRevision = Omit<KbEntry, 'id' | 'revision' | 'score' | 'snippet' | 'use_count' | 'version' | 'external_id'>

// One saved version (GET /kb/{id}/versions): who saved it — no user when the command line
// (hotline kb import) or the system did — and when.
export interface KbVersion {
  version: number
  changed_by: string | null
  changed_by_name: string | null
  changed_at: string
  entry: KbEntry
}

export function versionBy(v: KbVersion): string {
  if (v.changed_by_name) return v.changed_by_name
  return v.changed_by ? `用户 ${v.changed_by}` : '命令行或系统'
}

export { kbStatusLabels } from './labels'
export const kbVisibilityLabels: Record<string, string> = { internal: '内部', public: '公开' }

// A published entry outside its validity period reads 已发布 yet is served to nobody: said so.
export function validityLabel(e: Pick<KbEntry, 'status' | 'current' | 'effective'>, now = Date.now()): string {
  if (e.status !== 'published' || e.current !== false) return ''
  return e.effective && Date.parse(e.effective) > now ? '未生效' : '已过期'
}

// The validity period in words: 长期有效, 至 2026-12-31, 2026-12-01 起, 2026-12-01 至 2026-12-31.
export function validityText(e: Pick<KbEntry, 'effective' | 'expires'>): string {
  const from = e.effective ? firstDay(e.effective) : '', to = e.expires ? lastDay(e.expires) : ''
  if (from && to) return `${from} 至 ${to}`
  return from ? `${from} 起长期有效` : to ? `至 ${to}` : '长期有效'
}

export function kbStatusType(s: string): 'info' | 'warning' | 'success' | 'danger' {
  return s === 'published' ? 'success' : s === 'reviewed' ? 'warning' : s === 'retired' ? 'danger' : 'info'
}

type KbAction = { action: string; label: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'info' }

// draft → reviewed → published → retired; reviewed may go back to draft, retired re-drafted.
// An entry with a revision in review moves the revision (publishing it replaces the entry's
// text), may drop it, and may still be retired.
export function kbActions(e: Pick<KbEntry, 'status' | 'revision'>): KbAction[] {
  if (e.revision) {
    const steps: KbAction[] = e.revision.status === 'reviewed'
      ? [{ action: 'publish', label: '发布修订', type: 'success' }, { action: 'redraft', label: '退回修订', type: 'info' }]
      : [{ action: 'review', label: '审核修订', type: 'primary' }]
    return [...steps, { action: 'discard', label: '放弃修订', type: 'warning' }, { action: 'retire', label: '停用', type: 'danger' }]
  }
  switch (e.status) {
    case 'draft': return [{ action: 'review', label: '审核通过', type: 'primary' }]
    case 'reviewed': return [{ action: 'publish', label: '发布', type: 'success' }, { action: 'redraft', label: '退回草稿', type: 'info' }]
    case 'published': return [{ action: 'retire', label: '停用', type: 'danger' }]
    case 'retired': return [{ action: 'redraft', label: '重新起草', type: 'info' }]
    default: return []
  }
}

// The question to ask before an action that takes an answer away: dropping a revision, or
// publishing text outside its validity period (not served once published). Null: none.
export function kbConfirmOf(e: KbEntry, action: string, now: number = Date.now()): string | null {
  if (action === 'discard') return `放弃「${e.title}」待审的修订？条目继续提供现行内容，修订仍可在历史版本中查看。`
  if (action !== 'publish') return null
  const text = e.revision ?? e
  const expired = text.expires !== undefined && Date.parse(text.expires) <= now
  const early = text.effective !== undefined && Date.parse(text.effective) > now
  if (!expired && !early) return null
  const why = expired ? `有效期已于 ${lastDay(text.expires)} 结束` : `${firstDay(text.effective)} 才生效`
  return `「${text.title}」${why}，发布后检索、直接答复和公开问答都不会提供${e.revision ? '，现行内容也随之下线' : ''}。仍要发布？`
}

export interface KbForm {
  title: string
  body: string
  category_code: string
  keywords: string[]
  visibility: string
  effective: string // YYYY-MM-DD or '': served from the start of that day
  expires: string // YYYY-MM-DD or '': the last day served (有效期至)
  owner_unit_id: string
  // The entry as loaded: its version (a save by someone else meanwhile is refused) and its
  // validity times, sent back unchanged unless the editor picks another day.
  version?: number
  loaded?: { effective: string; expires: string }
}

export function emptyKbForm(): KbForm {
  return { title: '', body: '', category_code: '', keywords: [], visibility: 'internal', effective: '', expires: '', owner_unit_id: '' }
}

// The day an entry starts being served, and the last day it is served: `expires` is the
// first instant it is not (an entry "through 12-31" expires at 01-01 00:00).
export const firstDay = (iso?: string): string => (iso ? cityDate(new Date(iso)) : '')
export const lastDay = (iso?: string): string => (iso ? cityDate(new Date(Date.parse(iso) - 1)) : '')

// The form of an entry, or of its revision in review when it has one (the text an edit
// continues from); the version is the entry's either way.
export function formOf(entry: KbEntry): KbForm {
  const e = entry.revision ?? entry
  return {
    title: e.title, body: e.body, category_code: e.category_code ?? '', keywords: [...(e.keywords ?? [])],
    visibility: e.visibility || 'internal', effective: firstDay(e.effective), expires: lastDay(e.expires),
    owner_unit_id: e.owner_unit_id ?? '', version: entry.version,
    loaded: { effective: e.effective ?? '', expires: e.expires ?? '' },
  }
}

export type KbChecked = { ok: true; body: Record<string, unknown> } | { ok: false; field: string; message: string }

// The body of POST /kb or PUT /kb/{id}; no status: every save goes to review as a draft.
export function kbBody(f: KbForm): KbChecked {
  const title = f.title.trim()
  const body = f.body.trim()
  if (!title) return { ok: false, field: 'title', message: '请填写标题' }
  if (new TextEncoder().encode(title).length > 500) return { ok: false, field: 'title', message: '标题过长' }
  if (!body) return { ok: false, field: 'body', message: '请填写正文' }
  const keywords = [...new Set(f.keywords.map((k) => k.trim()).filter(Boolean))]
  if (keywords.length > 50) return { ok: false, field: 'keywords', message: '关键词最多50个' }
  if (f.effective && f.expires && f.expires < f.effective) return { ok: false, field: 'expires', message: '有效期至不能早于生效日期' }
  const out: Record<string, unknown> = { title, body, keywords, visibility: f.visibility || 'internal' }
  if (f.category_code) out.category_code = f.category_code
  // A day the editor left as loaded keeps its exact time (an entry effective at 19:00 is not
  // moved to midnight by saving a typo fix); a day picked is sent as a date.
  const loaded = f.loaded
  if (f.effective) out.effective = loaded?.effective && firstDay(loaded.effective) === f.effective ? loaded.effective : f.effective
  if (f.expires) out.expires = loaded?.expires && lastDay(loaded.expires) === f.expires ? loaded.expires : f.expires
  if (f.version) out.version = f.version
  if (f.owner_unit_id) out.owner_unit_id = f.owner_unit_id
  return { ok: true, body: out }
}

// "煤气 燃气，天然气" → ["煤气","燃气","天然气"] (spaces, commas, 顿号, slashes).
export function parseTerms(s: string): string[] {
  return [...new Set(s.split(/[\s,，、;；/|]+/).map((t) => t.trim()).filter(Boolean))]
}

// The words a snippet highlighted, to mark the same words in the title.
export function hitWords(parts: { text: string; hit: boolean }[]): string[] {
  return [...new Set(parts.filter((p) => p.hit).map((p) => p.text))]
}
