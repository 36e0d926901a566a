// Model-runtime benchmark (issue 4): ms per step of a small UNet-shaped model (built by
// tests/unit/runtime/onnx-builder.ts on /test-fixtures/runtime/) through the runtime — worker,
// protocol, copies — against a bare InferenceSession.run loop on the page, same model, same
// engine; and WASM with 1 thread vs every core (the preview server sends COOP/COEP).
// Used by scripts/bench.mjs; also runs alone against a built dist/: `node scripts/bench/runtime.mjs`.
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

const SHAPE = { channels: 4, width: 32, size: 32 };
const STEPS = 40;

export async function measureRuntime(browser, origin) {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/test-fixtures/runtime/`);
    await page.locator('html[data-runtime-fixture="ready"]').waitFor({ state: 'attached' });
    const caps = await page.evaluate(() => window.runtimeFixture.caps());
    const runs = [{ backend: 'wasm', threads: 1 }];
    if (caps.crossOriginIsolated && caps.logicalCores > 1) runs.push({ backend: 'wasm', threads: caps.logicalCores });
    if (caps.adapter) runs.push({ backend: 'webgpu', threads: 1 });
    const rows = [];
    for (const run of runs) {
      // SwiftShader (software WebGPU) is ~100× slower than WASM here: fewer steps keep the run short.
      const steps = run.backend === 'webgpu' ? 8 : STEPS;
      rows.push({ ...(await page.evaluate((o) => window.runtimeFixture.bench(o), { ...run, steps, shape: SHAPE })), steps });
    }
    return { caps, rows };
  } finally {
    await page.close();
  }
}

export function printRuntime({ caps, rows }) {
  const f = (x) => (x == null ? '—' : x.toFixed(2));
  const adapter = caps.adapter ? `${caps.adapter.vendor} ${caps.adapter.architecture}${caps.adapter.isFallback ? ' (software)' : ''}` : 'none';
  console.log(`\n## Model runtime (UNet-shaped ${SHAPE.channels}×${SHAPE.size}×${SHAPE.size}, width ${SHAPE.width}; median over steps, runtime and bare interleaved)\n`);
  console.log(`Cross-origin isolated: ${caps.crossOriginIsolated}; logical cores: ${caps.logicalCores}; WebGPU adapter: ${adapter}.\n`);
  console.log('| backend | threads | steps | runtime, round trip per step | runtime, loop job in worker | bare ORT in a worker | bare ORT on the page | overhead vs bare worker (round trip / loop) | overhead vs bare page (round trip) | fastest step: runtime / bare worker |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const over = (x, base) => (base ? (x / base).toFixed(3) : '—');
    console.log(
      `| ${r.backend} | ${r.threads} | ${r.steps} | ${f(r.runtimeMsPerStep)} | ${f(r.loopMsPerStep)} | ${f(r.bareWorkerMsPerStep)} | ${f(r.bareMsPerStep)} | ` +
        `${over(r.runtimeMsPerStep, r.bareWorkerMsPerStep)} / ${over(r.loopMsPerStep, r.bareWorkerMsPerStep)} | ${over(r.runtimeMsPerStep, r.bareMsPerStep)} | ` +
        `${f(r.runtimeMinMs)} / ${f(r.bareWorkerMinMs)} (${over(r.runtimeMinMs, r.bareWorkerMinMs)}) |`,
    );
  }
  console.log('\nAll times ms per step (median unless noted). Overhead = runtime ÷ bare (target ≤ 1.05); the fair baseline is bare ORT on a worker thread (timed inside it, no messaging), since the runtime runs ORT in one too; runtime, bare-worker and bare-page steps are interleaved. Medians move with background load on a shared machine; the fastest step is the least disturbed estimate.');
  const one = rows.find((r) => r.backend === 'wasm' && r.threads === 1);
  const all = rows.find((r) => r.backend === 'wasm' && r.threads > 1);
  if (one && all) console.log(`\nWASM thread scaling: 1 → ${all.threads} threads = ${(one.runtimeMsPerStep / all.runtimeMsPerStep).toFixed(2)}× faster per step.`);
  else console.log('\nWASM thread scaling: not measured (needs cross-origin isolation and more than one core).');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = 4398;
  const origin = `http://127.0.0.1:${port}`;
  const root = new URL('../..', import.meta.url).pathname;
  const server = spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port)], { cwd: root, stdio: 'ignore', detached: true });
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
      args: ['--no-sandbox', '--disable-quic', '--disable-background-networking', '--enable-unsafe-webgpu'],
    });
    try {
      printRuntime(await measureRuntime(browser, origin));
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid);
  }
}
