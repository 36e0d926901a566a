// The guidance widgets of issue #6 on their test page, running the real pocket ONNX models in the
// runtime worker: keyboard use, URL round trips, cancel, malformed URLs, errors with Retry, axe.
// Sampling is kept tiny (few steps, few samples); the UNet and noisy classifier are placeholders
// today, so nothing here depends on what they output.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './support/test';

const PAGE = '/test-fixtures/guidance-widgets/';
/** Small settings for all three widgets, so a page load costs little CPU. */
const TINY = 'g2.n=200&g2.steps=20&g2.step=20&cg.steps=5&cg.n=1&cg.step=5&fd.n=2&fd.steps=2&fd.ws=17';

const g2 = (page: Page) => page.getByRole('figure', { name: 'Classifier-free guidance in two dimensions' });
const cg = (page: Page) => page.getByRole('figure', { name: 'Classifier guidance' });
const fd = (page: Page) => page.getByRole('figure', { name: 'Fidelity versus diversity as w grows' });

/** The page with TINY settings, overridden by `query`'s keys. */
function url(query = ''): string {
  const params = new URLSearchParams(TINY);
  new URLSearchParams(query).forEach((value, key) => params.set(key, value));
  return `${PAGE}?${params.toString()}`;
}

// WASM for every widget: headless Chromium's WebGPU here is SwiftShader (≈ 1 s per call of even
// the 2-D model), and the readers' choice of backend is the runtime's tests' business.
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('dsbs.runtime.forceWasm.v1', '1'));
});

async function open(page: Page, query = '') {
  await page.goto(url(query));
  // The 2-D particles are sampled (computing is true from the start until the run has finished).
  await expect(g2(page).locator('[data-name="compute-status"]')).toHaveAttribute('data-computing', 'false', {
    timeout: 30_000,
  });
  await expect(g2(page).locator('[data-name="stats-guided"] td').first()).toHaveText(/^\d+ %$/);
}

async function cgFinished(page: Page) {
  await expect(cg(page).locator('[data-name="sample"][data-probability]').first()).toBeVisible({ timeout: 60_000 });
}

/** ᾱ_t of the linear schedule (β from 1e-4 to 0.02, T = 1000), written out independently. */
function alphaBar(t: number): number {
  let product = 1;
  for (let i = 0; i <= t; i++) product *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / 999);
  return product;
}

