import { describe, expect, it } from 'vitest'
import { buildTree, pathName } from './adTree'

type N = { id: string; parent_id: string | null; name: string }
const items: N[] = [
  { id: '1', parent_id: null, name: '市' },
  { id: '2', parent_id: '1', name: '区' },
  { id: '3', parent_id: '2', name: '街道' },
  { id: '4', parent_id: '99', name: '孤儿' },
]

describe('buildTree', () => {
  it('nests children and keeps orphans as roots', () => {
    const t = buildTree(items, (x) => x.id, (x) => x.parent_id)
    expect(t.map((x) => x.id)).toEqual(['1', '4'])
    expect(t[0].children![0].children![0].name).toBe('街道')
  })
  it('names the path', () => {
    const byId = new Map(items.map((x) => [x.id, x]))
    expect(pathName('3', byId, (x) => x.name, (x) => x.parent_id)).toBe('市 / 区 / 街道')
    expect(pathName(null, byId, (x) => x.name, (x) => x.parent_id)).toBe('')
  })
})

import { fieldErrors } from './adRefs'
import { ApiError } from './api'

describe('fieldErrors', () => {
  it('puts the server detail next to the named field', () => {
    const e = new ApiError(400, 'invalid_argument', "code: '01' appears twice", 'code')
    expect(fieldErrors(e, 'x')).toEqual({ code: '「01」重复' })
    expect(fieldErrors(new ApiError(400, 'invalid_argument', 'aliases[1]: must be a string', 'aliases[1]'), 'x'))
      .toEqual({ aliases: '应为文本' })  // in Chinese where the wording is known
    expect(fieldErrors(new ApiError(400, 'invalid_argument', 'active: you cannot disable your own account', 'active'), 'x'))
      .toEqual({ active: '不能停用自己的账号' })
  })
  it('falls back to the general message', () => {
    expect(fieldErrors(new Error('boom'), '网络错误：boom')).toEqual({ _: '网络错误：boom' })
  })
})
