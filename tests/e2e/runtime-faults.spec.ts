import { expect, test, type Page } from './support/test';
import { openFixture, runtimeWorker, watchErrors } from './runtime-helpers';

declare global {
  interface Window {
    runtimeFixture: any;
    loopDone: Promise<{ ok: boolean; kind?: string; message?: string; steps?: number }>;
    lastErrorAt: number;
    lastState: Float32Array | undefined;
  }
}

test.describe.configure({ timeout: 180_000 });

async function expectWasmFallback(page: Page, reasonStart: string) {
  const result = await page.evaluate(() => window.runtimeFixture.runChosen('mixture', { requiredFeatures: [] }));
  expect(result.ran).toBe(true);
  expect(result.backend).toBe('wasm');
  expect(result.reason).toMatch(new RegExp(`^${reasonStart} — running on WASM, \\d+ threads?`));
  expect(result.values).toHaveLength(8);
  expect(result.values.every((v: number) => Number.isFinite(v))).toBe(true);
  await expect(page.locator('.backend-badge')).toContainText('WASM');
  await expect(page.locator('.backend-badge')).toContainText(result.reason);
}

test('no navigator.gpu → WASM, with the reason on the badge', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  await openFixture(page);
  expect((await page.evaluate(() => window.runtimeFixture.caps())).webgpuPresent).toBe(false);
  await expectWasmFallback(page, 'WebGPU unavailable: this browser has no navigator.gpu');
  expect(errors).toEqual([]);
});

test('requestAdapter() returns null → WASM, with the reason on the badge', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    GPU.prototype.requestAdapter = async () => null;
  });
  await openFixture(page);
  await expectWasmFallback(page, 'WebGPU unavailable: no adapter');
  // A model that needs WebGPU refuses instead of pretending.
  const gpuOnly = await page.evaluate(() => window.runtimeFixture.runChosen('unet', { requiredFeatures: ['webgpu'] }));
  expect(gpuOnly).toEqual({ ran: false, reason: 'This model needs WebGPU, which is unavailable here: no adapter.' });
  expect(errors).toEqual([]);
});

test('no shader-f16 → the half-precision model refuses with a message, others still run on WebGPU', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    const real = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, 'features')!.get!;
    Object.defineProperty(GPUAdapter.prototype, 'features', {
      configurable: true,
      get() {
        const features = real.call(this) as Set<string>;
        return new Set([...features].filter((f) => f !== 'shader-f16'));
      },
    });
  });
  await openFixture(page);
  const half = await page.evaluate(() => window.runtimeFixture.runHalfPrecision());
  expect(half.ran).toBe(false);
  expect(half.reason).toMatch(
    /needs 16-bit float shaders \(WebGPU “shader-f16”\), which this GPU adapter \(.+\) does not offer/,
  );
  await expect(page.locator('#f16-message')).toHaveText(half.reason);
  const other = await page.evaluate(() => window.runtimeFixture.runChosen('unet', { requiredFeatures: [] }));
  expect(other).toMatchObject({ ran: true, backend: 'webgpu' });
  expect(other.values.every((v: number) => Number.isFinite(v))).toBe(true);
  expect(errors).toEqual([]);
});

test('device.destroy() mid-run → clear message within 1 s, nothing stale, retry works', async ({ page }) => {
  const errors = watchErrors(page);
  await openFixture(page);
  await page.evaluate(() => {
    window.loopDone = window.runtimeFixture.startLoop('webgpu', 150);
  });
  await expect(page.locator('#status')).toHaveText(/step ([3-9]|\d\d+) of 150/, { timeout: 90_000 });
  const worker = runtimeWorker(page);
  expect(worker).toBeDefined();
  const destroyedAt = await worker!.evaluate(async () => {
    const hook = (self as unknown as { __dsbsRuntime: { gpuDevice(): Promise<{ destroy(): void } | undefined> } })
      .__dsbsRuntime;
    const device = await hook.gpuDevice();
    if (!device) throw new Error('no GPU device in the runtime worker');
    device.destroy();
    return Date.now();
  });
  const outcome = await page.evaluate(() => window.loopDone);
  expect(outcome).toMatchObject({ ok: false, kind: 'device-lost' });
  expect(outcome.message).toMatch(
    /^The GPU device was lost \(destroyed.*\)\. Its sessions were released; press Retry to start again\.$/,
  );
  const latency = (await page.evaluate(() => window.lastErrorAt)) - destroyedAt;
  console.log(`device lost → message on the page: ${latency} ms`);
  expect(latency).toBeLessThan(1000);
  await expect(page.locator('#status')).toHaveText('failed');
  await expect(page.locator('#message')).toHaveText(outcome.message!);
  expect(await page.evaluate(() => window.lastState)).toBeUndefined();
  expect(await page.evaluate(() => window.runtimeFixture.holders())).toEqual({});

  await page.locator('#retry').click();
  await expect(page.locator('#status')).toHaveText(/^done: 150 steps/, { timeout: 120_000 });
  await expect(page.locator('#message')).toHaveText('');
  expect(errors).toEqual([]);
});

test('cancel mid-run → stops between steps with a message, retry runs to the end', async ({ page }) => {
  const errors = watchErrors(page);
  await openFixture(page);
  // Long enough (about a second or more) that the click lands mid-run even on a loaded machine.
  const steps = 4000;
  await page.evaluate((n) => {
    window.loopDone = window.runtimeFixture.startLoop('wasm', n);
  }, steps);
  await expect(page.locator('#status')).toHaveText(new RegExp(`step ([3-9]|\\d\\d+) of ${steps}$`), {
    timeout: 90_000,
  });
  const seenBeforeCancel = Number(/step (\d+)/.exec((await page.locator('#status').textContent()) ?? '')![1]);
  await page.locator('#cancel').click();
  const outcome = await page.evaluate(() => window.loopDone);
  expect(outcome).toMatchObject({ ok: false, kind: 'cancelled' });
  const stoppedAfter = Number(new RegExp(`^Cancelled after (\\d+) of ${steps} steps\\.$`).exec(outcome.message!)![1]);
  expect(stoppedAfter).toBeGreaterThanOrEqual(seenBeforeCancel);
  expect(stoppedAfter).toBeLessThan(steps);
  await expect(page.locator('#status')).toHaveText('cancelled');
  await expect(page.locator('#message')).toHaveText(outcome.message!);

  await page.locator('#retry').click();
  await expect(page.locator('#status')).toHaveText(new RegExp(`^done: ${steps} steps`), { timeout: 120_000 });
  expect(await page.evaluate(() => window.runtimeFixture.holders())).toEqual({});
  expect(errors).toEqual([]);
});
