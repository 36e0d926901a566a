// @ts-check
import { fileURLToPath } from 'node:url';
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
import deployHeaders from './src/integrations/deploy-headers.ts';
import { ISOLATION_HEADERS, builtInlineScriptHashes, siteHeaders } from './src/integrations/site-headers.ts';

/** @param {string} key */
const describeReference = (key) => {
  const ref = /** @type {Record<string, import('./src/data/references.ts').Reference>} */ (references)[key];
  return ref ? `${shortAuthors(ref)}, ${ref.year}` : undefined;
};

// Astro 7's default Markdown processor does not run remark/rehype plugins; the unified processor does.
// Plugin order matters: numbering rewrites the TeX (adds \tag), then the strict check sees the final TeX.
export default defineConfig({
  site: 'https://diffusion-step-by-step.example',
  integrations: [mdx(), svelte(), ortAssets(), testFixturePages(), deployHeaders()],
  // Header values live in src/integrations/site-headers.ts (also used for the static hosts' files).
  // Cross-origin isolation (COOP + COEP) lets ORT's WASM engine use SharedArrayBuffer threads.
  // `astro preview` (npm start, e2e, bench) serves the build with the full set, including the
  // Content-Security-Policy with the hashes of the inline scripts that build emitted. `astro dev`
  // sends no CSP: Vite's dev client and hot reload inject scripts no build-time hash covers.
  server: ({ command }) => ({
    headers:
      command === 'preview'
        ? siteHeaders(builtInlineScriptHashes(fileURLToPath(new URL('./dist/', import.meta.url))))
        : { ...ISOLATION_HEADERS },
  }),
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
