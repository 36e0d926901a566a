import { deflateSync } from 'node:zlib';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from './support/test';
import { encodePng } from '../../src/lib/image/png';

/** The page that hosts both widgets. */
const PAGE = '/chapters/ddpm/';

// ---------------------------------------------------------------------------------------------
// Independent reference values: the schedule formulas written out here, not imported, so the
// widgets' numbers are checked against the definitions (Ho et al. 2020 §4; diffusers linspace).
function linspace(start: number, end: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}
function referenceAlphaBar(schedule: 'linear' | 'scaled_linear', T: number, t: number): number {
  const betas =
    schedule === 'linear'
      ? linspace(1e-4, 0.02, T)
      : linspace(Math.sqrt(1e-4), Math.sqrt(0.02), T).map((root) => root * root);
  return betas.slice(0, t).reduce((product, beta) => product * (1 - beta), 1);
}
/** Parses the widgets' number format ("0.07859", "−2.462", "1.000e−4"). */
function parseShown(text: string): number {
  return Number(text.trim().replace(/−/g, '-'));
}
// ---------------------------------------------------------------------------------------------

/** A 40×30 PNG: left half pure green, right half pure magenta. */
function halvesPng(): Buffer {
  const width = 40;
  const height = 30;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const left = i % width < width / 2;
    rgba.set(left ? [0, 255, 0, 255] : [255, 0, 255, 255], i * 4);
  }
  return Buffer.from(encodePng(rgba, width, height, (data) => new Uint8Array(deflateSync(data))));
}

interface Watch {
  problems: string[];
}

/** Collects page errors, console errors and dialogs (any dialog means injected script ran). */
function watch(page: Page): Watch {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (/favicon/.test(message.location().url)) return;
    problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { problems };
}

const explorer = (page: Page) => page.locator('#schedule-explorer');
const scrubber = (page: Page) => page.locator('#forward-noise-scrubber');
const slider = (root: Locator, label: string) => root.getByRole('slider', { name: label, exact: true });
const readoutCaption = (page: Page) => explorer(page).locator('[data-testid="schedule-readout"] caption');

/** Widgets are client:visible islands: scroll them in and wait until hydrated (URL state applied). */
async function open(page: Page, query = '') {
  await page.goto(`${PAGE}${query}`);
  await explorer(page).scrollIntoViewIfNeeded();
  await expect(explorer(page).locator('svg').first()).toBeVisible();
  await scrubber(page).scrollIntoViewIfNeeded();
  await expect(scrubber(page).locator('[data-testid="noise-coefficients"]')).toBeVisible();
  await waitForImage(page);
}

async function waitForImage(page: Page) {
  await expect.poll(() => canvasPixels(page, 'clean-canvas').then((pixels) => pixels.some((v) => v !== 0))).toBe(true);
}

/** RGBA bytes of a widget canvas. */
function canvasPixels(page: Page, testId: string): Promise<number[]> {
  return page.getByTestId(testId).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    return context ? Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data) : [];
  });
}

/** A short fingerprint of a canvas's pixels, so failures print a hash rather than 16,384 numbers. */
async function canvasDigest(page: Page, testId: string): Promise<string> {
  const pixels = await canvasPixels(page, testId);
  let hash = 0x811c9dc5;
  for (const value of pixels) hash = Math.imul(hash ^ value, 0x01000193) >>> 0;
  return `${pixels.length}:${hash.toString(16)}`;
}

function tableCell(page: Page, row: string, column: number): Locator {
  return explorer(page)
    .getByRole('row', { name: new RegExp(`^${row.replace(/[()√]/g, '\\$&')}`) })
    .getByRole('cell')
    .nth(column);
}

