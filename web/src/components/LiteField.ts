// A labelled row of the workbench form with its error under the control, in plain HTML.
// A functional component (no instance of its own): the form has a dozen of them and is on
// the agent's first screen. Styles: .lf* in style.css.
import { h, type FunctionalComponent } from 'vue'

interface Props {
  label: string
  error?: string
  required?: boolean
  target?: string // id of the control the label is for
}

const LiteField: FunctionalComponent<Props> = (props, { slots }) =>
  h('div', { class: ['lf', { 'is-error': !!props.error }] }, [
    h('label', { class: ['lf-label', { req: props.required }], for: props.target }, props.label),
    h('div', { class: 'lf-body' }, [
      slots.default?.(),
      props.error ? h('div', { class: 'lf-error', role: 'alert' }, props.error) : null,
    ]),
  ])
// Declared with types so a bare `required` attribute casts to true.
LiteField.props = { label: String, error: String, required: Boolean, target: String }
export default LiteField
