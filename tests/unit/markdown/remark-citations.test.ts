import { readFileSync } from 'node:fs';
import type { PluggableList } from 'unified';
import { describe, expect, it } from 'vitest';
import { references } from '../../../src/data/references';
import remarkCitations from '../../../src/markdown/remark-citations';
import { renderMdx } from './pipeline';

const fixture = readFileSync(new URL('../../fixtures/markdown/citations.mdx', import.meta.url), 'utf8');
const plugins: PluggableList = [[remarkCitations, { keys: Object.keys(references) }]];

function citationLinks(html: string): Array<[string, string]> {
  return [...html.matchAll(/<a href="#(ref-[^"]+)"[^>]*>(\d+)<\/a>/g)].map((m) => [m[1], m[2]]);
}

describe('remark-citations', () => {
  it('numbers citations by first appearance and links each to its reference anchor', async () => {
    const { html } = await renderMdx(fixture, plugins);
    expect(citationLinks(html)).toEqual([
      ['ref-sohl-dickstein2015', '1'],
      ['ref-ho2020', '2'],
      ['ref-nichol2021', '3'],
      ['ref-sohl-dickstein2015', '1'],
      ['ref-song2021ddim', '4'],
    ]);
  });

  it('keeps brackets and separators as visible text and leaves no raw keys in prose', async () => {
    const { html } = await renderMdx(fixture, plugins);
    const text = html.replace(/<code>.*?<\/code>/g, '').replace(/<[^>]+>/g, '');
    expect(text).toContain('by DDPM [2, 3].');
    expect(text).not.toMatch(/\[@/);
    expect(html).toContain('<code>[@notacitation]</code>');
  });

  it('exposes the cited keys in order of first citation', async () => {
    const { frontmatter } = await renderMdx(fixture, plugins);
    expect(frontmatter.citations).toEqual(['sohl-dickstein2015', 'ho2020', 'nichol2021', 'song2021ddim']);
  });

  it('fails the build on an unknown key, naming file and key', async () => {
    await expect(renderMdx('As shown [@ho2020; @nobody1999].\n', plugins)).rejects.toThrow(
      /content\/chapters\/fixture\.mdx: citation \[@nobody1999\]/,
    );
  });

  it('every bibliography entry has authors, a year, a title and a link target', () => {
    for (const [key, ref] of Object.entries(references)) {
      expect(ref.authors.length, key).toBeGreaterThan(0);
      expect(ref.year, key).toBeGreaterThan(1990);
      expect(ref.title.length, key).toBeGreaterThan(5);
      expect('arxiv' in ref || 'doi' in ref, key).toBe(true);
      if ('arxiv' in ref) expect(ref.arxiv, key).toMatch(/^\d{4}\.\d{5}$/);
    }
  });
});
