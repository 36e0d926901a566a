// Text → image benchmark (issue 6, item 6): a 50-step, 4-sample, classifier-free-guided run of the
// pocket UNet (one call per step on a batch of 8) on WASM with 2 threads in headless Chromium,
// through a runtime worker, drawing x_t and x̂₀ every step as the widget does. Reports the total
// time and the longest main-thread task seen meanwhile (PerformanceObserver 'longtask', which only
// reports tasks over 50 ms). Target from the issue: ≤ 2 s total, no task over 50 ms. Nothing is
// asserted; the numbers are printed as measured.
// Used by scripts/bench.mjs; also runs alone against a built dist/ with the test pages
// (DSBS_TEST_FIXTURES=1 npx astro build): `node scripts/bench/text-to-image.mjs`, or against a preview
// server that is already running (Astro allows one per checkout): `BENCH_ORIGIN=http://127.0.0.1:4321 node …`.
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

const RUN = {
  threads: 2,
  steps: 50,
  samples: 4,
  weight: 3,
  caption: 'a red circle above a blue square',
  sampler: 'ddim',
};
const REPEATS = 3;

export async function measureTextToImage(browser, origin) {
  const page = await browser.newPage();
  try {
    // Reduced motion keeps the widget on the page from autoplaying while the benchmark runs.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    page.on('requestfailed', (r) => console.error(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`page: ${m.text()}`));
    await page.goto(`${origin}/test-fixtures/text-to-image/`);
    await page.locator('html[data-text-to-image-fixture="ready"]').waitFor({ state: 'attached' });
    const runs = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await page.evaluate((o) => window.textToImageFixture.bench(o), RUN));
    return runs;
  } finally {
    await page.close();
  }
}

export function printTextToImage(runs) {
  const f = (x, digits = 0) => (x == null ? '—' : x.toFixed(digits));
  const first = runs[0];
  console.log(
    `\n## Text → image (pocket UNet, ${RUN.steps} steps, ${RUN.samples} samples, CFG w = ${RUN.weight}, DDIM, WASM ${RUN.threads} threads, batch ${2 * RUN.samples} per call)\n`,
  );
  console.log(
    `Cross-origin isolated: ${first.crossOriginIsolated}; logical cores: ${first.logicalCores}. Target (issue 6): ≤ 2000 ms total, no main-thread task > 50 ms.\n`,
  );
  console.log(
    '| run | total ms | median ms per step | median UNet ms per step | long tasks (> 50 ms) | longest task ms | long tasks: ms @ step | longest draw ms |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---|---:|');
  runs.forEach((r, i) =>
    console.log(
      `| ${i + 1} | ${f(r.totalMs)} | ${f(r.medianStepMs, 1)} | ${f(r.medianModelMs, 1)} | ${r.longTaskCount} | ${r.longTaskCount ? f(r.longestTaskMs) : 'none'} | ` +
        `${r.longTasks.map((t) => `${t.ms} @ ${t.step < 0 ? 'before' : t.step}`).join(', ') || '—'} | ${f(r.longestDrawMs, 2)} |`,
    ),
  );
  const best = Math.min(...runs.map((r) => r.totalMs));
  const worstTask = Math.max(...runs.map((r) => r.longestTaskMs));
  console.log(
    `\nFastest total: ${f(best)} ms (${best <= 2000 ? 'meets' : 'misses'} the 2 s target); longest main-thread task: ${worstTask ? `${f(worstTask)} ms` : 'none over 50 ms'}.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = 4397;
  const origin = process.env.BENCH_ORIGIN ?? `http://127.0.0.1:${port}`;
  const root = new URL('../..', import.meta.url).pathname;
  const server = process.env.BENCH_ORIGIN
    ? null
    : spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: root,
        stdio: 'ignore',
        detached: true,
      });
  try {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(origin + '/')).ok) break;
      } catch {}
      if (Date.now() > end) throw new Error('preview server did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-quic', '--disable-background-networking'],
    });
    try {
      printTextToImage(await measureTextToImage(browser, origin));
    } finally {
      await browser.close();
    }
  } finally {
    if (server) process.kill(-server.pid);
  }
}
