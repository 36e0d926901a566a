// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import remarkEquationNumbers from './src/markdown/remark-equation-numbers.ts';
import remarkCitations from './src/markdown/remark-citations.ts';
import remarkKatexStrict from './src/markdown/remark-katex-strict.ts';
import { references, shortAuthors } from './src/data/references.ts';
import ortAssets from './src/integrations/ort-assets.ts';
import testFixturePages from './src/integrations/test-fixture-pages.ts';

/** @param {string} key */
const describeReference = (key) => {
  const ref = /** @type {Record<string, import('./src/data/references.ts').Reference>} */ (references)[key];
  return ref ? `${shortAuthors(ref)}, ${ref.year}` : undefined;
};

// Astro 7's default Markdown processor does not run remark/rehype plugins; the unified processor does.
// Plugin order matters: numbering rewrites the TeX (adds \tag), then the strict check sees the final TeX.
export default defineConfig({
  site: 'https://diffusion-step-by-step.example',
  integrations: [mdx(), svelte(), ortAssets(), testFixturePages()],
  // Cross-origin isolation (COOP + COEP) lets ORT's WASM engine use SharedArrayBuffer threads.
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  markdown: {
    processor: unified({
      remarkPlugins: [
        remarkMath,
        remarkEquationNumbers,
        remarkKatexStrict,
        [remarkCitations, { keys: Object.keys(references), describe: describeReference }],
      ],
      // htmlAndMathml: the HTML is aria-hidden and screen readers read the MathML.
      rehypePlugins: [[rehypeKatex, { output: 'htmlAndMathml' }]],
    }),
  },
});
