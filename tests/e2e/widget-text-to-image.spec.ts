// The text → image widget on its test page, running the committed pocket UNet in the runtime worker
// (WASM forced, so the runs do not depend on the machine's GPU). Few steps and small batches: the
// machine is shared. Reduced motion is emulated so nothing autoplays unless a test presses Play.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './support/test';

const PAGE = '/test-fixtures/text-to-image/';
const FIGURE = 'Text → image, step by step';

interface Snapshot {
  caption: string;
  seed: number;
  samples: number;
  steps: number;
  w: number;
  scrub: number;
  stepsDone: number;
  done: boolean;
  computing: boolean;
  modelCalls: number;
  imageEvaluations: number;
  timesteps: number[];
  stepMs: (number | null)[];
  branch: { step: number; w: number; caption: string; stepsDone: number; done: boolean } | null;
  error: string | null;
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('dsbs.runtime.forceWasm.v1', '1'));
  await page.emulateMedia({ reducedMotion: 'reduce' });
});

async function open(page: Page, query: string, waitForModel = true): Promise<Locator> {
  await page.goto(PAGE + query);
  const figure = page.getByRole('figure', { name: FIGURE });
  await expect(figure).toBeVisible();
  await expect(figure.locator('.backend-badge')).toHaveAttribute('data-backend', 'wasm', { timeout: 30_000 });
  if (waitForModel)
    await expect(figure.locator('[data-name="status"]')).not.toHaveText(/Loading the model/, { timeout: 60_000 });
  return figure;
}

async function snapshot(page: Page): Promise<Snapshot> {
  return page.evaluate(() => window.dsbsTextToImage!.snapshot() as unknown as Snapshot);
}

async function waitFor(page: Page, predicate: (s: Snapshot) => boolean, timeout = 60_000): Promise<Snapshot> {
  let last: Snapshot | undefined;
  await expect
    .poll(
      async () => {
        last = await page.evaluate(() => window.dsbsTextToImage?.snapshot() as unknown as Snapshot | undefined);
        return last !== undefined && predicate(last);
      },
      { timeout },
    )
    .toBe(true);
  return last!;
}

/** Every canvas of one image grid, as RGBA bytes. */
async function gridPixels(figure: Locator, name: string): Promise<number[][]> {
  return figure
    .locator(`[data-name="${name}"] canvas`)
    .evaluateAll((canvases) =>
      (canvases as HTMLCanvasElement[]).map((c) =>
        Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
      ),
    );
}

async function expectNoAxeViolations(page: Page, label: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const results = await new AxeBuilder({ page }).include('#text-to-image').analyze();
    expect(results.violations, `${label} (${colorScheme})`).toEqual([]);
  }
}

