import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import remarkEquationNumbers from '../../../src/markdown/remark-equation-numbers';
import remarkKatexStrict from '../../../src/markdown/remark-katex-strict';
import { renderMdx } from './pipeline';

const fixture = readFileSync(new URL('../../fixtures/markdown/equations.mdx', import.meta.url), 'utf8');
const plugins = [remarkEquationNumbers, remarkKatexStrict];

/** Visible equation numbers, in document order, as KaTeX typesets `\tag` (the HTML part, not MathML). */
function tagsIn(html: string): string[] {
  return [...html.matchAll(/<span class="tag">(.*?)<\/span><\/span><\/span>/g)].map((m) =>
    m[1].replace(/<[^>]+>/g, '').replace(/\u200b/g, ''),
  );
}

describe('remark-equation-numbers', () => {
  it('numbers every display equation as (order.n) in document order', async () => {
    const { html } = await renderMdx(fixture, plugins, { order: 3 });
    expect(tagsIn(html)).toEqual(['(3.1)', '(3.2)', '(3.3)']);
  });

  it('puts a safe anchor id on the wrapper of labelled equations only', async () => {
    const { html } = await renderMdx(fixture, plugins, { order: 3 });
    expect(html.match(/<div class="equation"( id="[^"]*")?>/g)).toEqual([
      '<div class="equation" id="eq-forward-marginal">',
      '<div class="equation">',
      '<div class="equation" id="eq-posterior">',
    ]);
    expect(html).not.toContain('\\label');
  });

  it('turns \\eqref into a link to the anchor, including forward references', async () => {
    const { html } = await renderMdx(fixture, plugins, { order: 3 });
    expect(html).toContain('<a href="#eq-posterior" class="eqref">(3.3)</a>');
    expect(html).toContain('<a href="#eq-forward-marginal" class="eqref">(3.1)</a>');
    expect(html).not.toContain('eqref{');
    // Ordinary inline math is still typeset by KaTeX.
    expect(html).toMatch(/<span class="katex">.*β/s);
  });

  it('exposes the equations to the layout through frontmatter', async () => {
    const { frontmatter } = await renderMdx(fixture, plugins, { order: 3 });
    expect(frontmatter.equations).toEqual([
      { label: 'eq:forward-marginal', number: '3.1', id: 'eq-forward-marginal' },
      { label: 'eq:posterior', number: '3.3', id: 'eq-posterior' },
    ]);
  });

  it('numbers plainly (n) on pages without a chapter order', async () => {
    const { html } = await renderMdx('$$\na = b\n$$\n', plugins, {});
    expect(tagsIn(html)).toEqual(['(1)']);
  });

  it('fails the build on an unknown label, naming file and label', async () => {
    await expect(
      renderMdx('See $\\eqref{eq:missing}$.\n\n$$\nx\n\\label{eq:there}\n$$\n', plugins, { order: 1 }),
    ).rejects.toThrow(/content\/chapters\/fixture\.mdx.*eq:missing/);
  });

  it('rejects duplicate and malformed labels and hand-written tags', async () => {
    const twice = '$$\na\n\\label{eq:a}\n$$\n\n$$\nb\n\\label{eq:a}\n$$\n';
    await expect(renderMdx(twice, plugins, { order: 1 })).rejects.toThrow(/"eq:a" is used twice/);
    await expect(renderMdx('$$\na\n\\label{Forward}\n$$\n', plugins, { order: 1 })).rejects.toThrow(/kebab-case/);
    await expect(renderMdx('$$\na \\tag{7}\n$$\n', plugins, { order: 1 })).rejects.toThrow(/assigned automatically/);
  });

  it('fails on TeX that KaTeX cannot render instead of shipping an error box', async () => {
    await expect(renderMdx('Broken $\\frac{1}{$ here.\n', plugins, { order: 1 })).rejects.toThrow(
      /fixture\.mdx:1: KaTeX cannot render/,
    );
  });
});
