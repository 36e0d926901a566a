// Model-runtime benchmark (issue 4), on /test-fixtures/runtime/ (tests/fixtures/pages/runtime.astro):
// - overhead: ms per step of a small UNet-shaped model (tests/unit/runtime/onnx-builder.ts) through the
//   runtime — worker, protocol, copies — against a bare InferenceSession.run loop, same model, same
//   engine, same page (in a worker of its own, and on the page's main thread);
// - WASM with 1 thread vs every core (the preview server sends COOP/COEP, so the page is cross-origin isolated);
// - the pocket UNet (models/pocket/shapes-unet.onnx) per step at batch 2 and 8, 1 and 2 threads.
// Blocks of steps in rotating order, several rounds; each cell is the median over rounds with the
// range (min–max) beside it, and ratios are taken within a round, so load drifts cancel.
// Used by scripts/bench.mjs; also runs alone against a built dist/ (DSBS_TEST_FIXTURES=1):
// `node scripts/bench/runtime.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';

const SHAPE = { channels: 4, width: 32, size: 32 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
};
const stats = (xs) =>
  xs?.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length } : null;
const ratios = (a, b) => (a?.length && b?.length ? a.map((x, i) => x / b[i]) : null);

export async function measureRuntime(browser, origin) {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/test-fixtures/runtime/`);
    await page.locator('html[data-runtime-fixture="ready"]').waitFor({ state: 'attached' });
    const caps = await page.evaluate(() => window.runtimeFixture.caps());
    const loadBefore = loadavg();
    const allThreads = caps.crossOriginIsolated ? caps.logicalCores : 1;
    const threadCounts = [...new Set([1, allThreads])];
    const overhead = [];
    for (const threads of threadCounts) {
      overhead.push(
        await page.evaluate((o) => window.runtimeFixture.bench(o), {
          model: 'unet-shaped',
          backend: 'wasm',
          threads,
          steps: 20,
          rounds: 9,
          shape: SHAPE,
        }),
      );
    }
    // SwiftShader (software WebGPU) is far slower than WASM: a few steps show the protocol's cost there too.
    if (caps.adapter)
      overhead.push(
        await page.evaluate((o) => window.runtimeFixture.bench(o), {
          model: 'unet-shaped',
          backend: 'webgpu',
          steps: 4,
          rounds: 3,
          shape: SHAPE,
        }),
      );
    const pocket = [];
    for (const batch of [2, 8]) {
      for (const threads of [...new Set([1, Math.min(2, allThreads)])]) {
        pocket.push(
          await page.evaluate((o) => window.runtimeFixture.bench(o), {
            model: 'pocket-unet',
            backend: 'wasm',
            threads,
            batch,
            steps: batch === 2 ? 6 : 3,
            rounds: 5,
          }),
        );
      }
    }
    return { caps, overhead, pocket, load: [loadBefore[0], loadavg()[0]] };
  } finally {
    await page.close();
  }
}

const f = (x, digits = 2) => (x == null ? '—' : x.toFixed(digits));
const cell = (s, digits = 2) => (s ? `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})` : '—');

const dist = (xs, digits = 2) =>
  xs?.length ? `${f(quantile(xs, 0.1), digits)} / ${f(quantile(xs, 0.5), digits)}` : '—';

export function printRuntime({ caps, overhead, pocket, load }) {
  const adapter = caps.adapter
    ? `${caps.adapter.vendor} ${caps.adapter.architecture}${caps.adapter.isFallback ? ' (software)' : ''}`
    : 'none';
  console.log(
    `\n## Model runtime overhead (UNet-shaped ${SHAPE.channels}×${SHAPE.size}×${SHAPE.size}, width ${SHAPE.width}, batch 1)\n`,
  );
  console.log(
    `Cross-origin isolated: ${caps.crossOriginIsolated}; logical cores: ${caps.logicalCores}; WebGPU adapter: ${adapter}; ` +
      `1-minute load average before / after: ${load.map((x) => x.toFixed(1)).join(' / ')}.\n`,
  );
  console.log(
    '| backend | threads | steps × rounds | bare ORT, own worker | runtime, round trip | runtime messaging per step | bare ORT, page thread | runtime loop job (block mean) | ' +
      '**overhead: round trip ÷ bare worker, p10** | round trip ÷ bare worker, block means | loop job ÷ bare worker, block means |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of overhead) {
    const s = r.perStep;
    const p = r.perRound;
    const p10Ratio =
      s.runtime.length && s.bareWorker.length ? quantile(s.runtime, 0.1) / quantile(s.bareWorker, 0.1) : null;
    console.log(
      `| ${r.backend} | ${r.threads} | ${r.steps} × ${r.rounds} | ${dist(s.bareWorker)} | ${dist(s.runtime)} | ${dist(s.messaging, 3)} | ${dist(s.barePage)} | ${cell(stats(p.loop))} | ` +
        `**${f(p10Ratio, 3)}** | ${cell(stats(ratios(p.runtime, p.bareWorker)), 3)} | ${cell(stats(ratios(p.loop, p.bareWorker)), 3)} |`,
    );
  }
  console.log(
    '\nms per step as p10 / median over every step of every round (blocks of steps per arm, arms in rotating order). ' +
      '"Bare ORT, own worker" is timed inside its worker (no messaging at all); the round trip is timed on the page, so it includes ' +
      'the hop to the worker and back, the protocol and the copies; "messaging" is, step by step, the round trip minus the worker\'s ' +
      'own time for the ORT call (tensor creation and output copy included). On a shared, loaded machine wall-clock medians measure ' +
      'the scheduler as much as the code (a thread that sleeps between steps is favoured after each wake-up, a busy loop is not), so ' +
      'the headline ratio compares the least-disturbed steps (10th percentiles); block-mean ratios are per round, median (min–max). ' +
      'Target ≤ 1.05.',
  );

  const one = overhead.find((r) => r.backend === 'wasm' && r.threads === 1);
  const all = overhead.find((r) => r.backend === 'wasm' && r.threads > 1);
  console.log('\n## WASM threads: 1 vs all (cross-origin isolated page; runtime round trip per step, ms)\n');
  console.log(
    '| model | batch | 1 thread (p10 / median) | all threads (p10 / median) | threads | speed-up (p10 / median) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  const scaling = (label, batch, a, b) =>
    console.log(
      `| ${label} | ${batch} | ${dist(a.perStep.runtime)} | ${b ? dist(b.perStep.runtime) : '—'} | ${b ? b.threads : '—'} | ` +
        `${b ? `${f(quantile(a.perStep.runtime, 0.1) / quantile(b.perStep.runtime, 0.1))}× / ${f(quantile(a.perStep.runtime, 0.5) / quantile(b.perStep.runtime, 0.5))}×` : 'not measured (needs cross-origin isolation and > 1 core)'} |`,
    );
  if (one) scaling('UNet-shaped', 1, one, all);
  for (const batch of [2, 8]) {
    const p1 = pocket.find((r) => r.batch === batch && r.threads === 1);
    const pn = pocket.find((r) => r.batch === batch && r.threads > 1);
    if (p1) scaling('pocket UNet (shapes-unet.onnx)', batch, p1, pn);
  }

  console.log('\n## Pocket UNet (models/pocket/shapes-unet.onnx) through the runtime, WASM\n');
  console.log(
    '| batch | threads | steps × rounds | runtime, round trip ms per step (p10 / median) | ms per image (median) | runtime messaging per step | runtime loop job (block mean) | bare ORT, own worker (p10 / median) | round trip ÷ bare worker, p10 |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of pocket) {
    const s = r.perStep;
    console.log(
      `| ${r.batch} | ${r.threads} | ${r.steps} × ${r.rounds} | ${dist(s.runtime, 1)} | ${f(quantile(s.runtime, 0.5) / r.batch, 1)} | ${dist(s.messaging, 2)} | ${cell(stats(r.perRound.loop), 1)} | ` +
        `${dist(s.bareWorker, 1)} | ${f(quantile(s.runtime, 0.1) / quantile(s.bareWorker, 0.1), 3)} |`,
    );
  }
  console.log('\nA classifier-free-guided step runs the UNet on batch 2n (n images, conditional + unconditional).');
}