test.describe('TextToImage widget', () => {
  test('keyboard: step, step back, scrub; timing, evaluation count and the live status', async ({ page }) => {
    const figure = await open(page, '?t2i.steps=5&t2i.n=1&t2i.caption=a+red+circle');
    const status = figure.locator('[data-name="status"]');
    await expect(status).toHaveText('Step 0 of 5.');
    await expect(figure.locator('[data-name="xt-original"]')).toHaveAttribute('data-filled', 'true');
    await expect(
      figure.getByRole('img', { name: /^Original \("a red circle", w = 3\), x_t at step 0 of 5: pure Gaussian noise/ }),
    ).toBeVisible();
    await expectNoAxeViolations(page, 'initial state');

    await figure.getByRole('button', { name: 'Step', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(status).toHaveText('Step 1 of 5.', { timeout: 30_000 });
    await expect(figure.locator('[data-name="readout"]')).toContainText(
      'Step 1 of 5 · UNet timestep 600 (t = 601 counted from 1)',
    );
    await expect(figure.locator('[data-name="timing"]')).toContainText(/step 1 \(original\): \d+ ms, UNet \d+ ms/);
    await expect(figure.locator('[data-name="evaluations"]')).toHaveText('UNet: 1 call, 2 images (batch 2 × 1)');
    await expect(figure.locator('.backend-badge')).toContainText(/ms per step \(median\)/);

    await figure.getByRole('button', { name: 'Step back', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(status).toHaveText('Step 0 of 5.');

    const scrub = figure.getByRole('slider', { name: 'Step', exact: true });
    await scrub.focus();
    await page.keyboard.press('End');
    await expect(status).toHaveText('Step 5 of 5: final images.', { timeout: 60_000 });
    await expect(scrub).toHaveAttribute('aria-valuetext', 'step 5 of 5, after the last step (t = 0, clean)');
    const s = await snapshot(page);
    expect(s.timesteps).toEqual([800, 600, 400, 200, 0]);
    expect(s.stepsDone).toBe(5);
    expect(s.modelCalls).toBe(5);
    expect(s.imageEvaluations).toBe(10);
    expect(s.stepMs.every((ms) => ms !== null && ms > 0)).toBe(true);
    const w = figure.getByRole('slider', { name: 'Guidance weight w' });
    await expect(w).toHaveAttribute('aria-valuetext', 'w = 3 (s = 1 + w = 4)');
    await expectNoAxeViolations(page, 'finished run');
  });

  test('caption combobox: completion by keyboard, unknown words explained, empty caption allowed', async ({ page }) => {
    const figure = await open(page, '?t2i.steps=5&t2i.n=1');
    const input = figure.getByRole('combobox', { name: 'Caption', exact: true });
    await input.fill('');
    await input.pressSequentially('a re');
    await expect(input).toHaveAttribute('aria-expanded', 'true');
    const listbox = figure.getByRole('listbox').first();
    await expect(listbox.getByRole('option', { name: 'red' })).toBeVisible();
    await page.keyboard.press('ArrowDown');
    await expect(input).toHaveAttribute('aria-activedescendant', /opt-0$/);
    await expect(listbox.getByRole('option', { name: 'red' })).toHaveAttribute('aria-selected', 'true');
    await expectNoAxeViolations(page, 'completion list open');
    await page.keyboard.press('Enter');
    await expect(input).toHaveValue('a red ');
    await page.keyboard.press('Escape');
    await expect(input).toHaveAttribute('aria-expanded', 'false');
    await input.pressSequentially('circle');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/t2i\.caption=a\+red\+circle/);
    await expect(figure.getByRole('heading', { name: 'Original: "a red circle", w = 3' })).toBeVisible();

    await input.fill('a purple circle');
    await page.keyboard.press('Enter');
    const message = figure.locator('[data-name="caption"] [data-name="caption-message"]');
    await expect(message).toContainText('Unknown word "purple"');
    await expect(message).toContainText('"red"');
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/t2i\.caption=a\+red\+circle/);
    await expectNoAxeViolations(page, 'caption error');
    // Escape restores the caption in use.
    await page.keyboard.press('Escape');
    await expect(input).toHaveValue('a red circle');

    await input.fill('a red circle to the left');
    await page.keyboard.press('Enter');
    await expect(message).toContainText('The caption stops too early');

    await input.fill('');
    await page.keyboard.press('Enter');
    await expect(figure.getByRole('heading', { name: 'Original: no caption (unconditional)' })).toBeVisible();
    await expect(figure.getByText('No caption: the unconditional model')).toBeVisible();
    await expect(figure.getByRole('slider', { name: 'Guidance weight w' })).toBeDisabled();
    await figure.getByRole('button', { name: 'Step', exact: true }).click();
    await expect(figure.locator('[data-name="evaluations"]')).toHaveText('UNet: 1 call, 1 image (batch 1)', {
      timeout: 30_000,
    });
  });

  test('the URL reproduces the exact images after a reload, branch included', async ({ page }) => {
    const query = '?t2i.steps=5&t2i.n=4&t2i.seed=3&t2i.w=2&t2i.sampler=ddpm&t2i.k=5&t2i.b=1&t2i.bk=2&t2i.bw=8';
    const figure = await open(page, query);
    await waitFor(page, (s) => s.done && s.branch?.done === true);
    await expect(figure.locator('[data-name="status"]')).toHaveText('Step 5 of 5: final images.');
    const before = { xt: await gridPixels(figure, 'xt-original'), branch: await gridPixels(figure, 'xt-branch') };
    const bytes = await page.evaluate(() => window.dsbsTextToImage!.imageBytes('main', 'x', 5));
    expect(before.xt).toHaveLength(4);
    await page.reload();
    await expect(figure.locator('.backend-badge')).toHaveAttribute('data-backend', 'wasm', { timeout: 30_000 });
    await waitFor(page, (s) => s.done && s.branch?.done === true);
    expect(await gridPixels(figure, 'xt-original')).toEqual(before.xt);
    expect(await gridPixels(figure, 'xt-branch')).toEqual(before.branch);
    expect(await page.evaluate(() => window.dsbsTextToImage!.imageBytes('main', 'x', 5))).toEqual(bytes);
    // The branch saw another w from step 2: same images up to there, different after.
    const same = await page.evaluate(() => [
      window.dsbsTextToImage!.imageBytes('main', 'x', 2),
      window.dsbsTextToImage!.imageBytes('branch', 'x', 2),
    ]);
    expect(same[0]).toEqual(same[1]);
    expect(before.branch).not.toEqual(before.xt);
  });

  test('branch by keyboard at the paused step, scrub both, remove it', async ({ page }) => {
    const figure = await open(page, '?t2i.steps=5&t2i.n=1&t2i.k=2');
    const status = figure.locator('[data-name="status"]');
    await expect(status).toHaveText('Step 2 of 5.', { timeout: 30_000 });
    const branchW = figure.getByRole('slider', { name: 'Branch w' });
    await branchW.focus();
    await page.keyboard.press('End');
    await expect(branchW).toHaveAttribute('aria-valuetext', 'w = 10 (s = 1 + w = 11)');
    await figure.getByRole('button', { name: 'Branch at step 2' }).focus();
    await page.keyboard.press('Enter');
    const branch = figure.getByRole('region', { name: 'Branch' });
    await expect(
      branch.getByRole('heading', { name: /Branch from step 2: "a green square on the left", w = 10/ }),
    ).toBeVisible();
    await expect(page).toHaveURL(/t2i\.b=1/);
    await expect(page).toHaveURL(/t2i\.bk=2/);
    await expect(page).toHaveURL(/t2i\.bw=10/);
    // Side by side at the branch step: identical pictures.
    expect(await gridPixels(figure, 'xt-branch')).toEqual(await gridPixels(figure, 'xt-original'));

    await figure.getByRole('slider', { name: 'Step', exact: true }).focus();
    await page.keyboard.press('End');
    await waitFor(page, (s) => s.done && s.branch?.done === true);
    await expect(status).toHaveText('Step 5 of 5: final images.');
    expect(await gridPixels(figure, 'x0-branch')).not.toEqual(await gridPixels(figure, 'x0-original'));
    await expectNoAxeViolations(page, 'branched');

    // Scrub back: both panels follow.
    await page.keyboard.press('ArrowLeft');
    await expect(branch.getByRole('img', { name: /^Branch .*x_t at step 4 of 5/ })).toBeVisible();
    await expect(figure.getByRole('img', { name: /^Original .*x_t at step 4 of 5/ })).toBeVisible();

    await figure.getByRole('button', { name: 'Remove branch' }).click();
    await expect(branch).toHaveCount(0);
    await expect(page).not.toHaveURL(/t2i\.b=1/);
  });

  test('pause cancels the run between steps; play continues it', async ({ page }) => {
    const figure = await open(page, '?t2i.steps=40&t2i.n=1');
    const play = figure.getByRole('button', { name: 'Play', exact: true });
    await play.focus();
    await page.keyboard.press('Enter');
    await expect(figure.locator('[data-name="status"]')).toHaveText('Playing 40 steps…');
    await waitFor(page, (s) => s.stepsDone >= 2, 30_000);
    await figure.getByRole('button', { name: 'Pause', exact: true }).click();
    const atPause = (await snapshot(page)).stepsDone;
    await waitFor(page, (s) => !s.computing, 10_000);
    await page.waitForTimeout(1500);
    const later = await snapshot(page);
    // At most the step in flight when Pause was pressed finishes; nothing after it.
    expect(later.stepsDone).toBeLessThanOrEqual(atPause + 1);
    expect(later.stepsDone).toBeLessThan(40);
    expect(later.computing).toBe(false);
    await expect(figure.locator('[data-name="status"]')).toHaveText(new RegExp(`^Step ${later.scrub} of 40`));
    // Play picks up where the run stopped, without recomputing the steps already done.
    await figure.getByRole('button', { name: 'Play', exact: true }).click();
    await waitFor(page, (s) => s.stepsDone > later.stepsDone, 30_000);
    await figure.getByRole('button', { name: 'Pause', exact: true }).click();
    const resumed = await waitFor(page, (s) => !s.computing, 10_000);
    expect(resumed.modelCalls).toBe(resumed.stepsDone);
  });

  test('a malformed link falls back to defaults with a visible note', async ({ page }) => {
    const figure = await open(
      page,
      '?t2i.steps=abc&t2i.w=99&t2i.caption=a+purple+blob&t2i.sampler=zzz&t2i.n=7&t2i.k=-3&other=1',
    );
    const note = figure.locator('[data-name="url-note"]');
    await expect(note).toBeVisible();
    for (const key of ['t2i.steps', 't2i.w', 't2i.caption', 't2i.sampler', 't2i.n', 't2i.k'])
      await expect(note).toContainText(key);
    await expect(figure.getByRole('heading', { name: 'Original: "a green square on the left", w = 10' })).toBeVisible();
    await expect(figure.locator('[data-name="status"]')).toHaveText('Step 0 of 50.');
    await expect(figure.locator('[data-name="xt-original"] canvas')).toHaveCount(9);
    // Settled first: a button that turns from disabled (dimmed) to enabled while axe runs reads as low contrast.
    await expect(figure.getByRole('button', { name: 'Branch at step 0' })).toBeEnabled();
    await expectNoAxeViolations(page, 'malformed URL note');
  });

  test('a model that cannot be loaded shows a message and Retry, which then works', async ({ page }) => {
    await page.route('**/*shapes-unet*.onnx', (route) => route.abort());
    const figure = await open(page, '?t2i.steps=5&t2i.n=1', false);
    const alert = figure.locator('[data-name="runtime-error"]');
    await expect(alert).toBeVisible({ timeout: 30_000 });
    await expect(alert).toContainText('The images were cleared');
    await expect(figure.locator('[data-name="xt-original"]')).toHaveAttribute('data-filled', 'false');
    await expectNoAxeViolations(page, 'runtime error');
    await page.unroute('**/*shapes-unet*.onnx');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect(alert).toHaveCount(0);
    await expect(figure.locator('[data-name="xt-original"]')).toHaveAttribute('data-filled', 'true', {
      timeout: 30_000,
    });
  });

  test('full-size models: SD 1.5 listed with its size and needs, switch disabled without shader-f16, pocket keeps working', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    // This one runs without "force WASM": the full-size verdict is about this browser's own GPU adapter
    // (headless Chromium offers a software adapter without shader-f16).
    await page.addInitScript(() => localStorage.removeItem('dsbs.runtime.forceWasm.v1'));
    await page.goto(PAGE + '?t2i.model=sd15&t2i.steps=5&t2i.n=1&t2i.caption=a+red+circle');
    const figure = page.getByRole('figure', { name: FIGURE });
    await expect(figure).toBeVisible();
    const section = figure.locator('[data-name="full-size"]');
    // The link asked for SD 1.5, which cannot run here: the section is open with a note, the pocket model stays.
    await expect(section.locator('[data-name="model-note"]')).toContainText(
      'cannot run here; showing the pocket model',
      { timeout: 30_000 },
    );
    await expect(section.locator('[data-name="in-use"]')).toContainText('In use: the pocket model');
    await expect.poll(() => new URL(page.url()).searchParams.get('t2i.model')).toBeNull();

    const sd15 = section.locator('[data-model="sd15-webnn-fp16"]');
    await expect(sd15.getByRole('heading', { name: /Stable Diffusion 1\.5/ })).toBeVisible();
    await expect(sd15.locator('[data-name="size"]')).toHaveText(/^(about )?\d+(\.\d+)? GB$/);
    await expect(sd15.locator('[data-name="needs"]')).toContainText('shader-f16');
    const verdict = sd15.locator('[data-name="verdict"]');
    await expect(verdict).toContainText(/shader-f16.*which this GPU adapter .* does not offer/);
    const turbo = section.locator('[data-model="sd-turbo"]');
    await expect(turbo.locator('[data-name="needs"]')).toContainText('shader-f16');

    const switchButton = sd15.getByRole('button', { name: /Switch to Stable Diffusion 1\.5/ });
    await expect(switchButton).toBeDisabled();
    await expect(switchButton).toHaveAccessibleDescription(/does not offer.*pocket model stays in use/);
    await expectNoAxeViolations(page, 'full-size section');

    // The pocket model still samples (on whatever backend this browser chose for it): one step by keyboard.
    const status = figure.locator('[data-name="status"]');
    await expect(status).toHaveText('Step 0 of 5.', { timeout: 90_000 });
    await figure.getByRole('button', { name: 'Step', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(status).toHaveText('Step 1 of 5.', { timeout: 90_000 });
    const s = await snapshot(page);
    expect(s.error).toBeNull();
    expect(s.stepsDone).toBeGreaterThanOrEqual(1);
    await expect(figure.locator('[data-name="xt-original"]')).toHaveAttribute('data-filled', 'true');
  });
});
