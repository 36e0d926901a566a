import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSdTurbo,
  floatFeed,
  floatValues,
  type SdComponents,
} from '../../../src/lib/pipelines/stable-diffusion';
import { maxAbsDiff, openStandins, standinTokenize } from './sd-helpers';

describe('SD-Turbo pipeline on stand-ins of schmuell/sd-turbo-ort-web (Node, ORT WASM)', () => {
  let components: SdComponents;
  let withoutTaesd: SdComponents;
  const closers: (() => Promise<void>)[] = [];
  const { tokenize, tokenizer } = standinTokenize('!');

  beforeAll(async () => {
    const a = await openStandins('sd-turbo', { taesd: true });
    const b = await openStandins('sd-turbo');
    components = a.components;
    withoutTaesd = b.components;
    closers.push(a.close, b.close);
  });
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it('one step: prompt → 77 tokens padded with "!" (id 0) → t = 999, σ ≈ 14.6146 → a 512×512 RGBA image', async () => {
    const r = await generateSdTurbo(components, tokenize, { prompt: 'a red circle', seed: 7 });
    const tokens = r.tokens.conditional;
    expect(tokens).toHaveLength(77);
    expect(tokens[0]).toBe(49406);
    const eos = tokens.indexOf(49407);
    expect(eos).toBeGreaterThan(1);
    expect([...tokens.slice(eos + 1)].every((id) => id === 0)).toBe(true);
    expect(tokenizer.padId).toBe(0);
    expect(r.steps).toHaveLength(1);
    expect(r.steps[0]!.timestep).toBe(999);
    expect(r.steps[0]!.modelTimestep).toBe(999);
    expect(r.steps[0]!.sigma!).toBeCloseTo(14.6146, 3); // the σ the ORT demo hard-codes
    expect(r.latents).toHaveLength(4 * 64 * 64);
    expect(r.latentDims).toEqual([4, 64, 64]);
    expect(r.image.width).toBe(512);
    expect(r.image.height).toBe(512);
    expect(r.image.data).toHaveLength(512 * 512 * 4);
    expect(new Set(r.image.data.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(10); // not a flat image
    expect(r.timings.unetMs).toHaveLength(1);
    expect(r.timings.textEncoderMs).toBeGreaterThan(0);
    expect(r.timings.vaeDecoderMs).toBeGreaterThan(0);
  });

  it('four steps visit the trailing timesteps 999, 749, 499, 249 with decreasing σ and end at the last prevSample', async () => {
    const r = await generateSdTurbo(components, tokenize, { prompt: 'two blue squares', seed: 3, steps: 4 });
    expect(r.steps.map((s) => s.timestep)).toEqual([999, 749, 499, 249]);
    const sigmas = r.steps.map((s) => s.sigma!);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]!).toBeLessThan(sigmas[i - 1]!);
    await expect(generateSdTurbo(components, tokenize, { prompt: 'x', seed: 1, steps: 5 })).rejects.toThrow(
      /1–4 steps/,
    );
  });

  it('is a function of the seed: the same seed gives identical latents and pixels, another seed different ones', async () => {
    const options = { prompt: 'a small green triangle', seed: 11, steps: 3 };
    const a = await generateSdTurbo(components, tokenize, options);
    const b = await generateSdTurbo(components, tokenize, options);
    const c = await generateSdTurbo(components, tokenize, { ...options, seed: 12 });
    expect(maxAbsDiff(a.latents, b.latents)).toBe(0);
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    a.steps.forEach((s, i) => expect(maxAbsDiff(s.sample, b.steps[i]!.sample)).toBe(0));
    expect(maxAbsDiff(a.latents, c.latents)).toBeGreaterThan(0.1);
  });

  it('keeps every x_t and x̂₀: x̂₀ = x_t − σ·ε̂ at each step, ε̂ is the UNet run on x_t/√(σ²+1), and x_{t+1} is the next kept sample', async () => {
    const r = await generateSdTurbo(components, tokenize, { prompt: 'a circle above a square', seed: 5, steps: 4 });
    const context = (
      await components.textEncoder.run({ input_ids: { dtype: 'int32', data: r.tokens.conditional, dims: [1, 77] } })
    )['last_hidden_state']!;
    for (const step of r.steps) {
      const sigma = step.sigma!;
      const expected = step.sample.map((x, i) => x - sigma * step.epsilon[i]!);
      expect(maxAbsDiff(step.predOriginal, expected)).toBeLessThan(1e-4);
      // Independently: the stand-in UNet on the scaled sample at the integer timestep.
      const input = step.sample.map((x) => x / Math.sqrt(sigma * sigma + 1));
      const out = await components.unet.run({
        sample: floatFeed(input, [1, 4, 64, 64], 'float32'),
        timestep: { dtype: 'int64', data: BigInt64Array.from([BigInt(step.modelTimestep)]), dims: [1] },
        encoder_hidden_states: context,
      });
      expect(maxAbsDiff(floatValues(out['out_sample'], 'out_sample'), step.epsilon)).toBeLessThan(1e-5);
    }
    for (let i = 1; i < r.steps.length; i++) expect(r.steps[i]!.sample).not.toBe(r.steps[i - 1]!.sample);
    // After the last step σ = 0: the final latents equal the last x̂₀ plus no noise.
    expect(maxAbsDiff(r.latents, r.steps.at(-1)!.predOriginal)).toBeLessThan(1e-5);
  });

  it('guidance weight 0 is the conditional path; w ≠ 0 combines [unconditional, conditional] as (1 + w)·ε_c − w·ε_u', async () => {
    const plain = await generateSdTurbo(components, tokenize, { prompt: 'a red circle', seed: 2, steps: 2 });
    const zero = await generateSdTurbo(components, tokenize, {
      prompt: 'a red circle',
      negativePrompt: 'a blue square',
      guidanceWeight: 0,
      seed: 2,
      steps: 2,
    });
    expect(maxAbsDiff(plain.latents, zero.latents)).toBe(0);
    expect(zero.tokens.unconditional).toBeUndefined();
    const w = 1.5;
    const guided = await generateSdTurbo(components, tokenize, {
      prompt: 'a red circle',
      negativePrompt: 'a blue square',
      guidanceWeight: w,
      seed: 2,
      steps: 2,
    });
    const first = guided.steps[0]!;
    // Same x_T: the conditional row of the guided batch is the unguided prediction.
    expect(maxAbsDiff(first.conditional!, plain.steps[0]!.epsilon)).toBeLessThan(1e-5);
    expect(maxAbsDiff(first.unconditional!, first.conditional!)).toBeGreaterThan(1e-3);
    const combined = first.conditional!.map((c, i) => (1 + w) * c - w * first.unconditional![i]!);
    expect(maxAbsDiff(first.epsilon, combined)).toBeLessThan(1e-5);
    expect(maxAbsDiff(guided.latents, plain.latents)).toBeGreaterThan(1e-3);
    expect(guided.tokens.unconditional![1]).toBe(tokenizer.encode('a blue square').ids[1]);
  });

  it('previews x̂₀ at every step through TAESD when its files are present, else through the VAE decoder', async () => {
    const taesd = await generateSdTurbo(components, tokenize, { prompt: 'a square', seed: 9, steps: 3 });
    expect(taesd.previewDecoder).toBe('taesd');
    expect(taesd.steps.every((s) => s.preview?.width === 512 && s.preview.data.length === 512 * 512 * 4)).toBe(true);
    const vae = await generateSdTurbo(withoutTaesd, tokenize, { prompt: 'a square', seed: 9, steps: 3 });
    expect(vae.previewDecoder).toBe('vae');
    // The VAE preview of the last x̂₀ (σ_next = 0) is the final image itself.
    expect(Buffer.from(vae.steps.at(-1)!.preview!.data).equals(Buffer.from(vae.image.data))).toBe(true);
    expect(Buffer.from(taesd.steps.at(-1)!.preview!.data).equals(Buffer.from(taesd.image.data))).toBe(false);
    const none = await generateSdTurbo(components, tokenize, {
      prompt: 'a square',
      seed: 9,
      steps: 3,
      previews: false,
    });
    expect(none.previewDecoder).toBe('none');
    expect(none.steps.every((s) => s.preview === undefined)).toBe(true);
    expect(maxAbsDiff(none.latents, taesd.latents)).toBe(0);
  });

  it('reports each step as it happens and stops between steps when cancelled', async () => {
    const seen: number[] = [];
    const controller = new AbortController();
    const run = generateSdTurbo(components, tokenize, {
      prompt: 'a circle',
      seed: 1,
      steps: 4,
      signal: controller.signal,
      onStep: (step) => {
        seen.push(step.index);
        if (step.index === 1) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toEqual([0, 1]);
  });

  it("opens sessions with the demo's fixed latent size (freeDimensionOverrides): 64×64 sessions refuse 32×32 latents, 32×32 sessions give 256×256 images", async () => {
    await expect(
      generateSdTurbo(components, tokenize, { prompt: 'a circle', seed: 1, latentSize: 32 }),
    ).rejects.toThrow(/sample|dimension|Got/i);
    const small = await openStandins('sd-turbo', { taesd: true, latentSize: 32 });
    try {
      const r = await generateSdTurbo(small.components, tokenize, {
        prompt: 'a circle',
        seed: 1,
        latentSize: 32,
        steps: 2,
      });
      expect(r.latentDims).toEqual([4, 32, 32]);
      expect(r.image).toMatchObject({ width: 256, height: 256 });
      expect(r.steps.every((s) => s.preview?.width === 256)).toBe(true);
    } finally {
      await small.close();
    }
  });
});