async function axe(page: Page, selector: string) {
  const results = await new AxeBuilder({ page }).include(selector).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test.describe('Guidance2D', () => {
  test('samples guided particles beside w = 0, with the card measures, and works by keyboard', async ({ page }) => {
    await open(page);
    const figure = g2(page);
    await expect(
      figure.getByRole('img', { name: /^w = 3 \(s = 4\), class 1, step 20 of 20, final samples/ }),
    ).toBeVisible();
    await expect(figure.getByRole('img', { name: /^w = 0 \(s = 1\), class 1, step 20 of 20/ })).toBeVisible();
    await expect(figure.locator('[data-name="stats-guided"] td').first()).toHaveText(/^\d+ %$/);
    await expect(figure.locator('[data-name="stats-plain"] td').nth(1)).toHaveText(/^\d+\.\d\d$/);
    await expect(figure.locator('.backend-badge')).toContainText('WASM forced by you');
    console.log(`Guidance2D: ${await figure.locator('.backend-badge').textContent()}`);

    const w = figure.getByRole('slider', { name: 'Guidance weight w' });
    await w.focus();
    await page.keyboard.press('ArrowRight');
    await expect(w).toHaveAttribute('aria-valuetext', 'w = 3.25 (s = 4.25)');
    await expect(page).toHaveURL(/g2\.w=3\.25/);
    await page.keyboard.press('Home');
    await expect(w).toHaveAttribute('aria-valuetext', 'w = -1 (s = 0)');
    await expect(
      figure.getByRole('img', { name: /^w = -1 \(s = 0\), class 1, step 20 of 20, final samples/ }),
    ).toBeVisible({ timeout: 30_000 });

    await figure.getByRole('radio', { name: 'Class 1' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(/g2\.cls=2/);
    await expect(figure.getByRole('img', { name: /class 2, step 20 of 20, final samples/ }).first()).toBeVisible({
      timeout: 30_000,
    });

    const readout = figure.locator('[data-name="readout"]');
    await figure.getByRole('button', { name: 'Step back', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(readout).toContainText('Step 19 of 20 · timestep index 0');
    const scrub = figure.getByRole('slider', { name: 'Reverse step' });
    await scrub.focus();
    await page.keyboard.press('Home');
    await expect(scrub).toHaveAttribute('aria-valuetext', 'step 0 of 20, timestep index 950');

    await figure.getByRole('checkbox', { name: 'Compare with w = 0' }).press('Space');
    await expect(figure.getByRole('img', { name: /^w = 0 \(s = 1\)/ })).toHaveCount(0);
    await expect(page).toHaveURL(/g2\.compare=0/);
  });

  test('reduced motion: nothing plays by itself; Play runs to the end', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await open(page, 'g2.step=0');
    await page.waitForTimeout(300);
    await expect(g2(page).locator('[data-name="readout"]')).toContainText('Step 0 of 20');
    await g2(page).getByRole('button', { name: 'Play' }).click();
    await expect(g2(page).locator('[data-name="readout"]')).toContainText('Step 20 of 20', { timeout: 20_000 });
  });
});

test.describe('ClassifierGuidance', () => {
  test('samples, shows the target probability and the step coefficient s·√(1 − ᾱ_t)', async ({ page }) => {
    await open(page, 'cg.colour=2&cg.shape=1&cg.s=4');
    const figure = cg(page);
    await cgFinished(page);
    await expect(figure.locator('[data-name="target"]')).toContainText('y = 2 × 4 + 1 = 9 (blue square)');
    await expect(
      figure.getByRole('img', {
        name: /^Sample 1, finished sample, guided towards blue square with s = 4; finished, the classifier gives blue square probability [01]\.\d\d\./,
      }),
    ).toBeVisible();
    console.log(`ClassifierGuidance: ${await figure.locator('.backend-badge').textContent()}`);
    const p = Number(await figure.locator('[data-name="sample"]').first().getAttribute('data-probability'));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);

    // 5 DDIM steps, 'leading' spacing: timesteps 800, 600, 400, 200, 0.
    const scrub = figure.getByRole('slider', { name: 'Reverse step' });
    await scrub.focus();
    await page.keyboard.press('Home');
    await expect(figure.locator('[data-name="readout"]')).toContainText('timestep index t = 800');
    const coefficient = Number(await figure.locator('[data-name="coefficient"]').textContent());
    expect(coefficient).toBeCloseTo(4 * Math.sqrt(1 - alphaBar(800)), 3);
    await page.keyboard.press('ArrowRight');
    await expect(figure.locator('[data-name="readout"]')).toContainText('timestep index t = 600');

    await figure.getByRole('radio', { name: 'predicted x̂₀' }).check();
    await expect(figure.getByRole('img', { name: /^Sample 1, prediction x̂₀ at step 1/ })).toBeVisible();
    await expect(page).toHaveURL(/cg\.view=x0/);

    // Keyboard: scale slider and the colour select.
    const scale = figure.getByRole('slider', { name: 'Guidance scale s' });
    await scale.focus();
    await page.keyboard.press('Home');
    await expect(scale).toHaveAttribute('aria-valuetext', 's = 0');
    await expect(page).toHaveURL(/cg\.s=0/);
    await figure.getByLabel('Colour').selectOption('red');
    await expect(figure.locator('[data-name="target"]')).toContainText('(red square)');
  });

  test('cancel stops a long run; Sample again restarts it', async ({ page }) => {
    await open(page, 'cg.steps=100&cg.step=0');
    const figure = cg(page);
    const status = figure.locator('[data-name="compute-status"]');
    await expect(status).toHaveAttribute('data-computing', 'true', { timeout: 30_000 });
    await figure.getByRole('button', { name: 'Cancel' }).click();
    await expect(status).toHaveText(/Cancelled after \d+ of 100 steps\./);
    await expect(status).toHaveAttribute('data-computing', 'false');
    await figure.getByRole('slider', { name: 'Sampling steps' }).fill('5');
    await cgFinished(page);
  });

  test('a model that fails to load is explained, with a Retry that recovers', async ({ page }) => {
    let block = true;
    await page.route('**/shapes-noisy-classifier-grad*.onnx', (route) =>
      block ? route.fulfill({ status: 503, body: 'down' }) : route.continue(),
    );
    await open(page);
    const figure = cg(page);
    await expect(figure.getByRole('alert')).toContainText('HTTP 503');
    await axe(page, '#classifier-guidance');
    block = false;
    await figure.getByRole('button', { name: 'Retry' }).click();
    await cgFinished(page);
    await expect(figure.getByRole('alert')).toHaveCount(0);
  });
});

test.describe('FidelityDiversity', () => {
  test('computes a small sweep live: table, charts, per-image verdicts; cancel', async ({ page }) => {
    await open(page);
    const figure = fd(page);
    await expect(figure.locator('[data-name="chart-source"]')).not.toBeEmpty();
    const compute = figure.getByRole('button', { name: /^Compute 2 × 2 images$/ });
    await expect(compute).toBeEnabled({ timeout: 30_000 });
    // Long main-thread tasks while the sweep runs (the models run in the worker): measured, logged.
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
        type: 'longtask',
      });
    });
    await compute.focus();
    await page.keyboard.press('Enter');
    await expect(figure.locator('[data-name="sweep-status"]')).toHaveText(
      /^Done: 2 weights × 2 images × 2 steps in [\d.]+ s\.$/,
      { timeout: 60_000 },
    );
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    console.log(
      `FidelityDiversity: ${await figure.locator('[data-name="sweep-status"]').textContent()} ${await figure.locator('.backend-badge').textContent()}; main-thread tasks > 50 ms during the sweep: ${longTasks.length} (longest ${Math.max(0, ...longTasks).toFixed(0)} ms)`,
    );
    await expect(figure.locator('[data-name="results"] tbody tr')).toHaveCount(2);
    await expect(figure.locator('[data-name="results"] tbody tr[data-w="3"] td').last()).toHaveText(/^\d+\.\d\d$/);
    await expect(figure.getByRole('img', { name: /^accuracy \(evaluator\) against w, live/ })).toBeVisible();
    await expect(
      figure.getByRole('img', { name: /^diversity \(mean pairwise feature distance\) against w, live/ }),
    ).toBeVisible();
    const batch = figure.locator('[data-name="batch"]');
    await expect(batch).toHaveAttribute('data-w', '3');
    await expect(figure.locator('[data-name="verdict"]')).toHaveCount(2);
    const matches = Number(await batch.getAttribute('data-matches'));
    await expect(figure.locator('[data-name="batch-summary"]')).toContainText(`${matches} of 2 match`);
    await expect(figure.locator('[data-name="verdict"][data-match="true"]')).toHaveCount(matches);
    await figure.getByRole('radio', { name: 'w = 0' }).check();
    await expect(batch).toHaveAttribute('data-w', '0');
    await expect(page).toHaveURL(/fd\.pick=0/);
    await axe(page, '#fidelity-diversity');

    // A longer sweep, cancelled part-way.
    await figure.getByRole('slider', { name: 'Sampling steps (DDIM)' }).fill('50');
    await figure.getByRole('button', { name: /^Compute/ }).click();
    await expect(figure.getByRole('progressbar', { name: 'Sweep progress' })).toBeVisible();
    await figure.getByRole('button', { name: 'Cancel' }).click();
    await expect(figure.locator('[data-name="sweep-status"]')).toHaveText(/^Cancelled after [0-2] of 2 weights\.$/);
    await expect(figure.getByRole('progressbar')).toHaveCount(0);
  });

  test('the results table is a tab stop only while it is wider than the screen, and arrows scroll it', async ({
    page,
  }) => {
    await open(page);
    const figure = fd(page);
    await expect(figure.locator('[data-name="results"]')).toBeVisible();
    const region = figure.getByRole('region', { name: 'Results table, scrolls sideways' });
    await expect(region).toHaveCount(0);
    await page.setViewportSize({ width: 360, height: 740 });
    await expect(region).toHaveAttribute('tabindex', '0');
    await region.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => region.evaluate((el) => el.scrollLeft)).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect(region).toHaveCount(0);
  });
});

