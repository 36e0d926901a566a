// The text → image widget's full-size path end to end in Chromium, on WebGPU (the software adapter
// --enable-unsafe-webgpu offers): choose SD-Turbo, agree to the download, fetch every file from the
// local mirror (served here from the stand-in generators), verify it, keep it in Cache Storage,
// generate with the SD-Turbo pipeline in the runtime worker, scrub the x̂₀ previews, and reload to
// find the files in this browser's storage. The stand-ins copy the real export's contract, not its weights.
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from './support/test';
import { standinSdTurbo } from './support/sd-turbo-standin';

const PAGE = '/test-fixtures/text-to-image-full-size/';
const FIGURE = 'Text → image, step by step';
const standin = standinSdTurbo(
  JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8')),
);

/** Serves the stand-ins at their mirror paths; counts what was asked of the mirror and of the Hub. */
async function serveMirror(page: Page) {
  const requests = { mirror: [] as string[], hub: 0 };
  await page.route('**/models-mirror/sd-turbo/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    const bytes = standin.files.get(path);
    if (!bytes) return route.fulfill({ status: 404, body: 'not found' });
    requests.mirror.push(`${route.request().method()} ${path}`);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) };
    return route.request().method() === 'HEAD'
      ? route.fulfill({ status: 200, headers })
      : route.fulfill({ status: 200, headers, body: Buffer.from(bytes) });
  });
  await page.route('https://huggingface.co/**', (route) => (requests.hub++, route.abort()));
  return requests;
}

/** The canvas's pixels: how many distinct RGB values, and a digest to compare runs. */
function canvasSummary(page: Page) {
  return page
    .getByRole('figure', { name: FIGURE })
    .locator('[data-name="full-size-image"]')
    .evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      let digest = 0;
      for (let i = 0; i < data.length; i += 4) {
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        digest = (Math.imul(digest, 31) + data[i]! + 7 * data[i + 1]! + 13 * data[i + 2]!) | 0;
      }
      return { width: canvas.width, height: canvas.height, colours: colours.size, digest };
    });
}

test('SD-Turbo from the mirror: consent, verified download, generation on WebGPU, x̂₀ scrubbing, cached for next time', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // The full-size verdict is about this browser's GPU adapter, so "force WASM" stays off.
  await page.addInitScript(() => localStorage.removeItem('dsbs.runtime.forceWasm.v1'));
  const requests = await serveMirror(page);
  await page.goto(PAGE + '?t2i.n=1&t2i.steps=5&t2i.seed=3&t2i.caption=a+red+circle');
  const figure = page.getByRole('figure', { name: FIGURE });
  const section = figure.locator('[data-name="full-size"]');
  const turbo = section.locator('[data-model="sd-turbo"]');
  // The verdict is the hydrated widget's judgement of this browser; then the section opens by keyboard.
  await expect(turbo.locator('[data-name="verdict"]')).toContainText('It needs a download of', { timeout: 30_000 });
  await section.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(section).toHaveAttribute('open', '');
  await expect(turbo.locator('[data-name="needs"]')).toHaveText('WebGPU');
  await expect(
    section.locator('[data-model="sd15-webnn-fp16"]').getByRole('button', { name: /Switch to/ }),
  ).toBeDisabled();
  await turbo.getByRole('button', { name: 'Switch to SD-Turbo stand-in' }).click();
  await expect(section.locator('[data-name="in-use"]')).toContainText('In use: SD-Turbo stand-in');
  await expect.poll(() => new URL(page.url()).searchParams.get('t2i.model')).toBe('sd-turbo');
  expect(requests.mirror, 'nothing is fetched before the reader agrees').toEqual([]);

  // Consent is the sized button.
  await section.getByRole('button', { name: /^Download SD-Turbo stand-in \([\d.]+ [kM]B\)$/ }).click();
  await expect(section.getByText(/SD-Turbo stand-in is ready \(.*from the local mirror\)/)).toBeVisible({
    timeout: 60_000,
  });
  const fetched = requests.mirror
    .filter((r) => r.startsWith('GET'))
    .map((r) => r.slice(4))
    .sort();
  expect(fetched).toEqual([...standin.files.keys()].sort());
  expect(requests.hub).toBe(0);

  const generate = section.getByRole('button', { name: 'Generate “a red circle” with SD-Turbo stand-in' });
  await generate.focus();
  await page.keyboard.press('Enter');
  const status = section.locator('[data-name="full-size-status"]');
  // The widget's 5 steps become SD-Turbo's most, 4 (it is distilled for 1–4).
  await expect(status).toHaveText(
    /^Done: 4 steps in [\d.]+ s on WebGPU: text encoder \d+ ms, UNet \d+ ms per step, VAE decoder \d+ ms\.$/,
    { timeout: 120_000 },
  );
  await expect(section.getByRole('alert')).toHaveCount(0);
  const image = section.getByRole('img', { name: 'Final image for “a red circle”' });
  await expect(image).toBeVisible();
  const final = await canvasSummary(page);
  expect(final).toMatchObject({ width: 512, height: 512 });
  expect(final.colours, 'the decoded image is not one flat colour').toBeGreaterThan(16);

  // Scrub back to the first step's x̂₀ by keyboard, then forward to the final image again.
  const scrub = section.getByRole('slider', { name: 'Full-size step' });
  await scrub.focus();
  await page.keyboard.press('Home');
  await expect(scrub).toHaveAttribute('aria-valuetext', 'x̂₀ after step 1');
  await expect(section.getByRole('img', { name: 'x̂₀ preview after step 1' })).toBeVisible();
  expect((await canvasSummary(page)).digest).not.toBe(final.digest);
  await page.keyboard.press('End');
  await expect(scrub).toHaveAttribute('aria-valuetext', 'final image');
  expect((await canvasSummary(page)).digest).toBe(final.digest);
  const axe = await new AxeBuilder({ page }).include('[data-name="full-size"]').analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);

  // Same seed, same image: a second run reproduces it exactly.
  await generate.click();
  await expect(status).toHaveText(/^Done: 4 steps/, { timeout: 120_000 });
  expect((await canvasSummary(page)).digest).toBe(final.digest);

  // A reload with the link comes back to SD-Turbo, and the files come from this browser's storage.
  requests.mirror.length = 0;
  await page.reload();
  await section.getByRole('button', { name: /^Download SD-Turbo stand-in/ }).click({ timeout: 30_000 });
  await expect(section.getByText(/SD-Turbo stand-in is ready \(.*from this browser’s storage\)/)).toBeVisible({
    timeout: 60_000,
  });
  expect(requests.mirror.filter((r) => r.startsWith('GET'))).toEqual([]);

  await section.getByRole('button', { name: 'Back to the pocket model' }).click();
  await expect(section.locator('[data-name="in-use"]')).toContainText('In use: the pocket model');
  await expect.poll(() => new URL(page.url()).searchParams.get('t2i.model')).toBeNull();
});

