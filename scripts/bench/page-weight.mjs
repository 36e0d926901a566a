// Loads every built page in headless Chromium, scrolls it through (so `client:visible` islands
// hydrate) and sums the bytes of the JavaScript and CSS it fetched: what a reader actually downloads.
import { gzipSync } from 'node:zlib';

/** @param {import('playwright-core').Browser} browser @param {string} origin @param {string[]} paths */
export async function measurePageWeight(browser, origin, paths) {
  const rows = [];
  for (const path of paths) {
    const page = await browser.newPage();
    const bodies = { script: [], stylesheet: [] };
    page.on('response', async (response) => {
      const type = response.request().resourceType();
      if (!(type in bodies)) return;
      bodies[type].push(response.body().catch(() => Buffer.alloc(0)));
    });
    await page.goto(origin + path, { waitUntil: 'networkidle' });
    await page.evaluate(async () => {
      for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y);
        await new Promise((r) => setTimeout(r, 30));
      }
    });
    await page.waitForLoadState('networkidle');
    const sum = async (list) => {
      const buffers = await Promise.all(list);
      return {
        files: buffers.length,
        raw: buffers.reduce((n, b) => n + b.length, 0),
        gzip: buffers.reduce((n, b) => n + (b.length ? gzipSync(b).length : 0), 0),
      };
    };
    rows.push({ path, js: await sum(bodies.script), css: await sum(bodies.stylesheet) });
    await page.close();
  }
  return rows;
}