test.describe('schedule explorer', () => {
  test('keyboard: arrows, PageUp, End and Home move the t cursor and the readout follows', async ({ page }) => {
    const w = watch(page);
    await open(page);
    const t = slider(explorer(page), 'Timestep t');
    await expect(readoutCaption(page)).toHaveText('Values at t = 500 of T = 1000');
    const alphaBarBefore = await tableCell(page, 'ᾱ_t', 0).textContent();

    await t.focus();
    await page.keyboard.press('ArrowRight');
    await expect(readoutCaption(page)).toHaveText('Values at t = 501 of T = 1000');
    await expect(tableCell(page, 'ᾱ_t', 0)).not.toHaveText(alphaBarBefore!);
    await expect(t).toHaveAttribute('aria-valuetext', /^t = 501 of 1000; Linear ᾱ_t = /);

    await page.keyboard.press('End');
    await expect(readoutCaption(page)).toHaveText('Values at t = 1000 of T = 1000');
    await page.keyboard.press('Home');
    await expect(readoutCaption(page)).toHaveText('Values at t = 1 of T = 1000');
    await page.keyboard.press('PageUp');
    await expect(t).not.toHaveValue('1');

    // ᾱ_t at the cursor matches the definition ᾱ_t = Π_{s≤t} (1 − β_s).
    await page.keyboard.press('Home');
    for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
    await expect(readoutCaption(page)).toHaveText('Values at t = 10 of T = 1000');
    const shown = parseShown((await tableCell(page, 'ᾱ_t', 0).textContent())!);
    expect(shown).toBeCloseTo(referenceAlphaBar('linear', 1000, 10), 3);
    expect(w.problems).toEqual([]);
  });

  test('pointer: clicking and dragging the t slider moves the cursor', async ({ page }) => {
    await open(page);
    const t = slider(explorer(page), 'Timestep t');
    await t.scrollIntoViewIfNeeded();
    const box = (await t.boundingBox())!;
    const y = box.y + box.height / 2;

    await page.mouse.click(box.x + box.width * 0.25, y);
    const clicked = Number(await t.inputValue());
    expect(clicked).toBeGreaterThan(150);
    expect(clicked).toBeLessThan(350);
    await expect(readoutCaption(page)).toHaveText(`Values at t = ${clicked} of T = 1000`);

    await page.mouse.move(box.x + box.width * 0.25, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 5 });
    await page.mouse.move(box.x + box.width + 40, y, { steps: 5 });
    await page.mouse.up();
    await expect(readoutCaption(page)).toHaveText('Values at t = 1000 of T = 1000');
  });

  test('changing T keeps t at the same fraction, and the compare chooser adds a column', async ({ page }) => {
    await open(page);
    const T = slider(explorer(page), 'Steps T');
    await T.focus();
    await page.keyboard.press('Home');
    await expect(readoutCaption(page)).toHaveText('Values at t = 1 of T = 2');
    await explorer(page).getByLabel('Compare with').selectOption('none');
    await expect(explorer(page).getByRole('columnheader')).toHaveText(['Quantity', 'Linear']);
    await explorer(page).getByLabel('Compare with').selectOption('scaled_linear');
    await expect(explorer(page).getByRole('columnheader')).toHaveText(['Quantity', 'Linear', 'Scaled linear']);
  });

  test('URL state round-trips through a reload and a shared link', async ({ page }) => {
    await open(page);
    await explorer(page).getByLabel('Schedule', { exact: true }).selectOption('scaled_linear');
    await explorer(page).getByLabel('Compare with').selectOption('none');
    await slider(explorer(page), 'Timestep t').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page).toHaveURL(/se\.t=499/);
    await expect(page).toHaveURL(/se\.schedule=scaled_linear/);
    await expect(page).toHaveURL(/se\.compare=none/);

    await page.reload();
    await open(page, new URL(page.url()).search);
    await expect(readoutCaption(page)).toHaveText('Values at t = 499 of T = 1000');
    await expect(explorer(page).getByLabel('Schedule', { exact: true })).toHaveValue('scaled_linear');
    await expect(explorer(page).getByLabel('Compare with')).toHaveValue('none');

    // A link with state opens showing it, and the numbers are the scaled-linear ones.
    await open(page, '?se.T=50&se.t=10&se.schedule=scaled_linear&se.compare=none');
    await expect(readoutCaption(page)).toHaveText('Values at t = 10 of T = 50');
    await expect(slider(explorer(page), 'Steps T')).toHaveValue('50');
    await expect(explorer(page).getByRole('columnheader')).toHaveText(['Quantity', 'Scaled linear']);
    const shown = parseShown((await tableCell(page, 'ᾱ_t', 0).textContent())!);
    expect(shown).toBeCloseTo(referenceAlphaBar('scaled_linear', 50, 10), 3);
  });
});

