import type { Data, Literal } from 'mdast';

/** remark-math's nodes (declared here: mdast-util-math's type augmentation is not a direct dependency). */
export interface Math extends Literal {
  type: 'math';
  meta?: string | null;
  data?: Data & { hName?: string; hChildren?: unknown[] };
}

export interface InlineMath extends Literal {
  type: 'inlineMath';
}
