import { test, expect } from './support/test';
import { rngFingerprint } from '../../src/lib/rng';
import { bundleForBrowser } from './support/bundle-for-browser';

// The book promises that a seed means the same noise for every reader: Node (tests, build) and
// the browser (widgets) must produce bit-identical numbers, compared here as exact JSON strings.
test('seeded RNG gives bit-identical numbers in Node and Chromium', async ({ page }) => {
  const script = await bundleForBrowser('src/lib/rng.ts', 'dsbsRng');
  await page.goto('/');
  await page.addScriptTag({ content: script });
  for (const seed of [0, 1, 42, 2 ** 31 - 1, 123456789]) {
    const inBrowser = await page.evaluate(([s, n]) => JSON.stringify((window as any).dsbsRng.rngFingerprint(s, n)), [
      seed,
      2000,
    ] as const);
    expect(inBrowser).toBe(JSON.stringify(rngFingerprint(seed, 2000)));
  }
});
