// Flat lists with parent links (units, areas, categories) as trees for el-table / el-tree.

export type TreeNode<T> = T & { children?: TreeNode<T>[] }

// Builds the forest of `items` by `parentOf`; an item whose parent is missing becomes a root,
// so nothing is lost when the list is partial. Sibling order follows the input order.
export function buildTree<T extends object>(
  items: T[],
  idOf: (t: T) => string,
  parentOf: (t: T) => string | null | undefined,
): TreeNode<T>[] {
  const nodes = new Map<string, TreeNode<T>>()
  for (const it of items) nodes.set(idOf(it), { ...it } as TreeNode<T>)
  const roots: TreeNode<T>[] = []
  for (const it of items) {
    const node = nodes.get(idOf(it))!
    const p = parentOf(it)
    const parent = p && p !== '0' && p !== idOf(it) ? nodes.get(p) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}

// Puts each item's ancestors' names before its own: "江南区 / 望江街道".
export function pathName<T>(
  id: string | null | undefined,
  byId: Map<string, T>,
  nameOf: (t: T) => string,
  parentOf: (t: T) => string | null | undefined,
): string {
  const parts: string[] = []
  const seen = new Set<string>()
  let cur = id
  while (cur && !seen.has(cur)) {
    seen.add(cur)
    const t = byId.get(cur)
    if (!t) break
    parts.unshift(nameOf(t))
    cur = parentOf(t)
  }
  return parts.join(' / ')
}
