// Reference lists the admin and insight screens share (units, areas, categories), loaded
// once per screen visit and reloaded after a create.
import { computed, reactive } from 'vue'
import { getAll, translateDetail } from './api'
import { buildTree } from './adTree'

export interface Unit { id: string; name: string; kind: string; parent_id: string | null; area_id: string | null; phone: string; active: boolean; is_centre: boolean }
export interface Area { id: string; name: string; kind: string; parent_id: string | null; aliases: string[] }
export interface Category { code: string; name: string; level: number; parent_code: string | null; active: boolean }

export const refs = reactive({
  units: [] as Unit[],
  areas: [] as Area[],
  categories: [] as Category[],
  categoryVersion: 0,
})

const loading: Partial<Record<'units' | 'areas' | 'categories', Promise<void>>> = {}

export function loadRef(kind: 'units' | 'areas' | 'categories', force = false): Promise<void> {
  if (!force && loading[kind]) return loading[kind]!
  const p = getAll<any, any>('/' + kind).then((r) => {
    ;(refs as any)[kind] = r.items ?? []
    if (kind === 'categories') refs.categoryVersion = r.version ?? 0
  })
  p.catch(() => { delete loading[kind] })
  loading[kind] = p
  return p
}

export const unitName = (id: string | null | undefined) => (id ? refs.units.find((u) => u.id === id)?.name ?? id : '')
export const areaName = (id: string | null | undefined) => (id ? refs.areas.find((a) => a.id === id)?.name ?? id : '')
export const categoryName = (code: string | null | undefined) =>
  code ? refs.categories.find((c) => c.code === code)?.name ?? code : ''

// Server error → the form's field errors: a field named by the server gets the server's
// detail next to it (the form item already names the field; mapped through `alias` when the
// form names it differently), anything else goes under `_` as describeError's full message.
export function fieldErrors(e: unknown, message: string, alias: Record<string, string> = {}): Record<string, string> {
  const f = (e as { field?: string })?.field
  if (!f) return { _: message }
  const base = f.replace(/\[\d+\]$/, '')
  const raw = e instanceof Error ? e.message : ''
  const detail = raw.startsWith(f + ':') ? translateDetail(raw.slice(f.length + 1).trim()) : raw ? translateDetail(raw) : message
  return { [alias[f] ?? alias[base] ?? base]: detail }
}

export const unitTree = computed(() => buildTree(refs.units, (u) => u.id, (u) => u.parent_id))
// The tree a unit is picked from: units out of use stay in place (their subtree may not) but
// cannot be chosen. Bind with :props="{ label: 'name', children: 'children', disabled: 'disabled' }".
export const unitPickTree = computed(() =>
  buildTree(refs.units.map((u) => ({ ...u, disabled: u.active === false })), (u) => u.id, (u) => u.parent_id))
export const areaTree = computed(() => buildTree(refs.areas, (a) => a.id, (a) => a.parent_id))
export const categoryTree = computed(() =>
  buildTree(refs.categories.map((c) => ({ ...c, label: `${c.code} ${c.name}` })), (c) => c.code, (c) => c.parent_code),
)
