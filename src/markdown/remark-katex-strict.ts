import katex from 'katex';
import type { Root } from 'mdast';
import type { InlineMath, Math } from './math-nodes';
import type { VFile } from 'vfile';
import { fileLabel } from './astro-frontmatter';
import { walk } from './mdast-walk';

/**
 * Fails the build on TeX that KaTeX cannot render. rehype-katex only records a warning and emits
 * red error markup, which would ship raw TeX to readers.
 */
export default function remarkKatexStrict() {
  return (tree: Root, file: VFile) => {
    walk(tree, (node) => {
      if (node.type !== 'math' && node.type !== 'inlineMath') return;
      const math = node as Math | InlineMath;
      try {
        katex.renderToString(math.value, { displayMode: node.type === 'math', throwOnError: true });
      } catch (error) {
        const line = math.position?.start.line;
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `${fileLabel(file)}${line ? `:${line}` : ''}: KaTeX cannot render "${math.value.trim()}": ${reason}`,
        );
      }
    });
  };
}
