import type { Link, Root, Text } from 'mdast';
import type { Parent } from 'unist';
import type { VFile } from 'vfile';
import { astroFrontmatter, fileLabel } from './astro-frontmatter';
import { walk } from './mdast-walk';

/**
 * Turns `[@key]` and `[@a; @b]` in prose into numbered citation links `[1]`, `[1, 2]` pointing at
 * `#ref-key`. Numbers follow order of first citation within the file. The cited keys, in that order,
 * are exposed as `frontmatter.citations` (Astro: `remarkPluginFrontmatter.citations`).
 * An unknown key fails the build with the file name and the key.
 */

export interface CitationOptions {
  /** Every key that may be cited (the bibliography). */
  keys: readonly string[];
  /** Optional human label per key (e.g. "Ho et al. 2020") for the link's accessible name. */
  describe?: (key: string) => string | undefined;
}

const CITATION = /\[\s*(@[A-Za-z0-9_:.-]+(?:\s*;\s*@[A-Za-z0-9_:.-]+)*)\s*\]/g;

export default function remarkCitations(options: CitationOptions) {
  const known = new Set(options?.keys ?? []);
  return (tree: Root, file: VFile) => {
    const where = fileLabel(file);
    const order: string[] = [];
    const numberOf = (key: string): number => {
      if (!known.has(key)) {
        throw new Error(`${where}: citation [@${key}] does not match any key in src/data/references.ts.`);
      }
      let index = order.indexOf(key);
      if (index === -1) index = order.push(key) - 1;
      return index + 1;
    };

    walk(tree, (node, parent, index) => {
      if (node.type !== 'text' || !parent || parent.type === 'link') return;
      const text = (node as Text).value;
      CITATION.lastIndex = 0;
      if (!CITATION.test(text)) return;
      CITATION.lastIndex = 0;

      const replacement: Array<Text | Link | Parent> = [];
      let cursor = 0;
      for (const match of text.matchAll(CITATION)) {
        if (match.index > cursor) replacement.push({ type: 'text', value: text.slice(cursor, match.index) });
        const keys = match[1].split(';').map((part) => part.trim().slice(1));
        const parts: Array<Text | Link> = [{ type: 'text', value: '[' }];
        keys.forEach((key, i) => {
          const n = numberOf(key);
          if (i > 0) parts.push({ type: 'text', value: ', ' });
          const description = options?.describe?.(key);
          parts.push({
            type: 'link',
            url: `#ref-${key}`,
            children: [{ type: 'text', value: String(n) }],
            data: {
              hProperties: {
                className: ['citation-link'],
                ...(description ? { title: description, 'aria-label': `Reference ${n}: ${description}` } : {}),
              },
            },
          });
        });
        parts.push({ type: 'text', value: ']' });
        replacement.push({
          type: 'citation',
          data: { hName: 'span', hProperties: { className: ['citation'] } },
          children: parts,
        } as unknown as Parent);
        cursor = match.index + match[0].length;
      }
      if (cursor < text.length) replacement.push({ type: 'text', value: text.slice(cursor) });
      // The inserted pieces contain no further citations, so the walker revisiting them is harmless.
      (parent as Parent).children.splice(index, 1, ...(replacement as Parent['children']));
    });

    astroFrontmatter(file).citations = order;
  };
}
