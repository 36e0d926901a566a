import { test, expect, type Page } from './support/test';
import AxeBuilder from '@axe-core/playwright';

const PAGE = '/chapters/ddpm/';
const FIGURE_NAME = 'Sampling a 2-D distribution with DDPM and DDIM';

function widget(page: Page) {
  return page.getByRole('figure', { name: FIGURE_NAME });
}

/** Waits until both reverse runs are fully computed. */
async function waitForComputed(page: Page) {
  const status = widget(page).locator('[data-name="compute-status"]');
  await expect(status).toHaveAttribute('data-computing', 'false', { timeout: 30_000 });
  await expect(status).toHaveText('');
}

async function open(page: Page, query = '') {
  await page.goto(PAGE + query);
  const figure = widget(page);
  await figure.scrollIntoViewIfNeeded();
  await expect(figure.getByRole('img', { name: /^DDIM, step/ })).toBeVisible();
  await waitForComputed(page);
  return figure;
}

test.describe('Diffusion2D widget', () => {
  test('renders DDPM and DDIM panels from pure noise with the default state', async ({ page }) => {
    const figure = await open(page);
    await expect(
      figure.getByRole('img', { name: /^DDPM, step 0 of 50, t = 981: 2000 particles of pure Gaussian noise/ }),
    ).toBeVisible();
    await expect(figure.getByRole('img', { name: /^DDIM, step 0 of 50, t = 981/ })).toBeVisible();
    // The canvas is backed at device-pixel resolution and something was drawn on it.
    const painted = await figure
      .locator('canvas')
      .first()
      .evaluate((canvas: HTMLCanvasElement) => {
        const ctx = canvas.getContext('2d')!;
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let opaque = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) opaque++;
        return { opaque, width: canvas.width, css: canvas.clientWidth, dpr: devicePixelRatio };
      });
    expect(painted.opaque).toBeGreaterThan(1000);
    expect(Math.abs(painted.width - Math.round(painted.css * painted.dpr))).toBeLessThanOrEqual(1);
  });

  test('keyboard: step, step back and the scrub slider change the readout and labels', async ({ page }) => {
    const figure = await open(page);
    const readout = figure.locator('[data-name="readout"]');
    const stepButton = figure.getByRole('button', { name: 'Step', exact: true });
    await stepButton.focus();
    await page.keyboard.press('Enter');
    await expect(figure.getByRole('img', { name: /^DDIM, step 1 of 50, t = 961/ })).toBeVisible();
    await expect(readout).toContainText('Step 1 of 50 · t = 961');
    await page.keyboard.press('Space');
    await expect(readout).toContainText('Step 2 of 50 · t = 941');

    await figure.getByRole('button', { name: 'Step back', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(readout).toContainText('Step 1 of 50');

    const scrub = figure.getByRole('slider', { name: 'Reverse step' });
    await scrub.focus();
    await page.keyboard.press('ArrowRight');
    await expect(scrub).toHaveAttribute('aria-valuetext', 'step 2 of 50, t = 941');
    await page.keyboard.press('End');
    await expect(scrub).toHaveAttribute('aria-valuetext', 'step 50 of 50, t = 0 (final samples)');
    await expect(
      figure.getByRole('img', { name: /^DDPM, step 50 of 50, t = 0 \(final samples\): 2000 final samples/ }),
    ).toBeVisible();
    await page.keyboard.press('Home');
    await expect(readout).toContainText('Step 0 of 50 · t = 981');

    // The dataset chooser and the process toggle work from the keyboard too.
    await figure.getByLabel('Dataset').selectOption('spiral');
    await expect(figure.getByRole('img', { name: /spiral data/ }).first()).toBeVisible();
    await figure.getByRole('radio', { name: 'Reverse (sampling)' }).focus();
    await page.keyboard.press('ArrowRight');
    // Same noise level as the reverse view was showing: reverse step 0 (t = 981) ↔ forward step 50.
    await expect(
      figure.getByRole('img', { name: /^Forward process, step 50 of 50, t = 981: 2000 points of the spiral data/ }),
    ).toBeVisible();
    await expect(figure.getByRole('img', { name: /^DDIM/ })).toHaveCount(0);
    await figure.getByRole('slider', { name: 'Forward step' }).focus();
    await page.keyboard.press('Home');
    await expect(
      figure.getByRole('img', { name: /^Forward process, step 0 of 50, t = 0 \(clean data\)/ }),
    ).toBeVisible();
    await page.keyboard.press('ArrowRight');
    await expect(figure.getByRole('img', { name: /^Forward process, step 1 of 50, t = 1: / })).toBeVisible();
  });

  test('pointer: buttons, play and slider work with the mouse', async ({ page }) => {
    const figure = await open(page);
    await figure.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(figure.locator('[data-name="readout"]')).toContainText('Step 1 of 50');
    await figure.getByRole('button', { name: 'Play' }).click();
    await expect(figure.getByRole('img', { name: /^DDIM, step 50 of 50/ })).toBeVisible({ timeout: 20_000 });
    // Playback stops by itself at the end.
    await expect(figure.getByRole('button', { name: 'Play' })).toBeVisible();
    await expect(figure.getByRole('button', { name: 'Pause' })).toHaveCount(0);

    const scrub = figure.getByRole('slider', { name: 'Reverse step' });
    const box = (await scrub.boundingBox())!;
    await page.mouse.click(box.x + 2, box.y + box.height / 2);
    await expect(scrub).toHaveAttribute('aria-valuetext', /^step 0 of 50/);

    await figure.getByRole('button', { name: 'New noise' }).click();
    await expect(figure.locator('[data-name="seed-value"]')).toHaveText('2');
    await expect(page).toHaveURL(/d2\.seed=2/);
  });

  test('reduced motion: nothing plays by itself, Play still works', async ({ page }) => {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const figure = await open(page);
    await page.waitForTimeout(500);
    await expect(figure.locator('[data-name="readout"]')).toContainText('Step 0 of 50');
    await figure.getByRole('button', { name: 'Play' }).click();
    await expect(figure.getByRole('img', { name: /^DDIM, step [1-9]/ })).toBeVisible();
  });

  test('URL state round-trips', async ({ page }) => {
    const figure = await open(
      page,
      '?d2.dataset=spiral&d2.steps=100&d2.step=30&d2.seed=7&d2.particles=500&d2.view=reverse',
    );
    await expect(figure.getByLabel('Dataset')).toHaveValue('spiral');
    await expect(
      figure.getByRole('img', {
        name: /^DDIM, step 30 of 100, t = 691: 500 particles part-way from noise to data, over the faint spiral data/,
      }),
    ).toBeVisible();
    await expect(figure.locator('[data-name="seed-value"]')).toHaveText('7');

    await figure.getByRole('slider', { name: 'Reverse step' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(/d2\.step=31/);
    await figure.getByRole('slider', { name: 'Sampling steps' }).focus();
    await page.keyboard.press('ArrowLeft'); // 100 → 90 steps keeps the reader 31% of the way
    await expect(page).toHaveURL(/d2\.steps=90/);
    await expect(page).toHaveURL(/d2\.step=28/);

    await page.reload();
    await waitForComputed(page);
    const again = widget(page);
    await expect(again.getByRole('img', { name: /^DDIM, step 28 of 90/ })).toBeVisible();
    await expect(again.getByLabel('Dataset')).toHaveValue('spiral');
    await expect(again.getByRole('slider', { name: 'Particles' })).toHaveValue('500');
  });

  test('bad URL state falls back to valid values and runs no script', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    const markup = encodeURIComponent('<img src=x onerror="window.__pwned=1">');
    const cases: [string, RegExp][] = [
      [`?d2.dataset=${markup}&d2.steps=${markup}&d2.view=${markup}`, /^DDIM, step 0 of 50, t = 981/],
      ['?d2.steps=NaN&d2.step=Infinity&d2.seed=-Infinity&d2.particles=0x10', /^DDIM, step 0 of 50/],
      ['?d2.steps=-5&d2.step=-3&d2.seed=-1&d2.particles=-100', /^DDIM, step 0 of 10, t = 901: 100 particles/],
      [
        '?d2.steps=1e9&d2.step=99999999&d2.particles=1',
        /^DDIM, step 1000 of 1000, t = 0 \(final samples\): 100 final samples/,
      ],
      ['?d2.step=99999999&d2.particles=123456789', /^DDIM, step 50 of 50, t = 0 \(final samples\): 4000 final samples/],
      // One 10k-character value (the preview server rejects request headers much over 16 kB).
      [`?d2.dataset=${'a'.repeat(10_000)}`, /^DDIM, step 0 of 50/],
      [`?d2.steps=${'9'.repeat(10_000)}`, /^DDIM, step 0 of 50/],
    ];
    for (const [query, label] of cases) {
      const figure = await open(page, query);
      await expect(figure.getByRole('img', { name: label })).toBeVisible();
      await expect(figure.getByLabel('Dataset')).toHaveValue('moons');
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      await expect(page.locator('img[src="x"]')).toHaveCount(0);
    }
    expect(errors).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no violations (${colorScheme})`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await open(page);
      const results = await new AxeBuilder({ page }).include('#diffusion-2d').analyze();
      expect(results.violations).toEqual([]);
      await widget(page).getByRole('radio', { name: 'Forward (noising)' }).check();
      const forward = await new AxeBuilder({ page }).include('#diffusion-2d').analyze();
      expect(forward.violations).toEqual([]);
    });
  }

  test('?bench exposes the reverse-step benchmark', async ({ page }) => {
    await open(page, '?bench');
    const msPerStep = await page.evaluate(() =>
      (window as unknown as { __dsbsBench2d: (o: object) => Promise<number> }).__dsbsBench2d({ steps: 20 }),
    );
    console.log(`2-D toy: ${msPerStep.toFixed(2)} ms per reverse step (2000 particles, 300 data points)`);
    expect(msPerStep).toBeGreaterThan(0);
    expect(msPerStep).toBeLessThan(200);
  });
});
