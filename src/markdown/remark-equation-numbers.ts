import type { Link, Root } from 'mdast';
import type { InlineMath, Math } from './math-nodes';
import type { Parent } from 'unist';
import type { VFile } from 'vfile';
import { astroFrontmatter, fileLabel } from './astro-frontmatter';
import { walk } from './mdast-walk';

/**
 * Numbers display equations per chapter and resolves cross-references.
 *
 * - Every display equation (`$$ … $$`) gets `\tag{order.n}` (or `\tag{n}` on pages without an `order`).
 * - `\label{eq:name}` inside it is removed from the TeX and becomes the id `eq-name` of a wrapper
 *   `<div class="equation">` around the rendered display.
 * - Inline math that is exactly `\eqref{eq:name}` becomes a link "(order.n)" to that wrapper.
 *
 * Unknown, duplicate or malformed labels fail the build with the file name and the label.
 */

const LABEL = /\\label\s*\{([^{}]*)\}/g;
const EQREF = /^\s*\\eqref\s*\{([^{}]*)\}\s*$/;
const LABEL_FORMAT = /^eq:[a-z0-9]+(?:-[a-z0-9]+)*$/;

export interface EquationInfo {
  label: string;
  number: string;
  id: string;
}

/** `eq:forward-marginal` → `eq-forward-marginal` (a colon is legal in ids but awkward in CSS selectors). */
export function equationAnchor(label: string): string {
  return label.replace(':', '-');
}

/**
 * remark-math renders from `data.hChildren` (a `<pre><code>` built at parse time), not from `value`,
 * so both must change together.
 */
function setTex(math: Math, tex: string): void {
  math.value = tex;
  math.data = {
    ...math.data,
    hName: 'pre',
    hChildren: [
      {
        type: 'element',
        tagName: 'code',
        properties: { className: ['language-math', 'math-display'] },
        children: [{ type: 'text', value: tex }],
      },
    ],
  };
}

export default function remarkEquationNumbers() {
  return (tree: Root, file: VFile) => {
    const frontmatter = astroFrontmatter(file);
    const order = frontmatter.order;
    const prefix = typeof order === 'number' || typeof order === 'string' ? `${order}.` : '';
    const where = fileLabel(file);
    const equations = new Map<string, EquationInfo>();
    let count = 0;

    walk(tree, (node, parent, index) => {
      if (node.type !== 'math' || !parent) return;
      const math = node as Math;
      if (/\\(?:tag|notag|nonumber)\b/.test(math.value)) {
        throw new Error(
          `${where}: display equation ${count + 1} sets its own \\tag/\\notag; equation numbers are assigned automatically.`,
        );
      }
      const labels = [...math.value.matchAll(LABEL)].map((m) => m[1].trim());
      if (labels.length > 1) {
        throw new Error(`${where}: a display equation has several labels (${labels.join(', ')}); give it exactly one.`);
      }
      count += 1;
      const number = `${prefix}${count}`;
      const label = labels[0];
      setTex(math, `${math.value.replace(LABEL, '').trimEnd()}\n\\tag{${number}}`);

      const properties: Record<string, string | string[]> = { className: ['equation'] };
      if (label !== undefined) {
        if (!LABEL_FORMAT.test(label)) {
          throw new Error(
            `${where}: equation label "${label}" must be "eq:" followed by kebab-case, e.g. eq:forward-marginal.`,
          );
        }
        if (equations.has(label)) {
          throw new Error(`${where}: equation label "${label}" is used twice.`);
        }
        const id = equationAnchor(label);
        equations.set(label, { label, number, id });
        properties.id = id;
      }
      // A wrapper element carries the anchor: rehype-katex replaces the math's own element wholesale.
      const wrapper = {
        type: 'equationBlock',
        data: { hName: 'div', hProperties: properties },
        children: [math],
      };
      (parent as Parent).children[index] = wrapper as unknown as Parent['children'][number];
    });

    walk(tree, (node, parent, index) => {
      if (node.type !== 'inlineMath' || !parent) return;
      const match = EQREF.exec((node as InlineMath).value);
      if (!match) return;
      const label = match[1].trim();
      const equation = equations.get(label);
      if (!equation) {
        const known = [...equations.keys()].join(', ') || 'none';
        throw new Error(
          `${where}: \\eqref{${label}} refers to an unknown equation label "${label}" (labels in this file: ${known}).`,
        );
      }
      const link: Link = {
        type: 'link',
        url: `#${equation.id}`,
        children: [{ type: 'text', value: `(${equation.number})` }],
        data: { hProperties: { className: ['eqref'] } },
      };
      (parent as Parent).children[index] = link;
    });

    frontmatter.equations = [...equations.values()];
  };
}
