// Keyset ("load more") paging over a server list: pages are appended as the user asks for
// more (or scrolls near the end); a reset (new filters) discards late answers of the old
// query so rows of two queries never mix.
import { markRaw, reactive } from 'vue'
import type { Page } from './api'
import { describeError } from './api'

export interface KeysetState<T> {
  items: T[]
  total: number
  cursor: string | null
  done: boolean
  loading: boolean
  error: string
  loaded: boolean // the first page has arrived
}

export type PageFetcher<T> = (cursor: string | null) => Promise<Page<T>>

export interface Keyset<T> {
  state: KeysetState<T>
  reset: () => Promise<void>
  more: () => Promise<void>
  replace: (pred: (x: T) => boolean, next: T | null) => void
}

export function useKeyset<T>(fetcher: PageFetcher<T>): Keyset<T> {
  const state = reactive<KeysetState<T>>({
    items: [], total: 0, cursor: null, done: false, loading: false, error: '', loaded: false,
  }) as KeysetState<T>
  let generation = 0
  let inflight: Promise<void> | null = null

  async function load(gen: number, cursor: string | null) {
    state.loading = true
    state.error = ''
    try {
      const page = await fetcher(cursor)
      if (gen !== generation) return
      // Rows are plain (not deeply reactive) objects: thousands of them stay cheap, and a
      // row changes only by being swapped whole (replace).
      for (const it of page.items) state.items.push(typeof it === 'object' && it !== null ? markRaw(it as object) as T : it)
      state.total = page.total
      state.cursor = page.next_cursor
      state.done = !page.next_cursor
      state.loaded = true
    } catch (e) {
      if (gen !== generation) return
      state.error = describeError(e)
    } finally {
      if (gen === generation) {
        state.loading = false
        inflight = null
      }
    }
  }

  function reset(): Promise<void> {
    generation++
    state.items.splice(0)
    state.total = 0
    state.cursor = null
    state.done = false
    state.loaded = false
    inflight = load(generation, null)
    return inflight
  }

  function more(): Promise<void> {
    if (inflight) return inflight
    if (state.done || !state.loaded || state.error) return Promise.resolve()
    inflight = load(generation, state.cursor)
    return inflight
  }

  // Swap one row for its new version (after an action), or drop it (next = null).
  function replace(pred: (x: T) => boolean, next: T | null) {
    const i = state.items.findIndex(pred)
    if (i < 0) return
    if (next === null) {
      state.items.splice(i, 1)
      state.total = Math.max(0, state.total - 1)
    } else {
      state.items.splice(i, 1, next)
    }
  }

  return { state, reset, more, replace }
}