test('URL state round-trips through a reload', async ({ page }) => {
  const caption = 'a red circle above a blue square';
  await open(
    page,
    `g2.cls=3&g2.w=1.5&g2.sampler=ddpm&g2.seed=7&g2.bg=class&cg.colour=4&cg.shape=2&cg.s=7.5&cg.seed=3&fd.caption=${encodeURIComponent(caption)}&fd.seed=5`,
  );
  await expect(
    g2(page)
      .getByRole('img', { name: /^w = 1\.5 \(s = 2\.5\), class 3, step 20 of 20/ })
      .first(),
  ).toBeVisible();
  await expect(g2(page).getByRole('radio', { name: 'DDPM' })).toBeChecked();
  await expect(g2(page).locator('[data-name="seed-value"]')).toHaveText('7');
  await expect(cg(page).locator('[data-name="target"]')).toContainText('(magenta triangle)');
  await expect(cg(page).getByRole('slider', { name: 'Guidance scale s' })).toHaveAttribute('aria-valuetext', 's = 7.5');
  await expect(fd(page).getByLabel('Caption')).toHaveValue(caption);
  await expect(fd(page).locator('[data-name="seed-value"]')).toHaveText('5');

  await g2(page).getByRole('button', { name: 'New noise' }).click();
  await expect(page).toHaveURL(/g2\.seed=8/);
  await fd(page).getByRole('checkbox', { name: '7' }).check();
  await expect(page).toHaveURL(/fd\.ws=81/);
  await page.reload();
  await expect(g2(page).locator('[data-name="seed-value"]')).toHaveText('8');
  await expect(fd(page).getByRole('checkbox', { name: '7' })).toBeChecked();
  await expect(fd(page).getByRole('checkbox', { name: '3' })).toBeChecked();
  await expect(fd(page).getByRole('checkbox', { name: '1', exact: true })).not.toBeChecked();
  await expect(g2(page).locator('[data-name="url-note"]')).toHaveCount(0);
});

