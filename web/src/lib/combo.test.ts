import { describe, expect, it } from 'vitest'
import { typedItem } from './combo'

describe('typedItem', () => {
  const cats = [
    { key: '0101', label: '城乡建设 / 市政设施' },
    { key: '010101', label: '城乡建设 / 市政设施 / 路灯' },
    { key: '010102', label: '城乡建设 / 市政设施 / 道路' },
  ]
  it('takes the item typed exactly, by key or label, among several', () => {
    expect(typedItem(cats, ' 0101 ')).toBe(0)
    expect(typedItem(cats, '城乡建设 / 市政设施 / 道路')).toBe(2)
  })
  it('takes the one match left, and none of several it does not name', () => {
    expect(typedItem([cats[1]], '路灯')).toBe(0)
    expect(typedItem(cats, '市政')).toBe(-1)
    expect(typedItem([], '路灯')).toBe(-1)
  })
})
