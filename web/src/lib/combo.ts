// What a typed-into picker (LiteCombo) takes without a choice from its list.
export interface ComboItem {
  key: string
  label: string
  hint?: string
}

// The item the text names: the one whose key or label is exactly what was typed (a category
// code such as 0101, which also begins its children's), else the one match left; -1 for none.
export function typedItem(items: ComboItem[], text: string): number {
  const t = text.trim()
  const exact = items.findIndex((item) => item.key === t || item.label === t)
  if (exact >= 0) return exact
  return items.length === 1 ? 0 : -1
}