test.describe('forward-noise scrubber', () => {
  test('keyboard and pointer on t change x_t, the coefficients and the canvas description', async ({ page }) => {
    const w = watch(page);
    await open(page);
    const t = slider(scrubber(page), 'Timestep t');
    const coefficients = scrubber(page).getByTestId('noise-coefficients');
    const noisy = scrubber(page).getByTestId('noisy-canvas');
    await expect(noisy).toHaveAttribute('aria-label', /t = 250 of 1000, Linear schedule, noise seed 1/);

    // √ᾱ_250 of the linear schedule, from the definition.
    const signal = parseShown((await coefficients.locator('dd .value').first().textContent())!);
    expect(signal).toBeCloseTo(Math.sqrt(referenceAlphaBar('linear', 1000, 250)), 3);

    const before = await canvasDigest(page, 'noisy-canvas');
    await t.focus();
    await page.keyboard.press('ArrowRight');
    await expect(noisy).toHaveAttribute('aria-label', /t = 251 of 1000/);
    await page.keyboard.press('Home');
    await expect(noisy).toHaveAttribute('aria-label', /t = 0 \(clean image\)/);
    await expect(coefficients.locator('dd .value').first()).toHaveText('1');
    // At t = 0, x_t is the clean image.
    expect(await canvasDigest(page, 'noisy-canvas')).toBe(await canvasDigest(page, 'clean-canvas'));
    expect(await canvasDigest(page, 'noisy-canvas')).not.toBe(before);

    await page.keyboard.press('End');
    await expect(noisy).toHaveAttribute('aria-label', /t = 1000 of 1000/);

    await t.scrollIntoViewIfNeeded();
    const box = (await t.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
    const clicked = Number(await t.inputValue());
    expect(clicked).toBeGreaterThan(400);
    expect(clicked).toBeLessThan(600);
    await expect(noisy).toHaveAttribute('aria-label', new RegExp(`t = ${clicked} of 1000`));
    expect(w.problems).toEqual([]);
  });

  test('the seed changes the noise; Play advances t and Pause stops it', async ({ page }) => {
    await open(page);
    const before = await canvasDigest(page, 'noisy-canvas');
    await slider(scrubber(page), 'Noise seed').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => canvasDigest(page, 'noisy-canvas')).not.toBe(before);

    const t = slider(scrubber(page), 'Timestep t');
    await scrubber(page).getByRole('button', { name: 'Play' }).click();
    await expect.poll(async () => Number(await t.inputValue())).toBeGreaterThan(270);
    await scrubber(page).getByRole('button', { name: 'Pause' }).click();
    const paused = await t.inputValue();
    await page.waitForTimeout(400);
    await expect(t).toHaveValue(paused);
  });

  test('URL state round-trips; the image is not part of it', async ({ page }) => {
    await open(page, '?fn.T=200&fn.t=40&fn.schedule=squaredcos_cap_v2&fn.seed=7&other=keep');
    const noisy = scrubber(page).getByTestId('noisy-canvas');
    await expect(noisy).toHaveAttribute('aria-label', /t = 40 of 200, Cosine schedule, noise seed 7/);
    await slider(scrubber(page), 'Timestep t').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page).toHaveURL(/fn\.t=41/);
    expect(new URL(page.url()).searchParams.get('other')).toBe('keep');

    await page.reload();
    await open(page, new URL(page.url()).search);
    await expect(noisy).toHaveAttribute('aria-label', /t = 41 of 200, Cosine schedule, noise seed 7/);
    await expect(scrubber(page).getByLabel('Schedule', { exact: true })).toHaveValue('squaredcos_cap_v2');
  });

  test('an uploaded image replaces x₀; a bad file shows a message and keeps the image', async ({ page }) => {
    const w = watch(page);
    await open(page);
    const before = await canvasDigest(page, 'clean-canvas');

    const png = halvesPng();
    const input = scrubber(page).getByLabel('Use your own image');
    await input.setInputFiles({ name: 'halves.png', mimeType: 'image/png', buffer: png });
    await expect(scrubber(page).getByTestId('image-message')).toContainText('Using your image “halves.png”');
    const after = await canvasPixels(page, 'clean-canvas');
    const afterDigest = await canvasDigest(page, 'clean-canvas');
    expect(afterDigest).not.toBe(before);
    // Centre-cropped and resampled: top-left pixel green, top-right magenta.
    expect(after.slice(0, 3)).toEqual([0, 255, 0]);
    expect(after.slice((64 - 1) * 4, (64 - 1) * 4 + 3)).toEqual([255, 0, 255]);
    await expect(scrubber(page).getByTestId('clean-canvas')).toHaveAttribute('aria-label', /halves\.png/);

    await input.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') });
    await expect(scrubber(page).getByTestId('image-message')).toContainText('could not be read as an image');
    await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect(scrubber(page).getByTestId('image-message')).toContainText('not an image');
    expect(await canvasDigest(page, 'clean-canvas')).toBe(afterDigest);

    await scrubber(page).getByRole('button', { name: 'Back to the sample image' }).click();
    await expect.poll(() => canvasDigest(page, 'clean-canvas')).toBe(before);

    // Drag and drop onto the images does the same as the file input.
    const bytes = Array.from(halvesPng());
    const dataTransfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.png', { type: 'image/png' }));
      return transfer;
    }, bytes);
    const dropZone = scrubber(page).getByRole('group', { name: /drop an image file here/ });
    await dropZone.dispatchEvent('dragover', { dataTransfer });
    await dropZone.dispatchEvent('drop', { dataTransfer });
    await expect(scrubber(page).getByTestId('image-message')).toContainText('Using your image “dropped.png”');
    await expect.poll(() => canvasDigest(page, 'clean-canvas')).toBe(afterDigest);
    expect(w.problems).toEqual([]);
  });
});

