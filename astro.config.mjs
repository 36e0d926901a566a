// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import svelte from '@astrojs/svelte';
import { unified } from '@astrojs/markdown-remark';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';

// Astro 7's default Markdown processor does not run remark/rehype plugins; the unified processor does.
export default defineConfig({
  site: 'https://diffusion-step-by-step.example',
  integrations: [mdx(), svelte()],
  markdown: {
    processor: unified({
      remarkPlugins: [remarkMath],
      rehypePlugins: [[rehypeKatex, { output: 'html', throwOnError: true }]],
    }),
  },
});
