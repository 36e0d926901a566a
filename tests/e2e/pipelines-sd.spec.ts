import { expect, test } from './support/test';

declare global {
  interface Window {
    sdFixture: any;
  }
}

interface Report {
  backend: string;
  previewDecoder: string;
  files: { role: string; bytes: number; createMs: number }[];
  runs: { textEncoderMs: number; unetMs: number[]; previewMs: number[]; vaeDecoderMs: number }[];
  latents: number[];
  image: { width: number; height: number; base64: string };
  stepTimesteps: number[];
}

function compare(wasm: Report, webgpu: Report) {
  let latent = 0;
  let scale = 0;
  wasm.latents.forEach((v, i) => {
    latent = Math.max(latent, Math.abs(v - webgpu.latents[i]!));
    scale = Math.max(scale, Math.abs(v));
  });
  const a = Buffer.from(wasm.image.base64, 'base64');
  const b = Buffer.from(webgpu.image.base64, 'base64');
  let pixelMax = 0;
  let pixelSum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    pixelMax = Math.max(pixelMax, d);
    pixelSum += d;
  }
  return { latent, scale, pixelMax, pixelMean: pixelSum / a.length, bytes: a.length };
}

test.describe('SD pipelines on their stand-ins in Chromium: WASM and WebGPU agree', () => {
  test.setTimeout(240_000);

  test('prompt → tokens → text encoder → UNet steps with TAESD previews → VAE → image, on both backends', async ({
    page,
  }, testInfo) => {
    await page.goto('/test-fixtures/pipelines-sd/');
    await page.locator('html[data-sd-fixture="ready"]').waitFor({ state: 'attached' });
    const caps = await page.evaluate(() => window.sdFixture.caps());
    expect(caps.adapter, 'Chromium with --enable-unsafe-webgpu offers an adapter (SwiftShader)').not.toBeNull();

    const cases = [
      { name: 'one step, no guidance', steps: 1, guidanceWeight: 0, timesteps: [999] },
      { name: 'three steps, w = 1.5 (batch of 2)', steps: 3, guidanceWeight: 1.5, timesteps: [999, 666, 332] },
    ];
    for (const c of cases) {
      const config = {
        model: 'sd-turbo',
        steps: c.steps,
        guidanceWeight: c.guidanceWeight,
        runs: 1,
        seed: 5,
        prompt: 'a red circle above a blue square',
        previews: true,
        taesd: true,
      };
      const wasm: Report = await page.evaluate((cfg) => window.sdFixture.run({ ...cfg, backend: 'wasm' }), config);
      const webgpu: Report = await page.evaluate((cfg) => window.sdFixture.run({ ...cfg, backend: 'webgpu' }), config);
      for (const r of [wasm, webgpu]) {
        expect(r.stepTimesteps).toEqual(c.timesteps);
        expect(r.previewDecoder).toBe('taesd');
        expect(r.files.map((f) => f.role)).toEqual(['text_encoder', 'unet', 'vae_decoder', 'taesd']);
        expect(r.latents).toHaveLength(4 * 64 * 64);
        expect(r.image).toMatchObject({ width: 512, height: 512 });
        expect(r.runs[0]!.unetMs).toHaveLength(c.steps);
        expect(r.runs[0]!.previewMs).toHaveLength(c.steps);
      }
      expect(wasm.backend).toBe('wasm');
      expect(webgpu.backend).toBe('webgpu');
      const d = compare(wasm, webgpu);
      testInfo.annotations.push({ type: `${c.name}: WASM vs WebGPU`, description: JSON.stringify(d) });
      console.log(
        `${c.name}: max |Δ latent| = ${d.latent.toExponential(2)} (latents up to ${d.scale.toFixed(1)}), pixels max ${d.pixelMax}, mean ${d.pixelMean.toFixed(3)}`,
      );
      expect(d.bytes).toBe(512 * 512 * 4);
      expect(d.scale).toBeGreaterThan(0.1);
      expect(d.latent).toBeLessThan(1e-3 * Math.max(1, d.scale));
      expect(d.pixelMax).toBeLessThanOrEqual(2);
    }
    expect(await page.evaluate(() => window.sdFixture.holders())).toEqual({});
  });

  test('SD 1.5 fp16 stand-in: batch-2 float16 UNet, Euler, guidance, on WASM (and WebGPU where shader-f16 exists)', async ({
    page,
  }, testInfo) => {
    await page.goto('/test-fixtures/pipelines-sd/');
    await page.locator('html[data-sd-fixture="ready"]').waitFor({ state: 'attached' });
    const caps = await page.evaluate(() => window.sdFixture.caps());
    const config = {
      model: 'sd15-webnn-fp16',
      steps: 3,
      guidanceWeight: 6.5,
      runs: 1,
      seed: 2,
      prompt: 'a red circle',
      previews: true,
      taesd: false,
    };
    const wasm: Report = await page.evaluate((cfg) => window.sdFixture.run({ ...cfg, backend: 'wasm' }), config);
    expect(wasm.stepTimesteps).toEqual([999, 499.5, 0]);
    expect(wasm.previewDecoder).toBe('vae');
    expect(wasm.image).toMatchObject({ width: 512, height: 512 });
    expect(wasm.latents.some((v) => Math.abs(v) > 0.1)).toBe(true);
    if (caps.adapter?.shaderF16) {
      const webgpu: Report = await page.evaluate((cfg) => window.sdFixture.run({ ...cfg, backend: 'webgpu' }), config);
      const d = compare(wasm, webgpu);
      testInfo.annotations.push({ type: 'SD 1.5: WASM vs WebGPU', description: JSON.stringify(d) });
      // float16 arithmetic inside the graphs on the GPU: looser than the float32 SD-Turbo check.
      expect(d.latent).toBeLessThan(2e-2 * Math.max(1, d.scale));
    } else {
      testInfo.annotations.push({ type: 'SD 1.5 on WebGPU', description: 'skipped: this adapter has no shader-f16' });
    }
    expect(await page.evaluate(() => window.sdFixture.holders())).toEqual({});
  });
});