/** Re-run this process under the e2e lock (scripts/e2e.sh) so no test run rebuilds dist/ mid-measurement. */
export function underE2eLock(script) {
  if (process.env.DSBS_E2E_LOCK_HELD === '1') return false;
  if (spawnSync('flock', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  const result = spawnSync(
    'flock',
    ['/tmp/diffusion-step-by-step-e2e.lock', process.execPath, script, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, DSBS_E2E_LOCK_HELD: '1' },
    },
  );
  process.exit(result.status ?? 1);
}

/** `astro preview` of dist/ on a port of its own, beside any other preview (tests). */
export function startPreview(root, port) {
  return spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port), '--ignore-lock'], {
    cwd: root,
    stdio: 'ignore',
    detached: true,
  });
}

export async function waitForServer(url, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} did not start`);
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--disable-background-networking', '--enable-unsafe-webgpu'],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  underE2eLock(process.argv[1]);
  const root = new URL('../..', import.meta.url).pathname;
  // dist/ is shared with the e2e runs; build it with the test pages unless it has them (--build: always).
  if (process.argv.includes('--build') || !existsSync(join(root, 'dist/test-fixtures/runtime/index.html'))) {
    const built = spawnSync('npx', ['astro', 'build'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DSBS_TEST_FIXTURES: '1' },
    });
    if (built.status !== 0) throw new Error('astro build failed');
  }
  const port = 4398;
  const origin = `http://127.0.0.1:${port}`;
  const server = startPreview(root, port);
  try {
    await waitForServer(origin + '/');
    const browser = await launchBrowser();
    try {
      printRuntime(await measureRuntime(browser, origin));
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid);
  }
}