test('malformed URL values fall back to valid ones, say so, and run no script', async ({ page }) => {
  const markup = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
  await page.goto(url(`g2.w=abc&g2.cls=9&g2.sampler=${markup}&cg.s=-5&cg.n=7&fd.caption=${markup}&fd.ws=0`));
  await expect(g2(page).locator('[data-name="url-note"]')).toContainText('g2.cls, g2.w and g2.sampler were not valid');
  await expect(g2(page).getByRole('slider', { name: 'Guidance weight w' })).toHaveAttribute(
    'aria-valuetext',
    'w = 3 (s = 4)',
  );
  await expect(g2(page).getByRole('radio', { name: 'Class 3' })).toBeChecked();
  await expect(cg(page).locator('[data-name="url-note"]')).toContainText('cg.s and cg.n');
  await expect(cg(page).getByRole('slider', { name: 'Guidance scale s' })).toHaveAttribute('aria-valuetext', 's = 0');
  await expect(cg(page).getByRole('radio', { name: '9' })).toBeChecked();
  await expect(fd(page).locator('[data-name="url-note"]')).toContainText('fd.caption and fd.ws');
  await expect(fd(page).getByLabel('Caption')).toHaveValue('a small red triangle');
  await expect(fd(page).getByRole('checkbox', { name: '0', exact: true })).toBeChecked();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(g2(page).locator('[data-name="compute-status"]')).toHaveAttribute('data-computing', 'false', {
    timeout: 30_000,
  });
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations in any widget (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await open(page);
    await cgFinished(page);
    await axe(page, '#guidance-2d');
    await axe(page, '#classifier-guidance');
    await axe(page, '#fidelity-diversity');
    await g2(page).getByRole('checkbox', { name: 'Compare with w = 0' }).uncheck();
    await g2(page).getByRole('radio', { name: 'Class density p(x | c)' }).check();
    await axe(page, '#guidance-2d');
  });
}
