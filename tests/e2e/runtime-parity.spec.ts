import { expect, test } from './support/test';
import { openFixture, watchErrors } from './runtime-helpers';

declare global {
  interface Window {
    runtimeFixture: any;
  }
}

test.describe('model runtime: WASM and WebGPU agree', () => {
  test.setTimeout(180_000);

  test('the UNet-shaped and mixture2d models give the same numbers on both backends through the worker', async ({
    page,
  }, testInfo) => {
    const errors = watchErrors(page);
    const requests: string[] = [];
    page.context().on('request', (r) => requests.push(r.url()));
    await openFixture(page);
    const caps = await page.evaluate(() => window.runtimeFixture.caps());
    expect(caps.adapter, 'Chromium with --enable-unsafe-webgpu offers an adapter (SwiftShader)').not.toBeNull();
    const result = await page.evaluate(() => window.runtimeFixture.compareBackends());
    for (const model of ['unet', 'mixture'] as const) {
      const { wasm, webgpu, maxAbsDiff } = result[model];
      expect(webgpu).toHaveLength(wasm.length);
      testInfo.annotations.push({ type: `${model} max |WASM − WebGPU|`, description: String(maxAbsDiff) });
      console.log(`${model}: ${wasm.length} values, max |WASM − WebGPU| = ${maxAbsDiff.toExponential(2)}`);
      expect(wasm.length).toBeGreaterThan(0);
      expect(wasm.some((v: number) => v !== 0)).toBe(true);
      expect(maxAbsDiff).toBeLessThan(1e-3);
    }
    await expect(page.locator('#badge')).toBeEmpty();
    const choice = await page.evaluate(() => window.runtimeFixture.choose({ requiredFeatures: [] }));
    expect(choice).toMatchObject({ runnable: true, backend: 'webgpu' });
    await expect(page.locator('.backend-badge')).toContainText('WebGPU');
    await expect(page.locator('.backend-badge')).toContainText(choice.reason);
    expect(await page.evaluate(() => window.runtimeFixture.holders())).toEqual({});
    // The engine comes from the site itself, versioned, and nothing is fetched from elsewhere.
    const origin = new URL(page.url()).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual(
      [],
    );
    expect(requests).toContain(`${origin}/ort/1.30.0/ort-wasm-simd-threaded.jsep.wasm`);
    expect(requests.filter((u) => u.endsWith('.wasm')).every((u) => u.includes('/ort/1.30.0/'))).toBe(true);
    expect(errors).toEqual([]);
  });
});
