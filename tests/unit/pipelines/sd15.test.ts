import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float16Bits, fromFloat16, toFloat16 } from '../../../src/lib/pipelines/float16';
import { eulerTimesteps } from '../../../src/lib/samplers';
import { generateSd15, SD_SCHEDULE, type SdComponents } from '../../../src/lib/pipelines/stable-diffusion';
import { createSchedule } from '../../../src/lib/schedules';
import { maxAbsDiff, openStandins, standinTokenize } from './sd-helpers';

describe('SD 1.5 fp16 pipeline on stand-ins of microsoft/stable-diffusion-v1.5-webnn (Node, ORT WASM)', () => {
  let components: SdComponents;
  let close: () => Promise<void>;
  const { tokenize } = standinTokenize('<|endoftext|>');

  beforeAll(async () => {
    ({ components, close } = await openStandins('sd15-webnn-fp16'));
  });
  afterAll(() => close());

  it('runs the fixed batch-2 float16 UNet on [unconditional, conditional] rows and decodes a 512×512 image', async () => {
    const r = await generateSd15(components, tokenize, { prompt: 'a red circle', seed: 4, steps: 3 });
    expect(r.steps.map((s) => s.timestep)).toEqual(eulerTimesteps(1000, 3, 'linspace'));
    expect(r.steps.map((s) => s.timestep)).toEqual([999, 499.5, 0]);
    expect(r.steps.map((s) => s.modelTimestep)).toEqual([999, 500, 0]);
    expect(r.tokens.unconditional![0]).toBe(49406);
    expect(r.tokens.unconditional![1]).toBe(49407);
    expect(r.tokens.unconditional![76]).toBe(49407); // SD 1.5 pads with <|endoftext|>
    expect(r.image.width).toBe(512);
    expect(r.image.data).toHaveLength(512 * 512 * 4);
    expect(r.steps.every((s) => s.conditional && s.unconditional)).toBe(true);
    expect(r.steps.every((s) => s.preview?.width === 512)).toBe(true);
    expect(r.previewDecoder).toBe('vae');
  });

  it('guidance weight 0 is the conditional path: the negative prompt then changes nothing, and with w = 6.5 it does', async () => {
    const base = { prompt: 'a red circle', seed: 8, steps: 4, previews: false } as const;
    const a = await generateSd15(components, tokenize, {
      ...base,
      guidanceWeight: 0,
      negativePrompt: 'a green square',
    });
    const b = await generateSd15(components, tokenize, {
      ...base,
      guidanceWeight: 0,
      negativePrompt: 'two blue triangles',
    });
    expect(maxAbsDiff(a.latents, b.latents)).toBe(0);
    a.steps.forEach((s) => expect(maxAbsDiff(s.epsilon, s.conditional!)).toBe(0));
    const c = await generateSd15(components, tokenize, {
      ...base,
      guidanceWeight: 6.5,
      negativePrompt: 'a green square',
    });
    const d = await generateSd15(components, tokenize, {
      ...base,
      guidanceWeight: 6.5,
      negativePrompt: 'two blue triangles',
    });
    expect(maxAbsDiff(c.latents, d.latents)).toBeGreaterThan(1e-3);
    const s = c.steps[1]!;
    expect(
      maxAbsDiff(
        s.epsilon,
        s.conditional!.map((v, i) => 7.5 * v - 6.5 * s.unconditional![i]!),
      ),
    ).toBeLessThan(1e-4);
  });

  it('keeps x̂₀ = x_t − σ·ε̂ for Euler and x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t for DDIM (leading timesteps, offset 1)', async () => {
    const euler = await generateSd15(components, tokenize, { prompt: 'a square', seed: 1, steps: 5, previews: false });
    for (const s of euler.steps)
      expect(
        maxAbsDiff(
          s.predOriginal,
          s.sample.map((x, i) => x - s.sigma! * s.epsilon[i]!),
        ),
      ).toBeLessThan(1e-4);
    const ddim = await generateSd15(components, tokenize, {
      prompt: 'a square',
      seed: 1,
      steps: 5,
      sampler: 'ddim',
      previews: false,
    });
    expect(ddim.steps.map((s) => s.timestep)).toEqual([801, 601, 401, 201, 1]);
    const alphaBars = createSchedule(SD_SCHEDULE).alphasCumprod;
    for (const s of ddim.steps) {
      const a = alphaBars[s.timestep]!;
      expect(s.alphaBar).toBe(a);
      expect(
        maxAbsDiff(
          s.predOriginal,
          s.sample.map((x, i) => (x - Math.sqrt(1 - a) * s.epsilon[i]!) / Math.sqrt(a)),
        ),
      ).toBeLessThan(1e-3);
    }
  });

  it('is deterministic per seed for the stochastic Euler ancestral sampler too', async () => {
    const o = { prompt: 'a triangle', seed: 21, steps: 4, sampler: 'euler-ancestral', previews: false } as const;
    const a = await generateSd15(components, tokenize, o);
    const b = await generateSd15(components, tokenize, o);
    const c = await generateSd15(components, tokenize, { ...o, seed: 22 });
    expect(maxAbsDiff(a.latents, b.latents)).toBe(0);
    expect(maxAbsDiff(a.latents, c.latents)).toBeGreaterThan(0.1);
  });

  it('crosses the float16 boundary both ways: what the UNet is fed is the nearest half of x_t/√(σ²+1), and its half output is decoded exactly', async () => {
    const r = await generateSd15(components, tokenize, {
      prompt: 'a circle',
      seed: 3,
      steps: 2,
      guidanceWeight: 0,
      previews: false,
    });
    const step = r.steps[0]!;
    const input = step.sample.map((x) => x / Math.sqrt(step.sigma! ** 2 + 1));
    const halfInput = toFloat16(input);
    expect(halfInput.every((h, i) => h === float16Bits(input[i]!))).toBe(true);
    const context = (
      await components.textEncoder.run({
        input_ids: {
          dtype: 'int32',
          data: new Int32Array([...r.tokens.unconditional!, ...r.tokens.conditional]),
          dims: [2, 77],
        },
      })
    )['last_hidden_state']!;
    expect(context.dtype).toBe('float16');
    const rows = new Uint16Array(2 * halfInput.length);
    rows.set(halfInput);
    rows.set(halfInput, halfInput.length);
    const out = await components.unet.run({
      sample: { dtype: 'float16', data: rows, dims: [2, 4, 64, 64] },
      timestep: { dtype: 'int64', data: BigInt64Array.from([999n, 999n]), dims: [2] },
      encoder_hidden_states: context,
    });
    const eps = out['out_sample']!;
    expect(eps.dtype).toBe('float16');
    const conditional = fromFloat16((eps.data as Uint16Array).subarray(halfInput.length));
    expect(maxAbsDiff(conditional, step.conditional!)).toBe(0);
    // Round trip of the sample itself: float32 → half → float32 is within half an ulp of a half (2^-11 relative).
    const back = fromFloat16(halfInput);
    input.forEach((v, i) =>
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25)),
    );
  });
});
