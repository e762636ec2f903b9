// Short polling for a screen's live figures (queue counts): `fn` runs every `ms` while the
// tab is visible, once at once when the tab comes back, and never after the screen unmounts.
// (The server-sent alternative would hold a connection per open screen; counts every 30 s
// are what a queue needs.)
import { onBeforeUnmount, onMounted, reactive } from 'vue'

export function startPolling(fn: () => unknown, ms: number, doc: Document = document): () => void {
  let timer: ReturnType<typeof setInterval> | undefined
  const start = () => {
    if (timer === undefined) timer = setInterval(() => { if (doc.visibilityState === 'visible') fn() }, ms)
  }
  const onVisibility = () => {
    if (doc.visibilityState === 'visible') fn()
  }
  start()
  doc.addEventListener('visibilitychange', onVisibility)
  return () => {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
    doc.removeEventListener('visibilitychange', onVisibility)
  }
}

// startPolling for the lifetime of the calling component.
export function usePolling(fn: () => unknown, ms: number): void {
  let stop: (() => void) | null = null
  onMounted(() => { stop = startPolling(fn, ms) })
  onBeforeUnmount(() => stop?.())
}

// A screen's queue counts (the tab badges) beside the counts the user last looked at:
// `refresh(true)` when the list itself was (re)loaded, `refresh(false)` from polling;
// `fresh(k)` is how many more queue `k` holds than when it was last loaded (0 when fewer).
// `load` gives a queue's total, or null for a queue that does not apply.
export function useQueueCounts<K extends string>(keys: readonly K[], load: (k: K) => Promise<number> | null) {
  const counts = reactive(Object.fromEntries(keys.map((k) => [k, null]))) as Record<K, number | null>
  const seen = reactive(Object.fromEntries(keys.map((k) => [k, null]))) as Record<K, number | null>
  function refresh(mark: boolean): void {
    for (const k of keys) {
      load(k)?.then(
        (n) => {
          counts[k] = n
          if (mark || seen[k] === null) seen[k] = n
        },
        () => (counts[k] = null),
      )
    }
  }
  // One order of queue `k` left the list (dispatched, returned ...): it is not "new" when the
  // count drops, and later arrivals still show.
  function settle(k: string, n = 1): void {
    const s = seen as Record<string, number | null>
    if (s[k] !== undefined && s[k] !== null) s[k] = Math.max(0, (s[k] as number) - n)
    refresh(false)
  }
  const fresh = (k: string): number => {  // any tab: one without a count has nothing fresh
    const c = (counts as Record<string, number | null>)[k] ?? null
    const s = (seen as Record<string, number | null>)[k] ?? null
    return c !== null && s !== null && c > s ? c - s : 0
  }
  return { counts, refresh, settle, fresh }
}
