import { describe, expect, it } from 'vitest'
import { categoryTree, emptyFilters, loadSavedFilters, nearEnd, phoneAllowed, saveFilters, ticketsQuery, visibleRange } from './dqTickets'

describe('tickets search', () => {
  it('builds the query, phone only for allowed roles', () => {
    const f = { ...emptyFilters(), status: 'received', q: ' 路灯 ', phone: '138 0000 1234', overdue: true, warning: 'yellow', category: '01', area_id: '7' }
    expect(ticketsQuery(f, 'dispatcher', 100)).toEqual({ page_size: 100, status: 'received', q: '路灯', phone: '13800001234', category: '01', area_id: '7', overdue: true, warning: 'yellow' })
    expect(ticketsQuery(f, 'unit_handler').phone).toBeUndefined()
    expect(ticketsQuery(emptyFilters(), 'admin', 50)).toEqual({ page_size: 50 })
    expect(phoneAllowed('qa_inspector')).toBe(false)
    expect(phoneAllowed(undefined)).toBe(false)
  })
  it('builds the category tree', () => {
    const tree = categoryTree([
      { code: '0101', name: '物业', parent_code: '01' }, { code: '01', name: '城建', parent_code: null },
      { code: '010101', name: '物业服务', parent_code: '0101' }, { code: '02', name: '环保', parent_code: null },
    ])
    expect(tree.map((n) => n.value)).toEqual(['01', '02'])
    expect(tree[0].children![0].children![0].label).toBe('010101 物业服务')
  })
  it('prefetches near the end', () => {
    expect(nearEnd(0, 600, 100, 44)).toBe(false) // 4400 px of rows
    expect(nearEnd(3300, 600, 100, 44, 600)).toBe(true)
    expect(nearEnd(0, 600, 5, 44)).toBe(true)
  })
  it('draws the rows in view and a few around them', () => {
    expect(visibleRange(0, 440, 1000, 44, 2)).toEqual([0, 12]) // rows 0-9 in view, 2 below
    expect(visibleRange(4400, 440, 1000, 44, 2)).toEqual([98, 112])
    expect(visibleRange(4420, 440, 1000, 44, 0)).toEqual([100, 111]) // half rows at both edges
    expect(visibleRange(43900, 440, 1000, 44, 6)).toEqual([991, 1000]) // clamped at the end
    expect(visibleRange(0, 440, 0, 44)).toEqual([0, 0])
    expect(visibleRange(9999, 440, 3, 44)).toEqual([3, 3]) // list shrank under the scroll position
    expect(visibleRange(-20, 440, 100, 44, 0)).toEqual([0, 10])
  })
  it('keeps filters per tab', () => {
    saveFilters({ ...emptyFilters(), q: 'x' }, 'a')
    expect(loadSavedFilters('a').q).toBe('x')
    expect(loadSavedFilters('b').q).toBe('')
  })
})
