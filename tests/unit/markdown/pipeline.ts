import rehypeKatex from 'rehype-katex';
import rehypeStringify from 'rehype-stringify';
import remarkMath from 'remark-math';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified, type PluggableList } from 'unified';
import { VFile } from 'vfile';

/** The MDX flavour of markdown (remark-mdx), math, given plugins, then KaTeX to HTML — as the site builds it. */
export async function renderMdx(
  source: string,
  remarkPlugins: PluggableList,
  frontmatter: Record<string, unknown> = {},
) {
  const file = new VFile({
    value: source,
    path: '/repo/content/chapters/fixture.mdx',
    cwd: '/repo',
    data: { astro: { frontmatter } },
  });
  const html = String(
    await unified()
      .use(remarkParse)
      .use(remarkMdx)
      .use(remarkMath)
      .use(remarkPlugins)
      .use(remarkRehype)
      .use(rehypeKatex, { output: 'htmlAndMathml' })
      .use(rehypeStringify)
      .process(file),
  );
  return { html, frontmatter: (file.data as { astro: { frontmatter: Record<string, unknown> } }).astro.frontmatter };
}
