import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import WbKnowledge from './WbKnowledge.vue'

// Element Plus is not installed in these tests: plain stand-ins that pass clicks through.
const stubs = {
  'el-card': { template: '<div><slot name="header" /><slot /></div>' },
  'el-checkbox': { template: '<label><slot /></label>' },
  'el-button': { template: '<button><slot /></button>' },
  'el-link': { template: '<a><slot /></a>' },
}
const entries = [
  { id: '1', title: '停水原因及恢复供水时间查询', body: '计划停水以供水公司公告为准。' },
  { id: '2', title: '燃气报修', body: '燃气泄漏请拨打抢修电话。' },
]

describe('WbKnowledge', () => {
  it('an entry inserted into the answer is ticked, so the direct answer records it', async () => {
    const w = mount(WbKnowledge, {
      props: { entries, cases: [], loadingKb: false, loadingCases: false, modelValue: ['2'] },
      global: { stubs },
    })
    await w.findAll('[data-test="wb-kb-insert"]')[0].trigger('click')
    expect(w.emitted('insert')).toEqual([['计划停水以供水公司公告为准。']])
    expect(w.emitted('update:modelValue')).toEqual([[['2', '1']]])
    // Inserting a ticked entry again does not untick it.
    await w.setProps({ modelValue: ['2', '1'] })
    await w.findAll('[data-test="wb-kb-insert"]')[0].trigger('click')
    expect(w.emitted('update:modelValue')).toHaveLength(1)
  })
})
