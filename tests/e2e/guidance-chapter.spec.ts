import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './support/test';

// The guidance chapter (content/chapters/guidance.mdx), order 4. Exercise ids and answers below are
// taken from the MDX; if the chapter's exercises change, update these constants.
const PAGE = '/chapters/guidance/';
const NUMERIC = { id: 'guidance-cfg-by-hand', wrong: '0.6', right: '2.6' }; // (1 + 3)·0.8 − 3·0.2
const CHOICE = { id: 'guidance-w-minus-one', right: 'b', wrong: 'a' };
/** Papers the chapter must cite, each of which must resolve to an arXiv entry in its References. */
const CITED = [
  'dhariwal2021',
  'ho2022cfg',
  'nichol2022glide',
  'radford2021clip',
  'heusel2017fid',
  'kynkaanniemi2019',
  'sajjadi2018',
  'saharia2022',
];
/** Equations the prose must be able to point at (labels in the MDX). */
const KEY_EQUATIONS = [
  'eq-bayes-score',
  'eq-classifier-guided-eps',
  'eq-cfg-weight',
  'eq-cfg-scale',
  'eq-implicit-classifier',
  'eq-fid',
  'eq-precision-recall',
];

/** The chapter's widgets, by the id of the figure each renders (src/widgets/*.svelte), in reading order. */
const WIDGETS = ['classifier-guidance', 'text-to-image', 'guidance-2d', 'fidelity-diversity'];

const exercise = (page: Page, id: string): Locator => page.locator(`dsbs-exercise#${id}`);

async function openChapter(page: Page): Promise<void> {
  await page.goto(PAGE);
  // The exercise elements are defined once the summary shows progress instead of the static count.
  await expect(page.locator('dsbs-exercises [data-role="summary"]')).toHaveText(/^0 of \d+ done$/);
}

test('the chapter renders with numbered equations (4.n), working cross-references and resolved citations', async ({
  page,
}) => {
  test.slow();
  await page.goto(PAGE);
  const main = page.getByRole('main');
  await expect(page.getByRole('heading', { level: 1, name: 'Guidance' })).toBeVisible();
  await expect(page.locator('.chapter-header .eyebrow')).toContainText('4');
  await expect(main.locator('.katex-error')).toHaveCount(0);

  const tags = (await main.locator('.katex-display .tag').allInnerTexts()).map((t) => t.replace(/\s|\u200b/g, ''));
  expect(tags.length).toBeGreaterThanOrEqual(20);
  expect(tags).toEqual(tags.map((_, i) => `(4.${i + 1})`));

  for (const id of KEY_EQUATIONS) {
    const equation = page.locator(`[id="${id}"]`);
    await expect(equation, id).toHaveCount(1);
    await expect(equation.locator('.katex-html .tag')).toHaveText(/^\(4\.\d+\)$/);
  }
  // Every cross-reference lands on an equation with the number the link shows.
  const eqrefs = main.getByRole('link', { name: /^\(4\.\d+\)$/ });
  const eqrefCount = await eqrefs.count();
  expect(eqrefCount).toBeGreaterThan(30);
  for (let i = 0; i < eqrefCount; i++) {
    const link = eqrefs.nth(i);
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^#eq-[a-z0-9-]+$/);
    await expect(page.locator(`[id="${href.slice(1)}"] .katex-html .tag`)).toHaveText(await link.innerText());
  }

  const references = page.getByRole('region', { name: 'References' });
  for (const key of CITED) {
    const entry = references.locator(`[id="ref-${key}"]`);
    await expect(entry, key).toHaveCount(1);
    await expect(entry).toContainText(/arXiv:\d{4}\.\d{5}/);
    await expect(entry.getByRole('link')).toHaveAttribute('href', /^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{5}$/);
    // …and is cited in the text, by a link to that entry.
    expect(await main.locator(`a[href="#ref-${key}"]`).count(), key).toBeGreaterThan(0);
  }

  // Headings, equations and widget figures share one id space: no id may appear twice.
  const duplicateIds = await page.evaluate(() => {
    const seen = new Map<string, number>();
    for (const element of document.querySelectorAll('[id]')) seen.set(element.id, (seen.get(element.id) ?? 0) + 1);
    return [...seen].filter(([, count]) => count > 1).map(([id]) => id);
  });
  expect(duplicateIds).toEqual([]);

  // Every widget is embedded once, as a titled figure with a caption, in the order the prose discusses them.
  const figureIds = await main.locator('figure.widget[id]').evaluateAll((figures) => figures.map((f) => f.id));
  expect(figureIds).toEqual(WIDGETS);
  for (const id of WIDGETS) {
    const figure = main.locator(`figure[id="${id}"]`);
    await expect(figure.locator('.widget-title')).not.toBeEmpty();
    await expect(figure.locator('figcaption')).not.toBeEmpty();
  }

  // Section summaries like the other chapters, a chapter summary, and at least eight exercises.
  expect(await main.getByRole('heading', { level: 3, name: 'Summary' }).count()).toBeGreaterThanOrEqual(6);
  await expect(main.getByRole('heading', { level: 2, name: 'Chapter summary' })).toBeVisible();
  expect(await page.locator('dsbs-exercise').count()).toBeGreaterThanOrEqual(8);
});

test('numeric exercise: a guided ε by hand is checked, by keyboard', async ({ page }) => {
  await openChapter(page);
  const card = exercise(page, NUMERIC.id);
  const input = card.getByLabel('Your answer');
  const feedback = card.getByRole('status');

  await input.fill(NUMERIC.wrong);
  await input.press('Enter');
  await expect(feedback).toHaveText(/^✗ Not quite/);
  await expect(card.locator('[data-role="status"]')).not.toHaveText('✓ Solved');

  await input.fill(NUMERIC.right);
  await input.press('Enter');
  await expect(feedback).toHaveText(`✓ Correct: ${NUMERIC.right} is right.`);
  await expect(card.locator('[data-role="status"]')).toHaveText('✓ Solved');

  // The worked solution opens on request and shows the same number.
  await card.getByRole('button', { name: 'Show solution' }).click();
  await expect(card.locator('[data-role="solution"]')).toBeVisible();
  await expect(card.locator('[data-role="solution"] .katex-display')).toContainText('2.6');
});

test('choice exercise: w = −1 turns the caption off', async ({ page }) => {
  await openChapter(page);
  const card = exercise(page, CHOICE.id);
  const check = card.getByRole('button', { name: 'Check answer' });
  await card.locator(`input[value="${CHOICE.wrong}"]`).check();
  await check.click();
  await expect(card.getByRole('status')).toHaveText(/^✗/);
  await card.locator(`input[value="${CHOICE.right}"]`).check();
  await check.click();
  await expect(card.getByRole('status')).toHaveText(/^✓ Correct/);
  await expect(card.locator('[data-role="status"]')).toHaveText('✓ Solved');
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on the chapter (${colorScheme})`, async ({ page }) => {
    // axe walks every node of the typeset math; allow for a busy machine.
    test.slow();
    await page.emulateMedia({ colorScheme });
    await openChapter(page);
    const results = await new AxeBuilder({ page }).include('main').analyze();
    expect(
      results.violations.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`),
    ).toEqual([]);
  });
}