test('cancel stops a full-size run between steps and says so; the next run completes', async ({ page }) => {
  test.setTimeout(240_000);
  await page.addInitScript(() => localStorage.removeItem('dsbs.runtime.forceWasm.v1'));
  await serveMirror(page);
  await page.goto(PAGE + '?t2i.n=1&t2i.steps=5&t2i.seed=3&t2i.caption=a+blue+square&t2i.model=sd-turbo');
  const section = page.getByRole('figure', { name: FIGURE }).locator('[data-name="full-size"]');
  await section.getByRole('button', { name: /^Download SD-Turbo stand-in/ }).click({ timeout: 30_000 });
  await expect(section.getByText(/SD-Turbo stand-in is ready/)).toBeVisible({ timeout: 60_000 });
  const status = section.locator('[data-name="full-size-status"]');
  // The stand-ins are quick, so Cancel is pressed from inside the page as soon as step 1 is reported.
  await status.evaluate((element) => {
    new MutationObserver((_, observer) => {
      if (element.textContent !== 'Step 1 of 4…') return;
      observer.disconnect();
      [...element.parentElement!.querySelectorAll('button')].find((b) => b.textContent === 'Cancel')!.click();
    }).observe(element, { childList: true, characterData: true, subtree: true });
  });
  await section.getByRole('button', { name: /^Generate “a blue square”/ }).click();
  await expect(status).toHaveText('Cancelled.', { timeout: 60_000 });
  // What is shown is this run's own step-1 preview, and nothing after it.
  const scrub = section.getByRole('slider', { name: 'Full-size step' });
  await expect(scrub).toHaveAttribute('max', '0');
  await expect(scrub).toHaveAttribute('aria-valuetext', 'x̂₀ after step 1');
  await expect(section.getByRole('img', { name: 'x̂₀ preview after step 1' })).toBeVisible();
  await expect(section.getByRole('alert')).toHaveCount(0);
  await section.getByRole('button', { name: /^Generate “a blue square”/ }).click();
  await expect(status).toHaveText(/^Done: 4 steps/, { timeout: 120_000 });
});
