import { readdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './support/test';
import { captionOf, chwToRgba, parseCaption, renderSceneBytes, sampleScene } from '../../src/lib/shapes-world/index';
import { bundleForBrowser } from './support/bundle-for-browser';

/** The shapes-world page: scenes drawn at build time by the generator, vocabulary tables, no JavaScript. */

const SAMPLE_COUNT = 24;

test('shows the generator’s sample scenes, each with its caption as alt text', async ({ page }) => {
  const response = await page.goto('/shapes-world/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('The shapes world');
  const grid = page.getByRole('list', { name: 'Sample training scenes' });
  const images = grid.getByRole('img');
  await expect(images).toHaveCount(SAMPLE_COUNT);
  for (let i = 0; i < SAMPLE_COUNT; i++) {
    const image = images.nth(i);
    const alt = (await image.getAttribute('alt')) ?? '';
    expect(alt.trim().length).toBeGreaterThan(0);
    expect(parseCaption(alt).ok, alt).toBe(true);
    // Seed i of the training split, drawn by the same code in Node.
    expect(alt).toBe(captionOf(sampleScene(i, 'train')));
    await expect(grid.locator('figcaption').nth(i)).toHaveText(`${alt} seed ${i}`);
  }
  await expect(page.getByRole('list', { name: 'Held-out scenes' }).getByRole('img')).toHaveCount(8);
  const allAlts = await page
    .locator('main img')
    .evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt') ?? ''));
  for (const alt of allAlts) expect(alt.trim(), 'every picture has a caption').not.toBe('');
  await expect(page.getByRole('heading', { name: 'Models' })).toBeVisible();
  await expect(page.locator('main table:not(.model-card *)')).toHaveCount(5);
});

test('every model card the export wrote is shown, with its id and measured metrics', async ({ page }) => {
  const ids = readdirSync('models/cards')
    .filter((name) => name.endsWith('.md') && name !== 'TEMPLATE.md')
    .map((name) => name.replace(/\.md$/, ''));
  expect(ids.length).toBeGreaterThan(0);
  await page.goto('/shapes-world/');
  for (const id of ids) {
    const card = page.getByRole('region', { name: `Model card: ${id}`, exact: true });
    await expect(card).toBeVisible();
    await expect(card.getByRole('heading', { name: 'Metrics' })).toBeVisible();
    await expect(card.getByText(/SHA-256 [0-9a-f]{64}/)).toBeVisible();
  }
});

test('the pictures are pixel for pixel what the generator renders in Node, scaled without smoothing', async ({
  page,
}) => {
  await page.goto('/shapes-world/');
  const images = page.getByRole('list', { name: 'Sample training scenes' }).getByRole('img');
  const pixels = await images.evaluateAll(async (imgs) => {
    const out: number[][] = [];
    for (const img of imgs as HTMLImageElement[]) {
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(img, 0, 0);
      out.push(Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data));
    }
    return out;
  });
  expect(pixels).toHaveLength(SAMPLE_COUNT);
  pixels.forEach((rgba, seed) => {
    expect(rgba, `seed ${seed}`).toEqual(Array.from(chwToRgba(renderSceneBytes(sampleScene(seed, 'train')), 32, 32)));
  });
  const rendering = await images.first().evaluate((img) => getComputedStyle(img).imageRendering);
  expect(rendering).toBe('pixelated');
});

test('scenes are bit-identical in Chromium and Node for the same seed', async ({ page }) => {
  const script = await bundleForBrowser('src/lib/shapes-world/index.ts', 'dsbsShapes');
  await page.goto('/shapes-world/');
  await page.addScriptTag({ content: script });
  const seeds = [0, 1, 7, 99, 2 ** 31 - 1, 3_000_000_000];
  for (const split of ['all', 'train', 'heldout'] as const) {
    const inBrowser = await page.evaluate(
      ([list, s]) => {
        const lib = (window as any).dsbsShapes;
        return list.map((seed: number) => {
          const scene = lib.sampleScene(seed, s);
          return {
            scene: JSON.stringify(scene),
            caption: lib.captionOf(scene),
            bytes: Array.from(lib.renderSceneBytes(scene) as Uint8Array),
          };
        });
      },
      [seeds, split] as const,
    );
    seeds.forEach((seed, i) => {
      const scene = sampleScene(seed, split);
      expect(inBrowser[i]!.scene).toBe(JSON.stringify(scene));
      expect(inBrowser[i]!.caption).toBe(captionOf(scene));
      expect(inBrowser[i]!.bytes).toEqual(Array.from(renderSceneBytes(scene)));
    });
  }
});

test('ships no JavaScript', async ({ page, request }) => {
  const html = await (await request.get('/shapes-world/')).text();
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toContain('<astro-island');
  await page.goto('/shapes-world/');
  await expect(page.locator('script')).toHaveCount(0);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no violations on /shapes-world/ (${scheme})`, async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/shapes-world/');
    const results = await new AxeBuilder({ page }).analyze();
    const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(summary).toEqual([]);
    const path = testInfo.outputPath(`shapes-world-${scheme}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`shapes-world-${scheme}.png`, { path, contentType: 'image/png' });
  });
}
