// Widget compute speed in headless Chromium, through the widget's own page and code.

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** @param {import('@playwright/test').Browser} browser @param {string} origin */
export async function measureWidgets(browser, origin) {
  const page = await browser.newPage();
  await page.goto(`${origin}/chapters/ddpm/?bench`, { waitUntil: 'networkidle' });
  // The 2-D widget hydrates when visible and only then defines the benchmark hook.
  await page.locator('#diffusion-2d').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => typeof window.__dsbsBench2d === 'function', null, { timeout: 30_000 });
  const rows = [];
  for (const sampler of ['ddim', 'ddpm']) {
    const runs = [];
    for (let i = 0; i < 5; i++) {
      runs.push(await page.evaluate((s) => window.__dsbsBench2d({ steps: 50, particles: 2000, sampler: s }), sampler));
    }
    rows.push({
      name: `2-D ${sampler.toUpperCase()} reverse step, 2,000 particles × 300 data points (ms)`,
      value: median(runs).toFixed(2),
    });
  }
  await page.close();
  return rows;
}
