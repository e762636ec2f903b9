import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startPolling } from './poll'

describe('startPolling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs while the tab is visible, catches up when it returns, and stops for good', () => {
    let state: DocumentVisibilityState = 'visible'
    const doc = Object.defineProperty(new EventTarget(), 'visibilityState', { get: () => state }) as unknown as Document
    const fn = vi.fn()
    const stop = startPolling(fn, 30_000, doc)
    vi.advanceTimersByTime(30_000)
    expect(fn).toHaveBeenCalledTimes(1)
    state = 'hidden'
    vi.advanceTimersByTime(90_000)
    expect(fn).toHaveBeenCalledTimes(1)  // nothing while hidden
    state = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(fn).toHaveBeenCalledTimes(2)  // at once on return
    stop()
    vi.advanceTimersByTime(90_000)
    doc.dispatchEvent(new Event('visibilitychange'))
    expect(fn).toHaveBeenCalledTimes(2)
  })
})

describe('useQueueCounts', () => {
  it('tells how many arrived since the list was loaded', async () => {
    const { useQueueCounts } = await import('./poll')
    let total = 5
    const q = useQueueCounts(['a', 'b'] as const, (k) => (k === 'b' ? null : Promise.resolve(total)))
    q.refresh(true)
    await Promise.resolve()
    expect([q.counts.a, q.counts.b, q.fresh('a')]).toEqual([5, null, 0])
    total = 8
    q.refresh(false)
    await Promise.resolve()
    expect([q.counts.a, q.fresh('a')]).toEqual([8, 3])
    total = 4  // some were dispatched meanwhile: nothing new
    q.refresh(false)
    await Promise.resolve()
    expect(q.fresh('a')).toBe(0)
    q.refresh(true)
    await Promise.resolve()
    expect(q.fresh('a')).toBe(0)
    total = 3  // the user dispatched one; then one arrives: it shows
    q.settle('a')
    await Promise.resolve()
    expect(q.fresh('a')).toBe(0)
    total = 4
    q.refresh(false)
    await Promise.resolve()
    expect(q.fresh('a')).toBe(1)
  })
})
