import { describe, expect, it } from 'vitest'
import { useKeyset } from './dqKeyset'

function pages(n: number, size: number) {
  const calls: (string | null)[] = []
  const fetcher = async (cursor: string | null) => {
    calls.push(cursor)
    const start = cursor ? Number(cursor) : 0
    const items = Array.from({ length: Math.min(size, n - start) }, (_, i) => ({ id: start + i }))
    const next = start + size < n ? String(start + size) : null
    return { items, total: n, next_cursor: next }
  }
  return { fetcher, calls }
}

describe('useKeyset', () => {
  it('appends pages until done', async () => {
    const { fetcher, calls } = pages(250, 100)
    const k = useKeyset(fetcher)
    await k.reset()
    expect(k.state.items.length).toBe(100)
    await Promise.all([k.more(), k.more()]) // one request only
    expect(k.state.items.length).toBe(200)
    await k.more()
    expect(k.state.done).toBe(true)
    await k.more()
    expect(calls).toEqual([null, '100', '200'])
    expect(k.state.total).toBe(250)
  })
  it('drops late answers of an old query', async () => {
    let release: () => void = () => {}
    let first = true
    const k = useKeyset<{ id: number }>(async () => {
      if (first) {
        first = false
        await new Promise<void>((r) => (release = r))
        return { items: [{ id: 1 }], total: 1, next_cursor: null }
      }
      return { items: [{ id: 2 }], total: 1, next_cursor: null }
    })
    const old = k.reset()
    await k.reset()
    release()
    await old
    expect(k.state.items.map((x) => x.id)).toEqual([2])
  })
  it('replaces or drops a row', async () => {
    const { fetcher } = pages(3, 10)
    const k = useKeyset(fetcher)
    await k.reset()
    k.replace((x) => x.id === 1, null)
    expect(k.state.items.map((x) => x.id)).toEqual([0, 2])
    expect(k.state.total).toBe(2)
    k.replace((x) => x.id === 2, { id: 7 })
    expect(k.state.items.map((x) => x.id)).toEqual([0, 7])
  })
  it('keeps the error in Chinese', async () => {
    const k = useKeyset(async () => { throw new Error('boom') })
    await k.reset()
    expect(k.state.error).toContain('网络错误')
    expect(k.state.loading).toBe(false)
  })
})
