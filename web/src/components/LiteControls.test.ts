import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import LiteCombo from './LiteCombo.vue'
import LiteSegmented from './LiteSegmented'
import LiteField from './LiteField'

const items = [
  { key: 'a', label: '望江街道', hint: '江南区' },
  { key: 'b', label: '望江路' },
]

describe('LiteCombo', () => {
  it('lists matches once text is typed, picks with the keyboard and closes', async () => {
    const w = mount(LiteCombo, { props: { modelValue: '', items }, attrs: { 'data-test': 'x' } })
    const input = w.get('input[data-test="x"]') // attributes go on the input itself
    await input.trigger('focus')
    expect(w.find('ul').exists()).toBe(false) // nothing typed yet
    await w.setProps({ modelValue: '望江' })
    expect(w.findAll('li').map((l) => l.text())).toEqual(['望江街道江南区', '望江路'])
    await input.trigger('keydown', { key: 'ArrowDown' })
    await input.trigger('keydown', { key: 'ArrowDown' })
    expect(w.findAll('li')[1].attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'ArrowDown' }) // wraps to the first
    await input.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('pick')).toEqual([['a']])
    expect(w.find('ul').exists()).toBe(false)
  })
  it('emits what is typed, closes on Escape, clears with the button', async () => {
    const w = mount(LiteCombo, { props: { modelValue: '望', items } })
    const input = w.get('input')
    input.element.value = '望江'
    await input.trigger('input')
    expect(w.emitted('update:modelValue')).toEqual([['望江']])
    expect(w.find('ul').exists()).toBe(true)
    await input.trigger('keydown', { key: 'Escape' })
    expect(w.find('ul').exists()).toBe(false)
    await w.get('.lc-clear').trigger('mousedown')
    const typed = w.emitted('update:modelValue')!
    expect(typed[typed.length - 1]).toEqual([''])
    expect(w.emitted('clear')).toHaveLength(1)
  })
  it('takes the only match left on Enter, and its list is no tab stop', async () => {
    const w = mount(LiteCombo, { props: { modelValue: '望江', items } })
    const input = w.get('input')
    await input.trigger('focus')
    expect(w.get('ul').attributes('tabindex')).toBe('-1') // a scrolling list would take a Tab
    await input.trigger('keydown', { key: 'Enter' }) // two matches, none chosen: nothing taken
    expect(w.emitted('pick')).toBeUndefined()
    await w.setProps({ modelValue: '望江路', items: [items[1]] })
    await input.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('pick')).toEqual([['b']])
    // Typed exactly, by its key (a category code) or its label, among several matches.
    await w.setProps({ modelValue: ' a ', items })
    await input.trigger('focus')
    await input.trigger('keydown', { key: 'Enter' })
    expect(w.emitted('pick')).toEqual([['b'], ['a']])
  })
  it('browses every item on focus when asked to, and picks with the mouse', async () => {
    const w = mount(LiteCombo, { props: { modelValue: '', items, openOnFocus: true } })
    await w.get('input').trigger('focus')
    expect(w.findAll('li')).toHaveLength(2)
    await w.findAll('li')[1].trigger('mousedown')
    expect(w.emitted('pick')).toEqual([['b']])
  })
})

describe('LiteSegmented and LiteField', () => {
  it('marks the chosen option and emits a new choice', async () => {
    const options = [{ value: 'person', label: '个人' }, { value: 'enterprise', label: '企业' }]
    const w = mount(LiteSegmented, { props: { modelValue: 'person', options, name: 'kind' } })
    expect(w.get('label.on').text()).toBe('个人')
    await w.findAll('input')[1].trigger('change')
    expect(w.emitted('update:modelValue')).toEqual([['enterprise']])
    const bare = mount({ components: { LiteSegmented }, data: () => ({ options }), template: '<LiteSegmented model-value="person" :options="options" name="k" small />' })
    expect(bare.get('.seg').classes()).toContain('small')
  })
  it('shows the label, the required mark and the error under the control', () => {
    const w = mount(LiteField, { props: { label: '诉求内容', required: true, error: '诉求内容：必填', target: 'c' },
                                 slots: { default: '<textarea id="c" />' } })
    expect(w.get('label').attributes('for')).toBe('c')
    expect(w.get('label').classes()).toContain('req')
    expect(w.get('[role="alert"]').text()).toBe('诉求内容：必填')
    expect(w.classes()).toContain('is-error')
    expect(mount(LiteField, { props: { label: '姓名' } }).find('[role="alert"]').exists()).toBe(false)
    // A bare attribute in a template is a true boolean prop.
    expect(mount({ components: { LiteField }, template: '<LiteField label="x" required />' }).get('label').classes()).toContain('req')
  })
})
