// Loads every built page in headless Chromium, hydrates every island (`client:visible` ones load
// only when seen) and sums the bytes of the HTML, JavaScript and CSS it fetched: what a reader actually downloads.
import { gzipSync } from 'node:zlib';

/** @param {import('playwright-core').Browser} browser @param {string} origin @param {string[]} paths */
export async function measurePageWeight(browser, origin, paths) {
  const rows = [];
  for (const path of paths) {
    const page = await browser.newPage();
    const bodies = { document: [], script: [], stylesheet: [] };
    page.on('response', async (response) => {
      const type = response.request().resourceType();
      if (!(type in bodies)) return;
      bodies[type].push(response.body().catch(() => Buffer.alloc(0)));
    });
    await page.goto(origin + path, { waitUntil: 'networkidle' });
    // Bring every island into view and wait until Astro has hydrated it (it drops `ssr` then).
    const count = await page.locator('astro-island').count();
    for (let i = 0; i < count; i++) {
      // Islands are `display: contents`: scroll to their first rendered element.
      await page.evaluate((n) => {
        const island = document.querySelectorAll('astro-island')[n];
        (island.firstElementChild ?? island.parentElement)?.scrollIntoView();
      }, i);
      await page.waitForFunction((n) => !document.querySelectorAll('astro-island')[n].hasAttribute('ssr'), i, {
        timeout: 30_000,
      });
    }
    await page.waitForLoadState('networkidle');
    const sum = async (list) => {
      const buffers = await Promise.all(list);
      return {
        files: buffers.length,
        raw: buffers.reduce((n, b) => n + b.length, 0),
        gzip: buffers.reduce((n, b) => n + (b.length ? gzipSync(b).length : 0), 0),
      };
    };
    rows.push({
      path,
      html: await sum(bodies.document),
      js: await sum(bodies.script),
      css: await sum(bodies.stylesheet),
    });
    await page.close();
  }
  return rows;
}
