import { readdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './support/test';

/**
 * Site structure: home, chapter layout, notation, search, accessibility and zero-JS pages.
 * Chapter checks are structural (numbering, links, anchors), so they hold for any chapter content.
 */

interface ChapterLink {
  title: string;
  href: string;
}

async function chaptersFromHome(page: Page): Promise<ChapterLink[]> {
  await page.goto('/');
  const contents = page.getByRole('region', { name: 'Contents' });
  const links = contents.getByRole('link');
  const count = await links.count();
  const chapters: ChapterLink[] = [];
  for (let i = 0; i < count; i++) {
    const link = links.nth(i);
    const text = (await link.innerText()).replace(/^Chapter \d+\.\s*/, '').trim();
    chapters.push({ title: text, href: (await link.getAttribute('href')) ?? '' });
  }
  return chapters;
}

/** Visible text of the page with KaTeX's MathML (screen-reader copy, which holds the TeX source) removed. */
async function visibleTextWithoutMathml(page: Page, selector = 'main'): Promise<string> {
  return page.locator(selector).evaluate((root) => {
    const clone = root.cloneNode(true) as HTMLElement;
    clone.querySelectorAll('.katex-mathml').forEach((n) => n.remove());
    return clone.textContent ?? '';
  });
}

const RAW_TEX = [/\$\$/, /\\frac\b/, /\\label\{/, /\\eqref\{/, /\\begin\{/, /\\mathbf\{/, /\[@[\w-]+/];

async function expectNoRawTex(page: Page) {
  const text = await visibleTextWithoutMathml(page);
  for (const pattern of RAW_TEX) expect(text, `raw source ${pattern} left in the page`).not.toMatch(pattern);
  await expect(page.locator('.katex-error')).toHaveCount(0);
}

test('home presents the book and lists every chapter with a working link', async ({ page }) => {
  const chapters = await chaptersFromHome(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Diffusion, Step by Step');
  expect(chapters.length).toBeGreaterThan(0);
  for (const chapter of chapters) {
    expect(chapter.href).toMatch(/^\/chapters\/[\w-]+\/$/);
    const response = await page.goto(chapter.href);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(chapter.title);
  }
});

test('every page header has a labelled search form that leads to /search/', async ({ page }) => {
  for (const path of ['/', '/notation/', '/shapes-world/']) {
    await page.goto(path);
    const form = page.getByRole('search');
    await expect(form).toHaveAttribute('action', '/search/');
    await expect(form.getByRole('searchbox', { name: 'Search the book' })).toBeVisible();
  }
});

test('chapters: KaTeX only, numbered equations, working cross-references, citations and navigation', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const chapters = await chaptersFromHome(page);
  let eqrefsSeen = 0;
  let citationsSeen = 0;
  const fontResponses: string[] = [];
  page.on('response', (r) => {
    if (/KaTeX_[\w-]+\.[\w-]+\.woff2$/.test(r.url()) && r.ok()) fontResponses.push(r.url());
  });

  for (const [index, chapter] of chapters.entries()) {
    await page.goto(chapter.href);
    const main = page.getByRole('main');
    const order = Number((await page.locator('.chapter-header .eyebrow').innerText()).replace(/\D+/g, ''));
    expect(order).toBeGreaterThan(0);

    // Math is typeset, no TeX or citation source is left in the text.
    await expect(main.locator('.katex').first()).toBeVisible();
    await expectNoRawTex(page);

    // Equations numbered (order.1), (order.2), … in document order.
    const tags = await main.locator('.katex-display .tag').allInnerTexts();
    expect(tags.map((t) => t.replace(/\s|\u200b/g, ''))).toEqual(tags.map((_, i) => `(${order}.${i + 1})`));

    // Every \eqref link points at an existing equation carrying that number.
    const eqrefs = main.getByRole('link', { name: /^\(\d+\.\d+\)$/ });
    const eqrefCount = await eqrefs.count();
    eqrefsSeen += eqrefCount;
    for (let i = 0; i < eqrefCount; i++) {
      const link = eqrefs.nth(i);
      const href = (await link.getAttribute('href')) ?? '';
      expect(href).toMatch(/^#eq-[a-z0-9-]+$/);
      const target = page.locator(`[id="${href.slice(1)}"]`);
      await expect(target).toHaveCount(1);
      await expect(target.locator('.katex-html .tag')).toHaveText(await link.innerText());
    }
    if (eqrefCount > 0) {
      const first = eqrefs.first();
      const href = (await first.getAttribute('href')) ?? '';
      await first.click();
      await expect(page).toHaveURL(new RegExp(`${href}$`));
      await expect(page.locator(`[id="${href.slice(1)}"]`)).toBeInViewport();
    }

    // Citations: numbered by first appearance, each linking to its entry in References.
    const references = page.getByRole('region', { name: 'References' });
    const citations = main.getByRole('link', { name: /^Reference \d+:/ });
    const citationCount = await citations.count();
    citationsSeen += citationCount;
    if (citationCount > 0) {
      const entries = references.getByRole('listitem');
      for (let i = 0; i < citationCount; i++) {
        const link = citations.nth(i);
        const n = Number(await link.innerText());
        const href = (await link.getAttribute('href')) ?? '';
        expect(href).toMatch(/^#ref-[\w-]+$/);
        await expect(entries.nth(n - 1)).toHaveAttribute('id', href.slice(1));
        await expect(entries.nth(n - 1)).toContainText(/arXiv:\d{4}\.\d{5}|doi:10\./);
        await expect(entries.nth(n - 1).getByRole('link')).toHaveAttribute(
          'href',
          /^https:\/\/(arxiv\.org\/abs|doi\.org)\//,
        );
      }
      await citations.first().click();
      await expect(page.locator(`[id="${(await citations.first().getAttribute('href'))!.slice(1)}"]`)).toBeInViewport();
    } else {
      await expect(references).toHaveCount(0);
    }

    // Sidebar marks the current chapter; the header shows objectives.
    const sidebar = page.getByRole('navigation', { name: 'Chapters' });
    await expect(sidebar.locator('[aria-current="page"]')).toHaveAttribute('href', chapter.href);
    await expect(page.getByRole('region', { name: 'You will learn to' }).getByRole('listitem').first()).toBeVisible();
    await expect(sidebar.getByRole('link', { name: 'Notation' })).toHaveAttribute('href', '/notation/');

    // On-page table of contents: every anchor resolves to exactly one element.
    const toc = page.getByRole('navigation', { name: 'On this page' });
    const tocLinks = toc.getByRole('link');
    for (let i = 0; i < (await tocLinks.count()); i++) {
      const href = (await tocLinks.nth(i).getAttribute('href')) ?? '';
      expect(href.startsWith('#')).toBe(true);
      await expect(page.locator(`[id="${decodeURIComponent(href.slice(1))}"]`)).toHaveCount(1);
    }

    // Previous / next follow the order on the home page and only name chapters that exist.
    const pager = page.getByRole('navigation', { name: 'Previous and next chapter' });
    const previous = chapters[index - 1];
    const next = chapters[index + 1];
    if (!previous && !next) await expect(pager).toHaveCount(0);
    if (previous)
      await expect(
        pager.getByRole('link', { name: new RegExp(`Previous.*${escape(previous.title)}`) }),
      ).toHaveAttribute('href', previous.href);
    else await expect(page.locator('a[rel="prev"]')).toHaveCount(0);
    if (next)
      await expect(pager.getByRole('link', { name: new RegExp(`Next.*${escape(next.title)}`) })).toHaveAttribute(
        'href',
        next.href,
      );
    else await expect(page.locator('a[rel="next"]')).toHaveCount(0);
  }

  // The book as a whole uses the conventions (the DDPM chapter cites papers and references equations).
  expect(eqrefsSeen, 'no \\eqref link in any chapter').toBeGreaterThan(0);
  expect(citationsSeen, 'no citation in any chapter').toBeGreaterThan(0);
  // KaTeX fonts are self-hosted and load.
  expect(fontResponses.every((url) => url.startsWith(test.info().project.use.baseURL ?? ''))).toBe(true);
  expect(fontResponses.length).toBeGreaterThan(0);
  expect(await page.evaluate(async () => (await document.fonts.ready, document.fonts.check('16px KaTeX_Main')))).toBe(
    true,
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('wide equations scroll inside the column on a phone-sized screen', async ({ page }) => {
  test.setTimeout(180_000);
  const chapters = await chaptersFromHome(page);
  await page.setViewportSize({ width: 360, height: 740 });
  for (const chapter of chapters) {
    await page.goto(chapter.href);
    await page.evaluate(() => document.fonts.ready);
    // Nothing widens the page: list the outermost elements that stick out past the viewport, if any.
    const offenders = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const clippedByAncestor = (el: Element) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
          const style = getComputedStyle(a);
          if (style.overflowX !== 'visible' || style.clip !== 'auto') return true;
        }
        return false;
      };
      const sticksOut = (el: Element) => el.getBoundingClientRect().right > width + 1 && !clippedByAncestor(el);
      return [...document.querySelectorAll('body *')]
        .filter((el) => sticksOut(el) && !(el.parentElement && sticksOut(el.parentElement)))
        .map((el) => {
          const figure = el.closest('figure');
          const where = figure?.querySelector('h2, h3, h4, figcaption')?.textContent?.trim().slice(0, 60) ?? 'page';
          return `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''} in figure "${where}"`;
        });
    });
    expect(offenders, `${chapter.href}: elements wider than a 360px screen`).toEqual([]);
    // Equations that scroll can be reached and scrolled by keyboard; the others are not tab stops.
    const focusability = await page
      .locator('.katex-display')
      .evaluateAll((displays) =>
        displays.map((d) => ({
          overflows: d.scrollWidth > d.clientWidth + 1,
          focusable: d.getAttribute('tabindex') === '0',
        })),
      );
    for (const { overflows, focusable } of focusability) expect(focusable).toBe(overflows);
    const results = await new AxeBuilder({ page }).analyze();
    expect(
      results.violations.map((v) => v.id),
      chapter.href,
    ).toEqual([]);
  }
});

test('notation page renders its math', async ({ page }) => {
  const response = await page.goto('/notation/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notation');
  await expect(page.getByRole('main').locator('.katex').first()).toBeVisible();
  await expect(page.getByRole('table').first()).toBeVisible();
  await expectNoRawTex(page);
});

test('pages without widgets ship no JavaScript', async ({ page, request }) => {
  for (const path of ['/', '/notation/', '/shapes-world/']) {
    const html = await (await request.get(path)).text();
    expect(html, `${path} contains a <script>`).not.toMatch(/<script(?![^>]*type="application\/ld\+json")/i);
    expect(html).not.toContain('<astro-island');
    await page.goto(path);
    await expect(page.locator('script:not([type="application/ld+json"])')).toHaveCount(0);
  }
});

test('search finds a word from a chapter, from the header form, in the browser', async ({ page }) => {
  const [chapter] = await chaptersFromHome(page);
  await page.goto(chapter.href);
  // A distinctive word from the chapter's first section heading.
  const heading = await page.locator('[data-pagefind-body] h2').first().innerText();
  const word = heading.split(/[^A-Za-z]+/).sort((a, b) => b.length - a.length)[0];
  expect(word.length).toBeGreaterThan(3);

  await page.getByRole('searchbox', { name: 'Search the book' }).fill(word);
  await page.getByRole('searchbox', { name: 'Search the book' }).press('Enter');
  await expect(page).toHaveURL(new RegExp(`/search/\\?q=${word}$`));
  const result = page.locator('.pagefind-ui__result-link', { hasText: chapter.title }).first();
  await expect(result).toBeVisible({ timeout: 15_000 });
  await expect(result).toHaveAttribute('href', new RegExp(chapter.href.replace(/\/$/, '')));
  await expect(page.getByRole('searchbox', { name: 'Search the book' })).toHaveValue(word);
});

// One test per page and scheme: axe on a long, math-heavy chapter takes a while on a small machine.
const chapterPaths = readdirSync('content/chapters')
  .filter((name: string) => name.endsWith('.mdx'))
  .map((name: string) => `/chapters/${name.replace(/\.mdx$/, '')}/`);

for (const scheme of ['light', 'dark'] as const) {
  for (const path of ['/', '/notation/', '/shapes-world/', ...chapterPaths, '/search/?q=noise']) {
    test(`axe finds no violations on ${path} (${scheme})`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(path);
      await page.evaluate(() => document.fonts.ready);
      if (path.startsWith('/search/'))
        await expect(page.locator('.pagefind-ui__result').first()).toBeVisible({ timeout: 15_000 });
      const results = await new AxeBuilder({ page }).analyze();
      const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(summary).toEqual([]);
    });
  }

  test(`full-page screenshots of chapters (${scheme})`, async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    const chapters = await chaptersFromHome(page);
    for (const chapter of chapters) {
      await page.goto(chapter.href);
      await page.evaluate(() => document.fonts.ready);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      // Dark mode really applies: background luminance flips with the scheme.
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      expect((r + g + b) / 3 > 128).toBe(scheme === 'light');
      const name = `chapter-${chapter.href.split('/').filter(Boolean).at(-1)}-${scheme}.png`;
      const path = testInfo.outputPath(name);
      await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
    }
  });
}
