// Reference lists (units, areas, categories) loaded once per page load and shared by the
// dispatch, inbox and search screens, every page of them.
import { getAll } from './api'
import type { Unit } from './dqDispatch'
import type { Category } from './dqTickets'

export interface Area {
  id: string
  name: string
  kind: string
  parent_id: string | null
}

const cache = new Map<string, Promise<any[]>>()

function list<T>(path: string): Promise<T[]> {
  let p = cache.get(path)
  if (!p) {
    p = getAll<T>(path).then((r) => r.items)
    p.catch(() => cache.delete(path))
    cache.set(path, p)
  }
  return p as Promise<T[]>
}

export const loadUnits = () => list<Unit>('/units')
export const loadAreas = () => list<Area>('/areas')
export const loadCategories = () => list<Category>('/categories')