test.describe('hostile URL state', () => {
  const long = 'x'.repeat(10_000);
  const markup = [
    '<script>window.__xss=1</script>',
    '"><img src=x onerror="window.__xss=1">',
    '<svg onload=window.__xss=1>',
  ];
  const cases: Record<string, string> = {
    garbage: 'se.T=abc&se.t=%%%&se.schedule=nope&se.compare=&fn.T=--1&fn.t=0x10&fn.seed=1e&fn.schedule=LINEAR',
    'NaN and Infinity': 'se.T=NaN&se.t=Infinity&fn.T=-Infinity&fn.t=NaN&fn.seed=NaN',
    'huge numbers': `se.T=1e308&se.t=99999999999999999999&fn.T=${'9'.repeat(40)}&fn.t=1e99&fn.seed=1e20`,
    'negative numbers': 'se.T=-1000&se.t=-5&fn.T=-2&fn.t=-1&fn.seed=-42',
    markup: markup
      .map(
        (m, i) =>
          `se.schedule=${encodeURIComponent(m)}&fn.schedule=${encodeURIComponent(m)}&se.compare=${encodeURIComponent(markup[(i + 1) % 3]!)}`,
      )
      .join('&'),
    // One 10,000-character value per URL: a few of them would exceed the server's header limit.
    '10,000-character values': `se.schedule=${long}`,
    '10,000-digit number': `fn.seed=${'1'.repeat(10_000)}&se.T=${long.slice(0, 200)}`,
  };

  for (const [name, query] of Object.entries(cases)) {
    test(`${name}: widgets stay valid, no script runs`, async ({ page }) => {
      const w = watch(page);
      await open(page, `?${query}`);
      const values = async (root: Locator, label: string) => Number(await slider(root, label).inputValue());

      const seT = await values(explorer(page), 'Steps T');
      const seTime = await values(explorer(page), 'Timestep t');
      expect(seT).toBeGreaterThanOrEqual(2);
      expect(seT).toBeLessThanOrEqual(4000);
      expect(seTime).toBeGreaterThanOrEqual(1);
      expect(seTime).toBeLessThanOrEqual(seT);
      await expect(readoutCaption(page)).toHaveText(`Values at t = ${seTime} of T = ${seT}`);
      expect(['linear', 'scaled_linear', 'squaredcos_cap_v2']).toContain(
        await explorer(page).getByLabel('Schedule', { exact: true }).inputValue(),
      );

      const fnT = await values(scrubber(page), 'Steps T');
      const fnTime = await values(scrubber(page), 'Timestep t');
      const seed = await values(scrubber(page), 'Noise seed');
      expect(fnT).toBeGreaterThanOrEqual(2);
      expect(fnT).toBeLessThanOrEqual(4000);
      expect(fnTime).toBeGreaterThanOrEqual(0);
      expect(fnTime).toBeLessThanOrEqual(fnT);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThanOrEqual(99_999);
      await expect(scrubber(page).getByTestId('noisy-canvas')).toHaveAttribute(
        'aria-label',
        new RegExp(`t = ${fnTime === 0 ? '0 \\(clean image\\)' : `${fnTime} of ${fnT}`}`),
      );
      // Every coefficient shown is a real number in [0, 1].
      for (const text of await scrubber(page)
        .locator('[data-testid="noise-coefficients"] dd .value')
        .allTextContents()) {
        for (const part of text.split(',').slice(0, 1)) {
          const value = parseShown(part);
          expect(Number.isFinite(value)).toBe(true);
        }
      }

      if (
        name === 'garbage' ||
        name === 'NaN and Infinity' ||
        name === 'markup' ||
        name === '10,000-character values'
      ) {
        // Unparseable values fall back to the defaults.
        expect(await explorer(page).getByLabel('Schedule', { exact: true }).inputValue()).toBe('linear');
        expect(await scrubber(page).getByLabel('Schedule', { exact: true }).inputValue()).toBe('linear');
      }
      if (name === 'huge numbers') {
        expect([seT, fnT]).toEqual([4000, 4000]);
        expect(seed).toBe(99_999);
      }
      if (name === 'negative numbers') {
        expect([seT, seTime, fnT, fnTime, seed]).toEqual([2, 1, 2, 0, 0]);
      }

      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
      expect(
        await page.locator('img[src="x"], #schedule-explorer script, #forward-noise-scrubber script').count(),
      ).toBe(0);
      expect(w.problems).toEqual([]);
    });
  }
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations in either widget (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await open(page, '?se.compare=scaled_linear');
    // The uploaded-image state has extra content (message, reset button): check that state.
    await scrubber(page)
      .getByLabel('Use your own image')
      .setInputFiles({ name: 'halves.png', mimeType: 'image/png', buffer: halvesPng() });
    await expect(scrubber(page).getByRole('button', { name: 'Back to the sample image' })).toBeVisible();
    const results = await new AxeBuilder({ page })
      .include('#schedule-explorer')
      .include('#forward-noise-scrubber')
      .analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  });
}
