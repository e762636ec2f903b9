// One choice of a few, as a row of buttons (native radio inputs: arrow keys move the
// choice, Tab leaves the group), for the workbench form drawn before Element Plus loads.
// Functional (no instance of its own), like LiteField. Styles: .seg* in style.css.
import { h, type FunctionalComponent } from 'vue'

interface Props {
  modelValue: string
  options: { value: string; label: string }[]
  name: string
  small?: boolean
}

const LiteSegmented: FunctionalComponent<Props, { 'update:modelValue': (v: string) => void }> = (props, { emit }) =>
  h('div', { class: ['seg', { small: props.small }], role: 'radiogroup' }, props.options.map((o) =>
    h('label', { key: o.value, class: ['seg-item', { on: o.value === props.modelValue }] }, [
      h('input', { type: 'radio', name: props.name, value: o.value, checked: o.value === props.modelValue,
                   onChange: () => emit('update:modelValue', o.value) }),
      o.label,
    ])))
// Declared with types so a bare `small` attribute casts to true.
LiteSegmented.props = { modelValue: String, options: Array, name: String, small: Boolean }
LiteSegmented.emits = ['update:modelValue']
export default LiteSegmented
