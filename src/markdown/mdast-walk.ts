import type { Node, Parent } from 'unist';

/** Depth-first, document-order visit of every node with its parent (no dependency on unist-util-visit). */
export function walk(
  node: Node,
  visit: (node: Node, parent: Parent | undefined, index: number) => void,
  parent?: Parent,
  index = -1,
): void {
  visit(node, parent, index);
  const children = (node as Partial<Parent>).children;
  if (!Array.isArray(children)) return;
  // Length is re-read each step: a visitor may splice replacements in at its own index.
  for (let i = 0; i < children.length; i++) walk(children[i], visit, node as Parent, i);
}
