// The text → image sampling core (src/lib/pocket/text-to-image.ts) over the real pocket UNet
// (models/pocket/shapes-unet.onnx, WASM through src/lib/runtime/ort.ts). No assertion depends on the
// weights: each test compares the core with itself under a symmetry it must respect (determinism,
// branching, w = 0, w = −1) or with the reference sampler's own configuration in the golden file.
// Few steps and small batches: the machine is shared.
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPocketSessions, readPocketDir } from '../../../models/train/pocket-dir.ts';
import { nullCaptionTokens } from '../../../src/lib/pocket/fixtures.ts';
import { GOLDEN_TOLERANCE, goldenSampler } from '../../../src/lib/pocket/golden.ts';
import { sampleAsync, type ModelRunner } from '../../../src/lib/pocket/guided-sampling.ts';
import {
  CaptionRejected,
  IMAGE_LENGTH,
  TextToImageRun,
  captionCondition,
  createTextToImageSampler,
  initialNoise,
  stepNoise,
  textGuidedEpsilon,
  type TextToImageSettings,
} from '../../../src/lib/pocket/text-to-image.ts';
import { encodeCaption } from '../../../src/lib/shapes-world/caption.ts';
import type { DDIMSampler, DDPMSampler } from '../../../src/lib/samplers/index.ts';

const dir = resolve(new URL('../../../models/pocket', import.meta.url).pathname);
const sessions = openPocketSessions(dir);
afterAll(() => sessions.disposeAll());

const TIMEOUT_MS = 120_000;
const base: TextToImageSettings = {
  caption: 'a red circle',
  weight: 3,
  sampler: 'ddim',
  steps: 6,
  seed: 11,
  samples: 2,
};

/** The UNet, counting calls and the batch sizes it was given. */
async function countingUnet() {
  const unet = await sessions.model('shapes-unet.onnx');
  const batches: number[] = [];
  const model: ModelRunner = (feeds) => {
    batches.push(feeds.x!.dims[0]!);
    return unet(feeds);
  };
  return { model, batches };
}

async function finished(model: ModelRunner, settings: TextToImageSettings): Promise<TextToImageRun> {
  const run = new TextToImageRun(model, settings);
  await run.runToEnd();
  return run;
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('noise and configuration (no model)', () => {
  it('the samplers are configured as the golden file’s reference sampler', () => {
    const { golden } = readPocketDir(dir);
    const unetGolden = golden.find((g) => g.fixture.model === 'shapes-unet.onnx');
    expect(unetGolden).toBeDefined();
    const { schedule, sampler: reference } = unetGolden!.fixture;
    for (const name of ['ddim', 'ddpm'] as const) {
      const sampler = createTextToImageSampler(name, 10) as DDIMSampler | DDPMSampler;
      expect(sampler.schedule.numTrainTimesteps).toBe(schedule.numTrainTimesteps);
      expect(sampler.timestepSpacing).toBe(reference.timestepSpacing);
      expect(sampler.stepsOffset).toBe(reference.stepsOffset);
      expect(sampler.predictionType).toBe(reference.predictionType);
      expect(sampler.x0Processing).toMatchObject({
        clipSample: reference.clipSample,
        clipSampleRange: reference.clipSampleRange,
      });
    }
    const ddim = createTextToImageSampler('ddim', 10) as DDIMSampler;
    expect(ddim.eta).toBe(0);
    expect(ddim.useClippedModelOutput).toBe(reference.useClippedModelOutput);
    expect(ddim.finalAlphaCumprod).toBe(reference.setAlphaToOne ? 1 : ddim.schedule.alphasCumprod[0]);
    // …and DDIM visits the reference's timesteps, e.g. the 50-step case.
    for (const goldenCase of unetGolden!.fixture.cases.filter((c) => c.eta === 0)) {
      expect(createTextToImageSampler('ddim', goldenCase.numInferenceSteps).timesteps).toEqual(
        goldenSampler(unetGolden!.fixture, goldenCase).timesteps,
      );
    }
  });

  it('sample i has the same noise whatever the number of samples, and other seeds give other noise', () => {
    const four = initialNoise(5, 4);
    const one = initialNoise(5, 1);
    expect(four.length).toBe(4 * IMAGE_LENGTH);
    expect(Array.from(four.subarray(0, IMAGE_LENGTH))).toEqual(Array.from(one));
    expect(maxAbs(four.subarray(0, IMAGE_LENGTH), four.subarray(IMAGE_LENGTH, 2 * IMAGE_LENGTH))).toBeGreaterThan(1);
    expect(maxAbs(one, initialNoise(6, 1))).toBeGreaterThan(1);
    expect(Array.from(stepNoise(5, 2, 3).subarray(IMAGE_LENGTH))).toEqual(
      Array.from(stepNoise(5, 4, 3).subarray(IMAGE_LENGTH, 2 * IMAGE_LENGTH)),
    );
    expect(maxAbs(stepNoise(5, 1, 0), stepNoise(5, 1, 1))).toBeGreaterThan(1);
    expect(maxAbs(stepNoise(5, 1, 0), one)).toBeGreaterThan(1);
    // Roughly standard normal.
    const mean = four.reduce((a, b) => a + b, 0) / four.length;
    const variance = four.reduce((a, b) => a + (b - mean) ** 2, 0) / four.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('captions: empty is the null caption, a bad one is refused with the parser’s message', () => {
    const empty = captionCondition('   ');
    expect(empty.ok && empty.unconditional).toBe(true);
    if (empty.ok) expect(Array.from(empty.tokens)).toEqual(Array.from(nullCaptionTokens()));
    const good = captionCondition('A  Red circle');
    expect(good.ok && !good.unconditional && good.caption).toBe('a red circle');
    if (good.ok) expect(Array.from(good.tokens)).toEqual(Array.from(encodeCaption('a red circle')));
    const bad = captionCondition('a purple circle');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.word).toBe('purple');
    const model: ModelRunner = () => Promise.reject(new Error('not called'));
    expect(() => new TextToImageRun(model, { ...base, caption: 'a red circel' })).toThrow(CaptionRejected);
    expect(() => new TextToImageRun(model, { ...base, caption: 'a red circel' })).toThrow(/circel/);
  });
});

describe('sampling over models/pocket/shapes-unet.onnx', () => {
  it(
    'records every step: states 0…N, predictions 0…N−1, one UNet call of batch 2n per step, timings',
    async () => {
      const { model, batches } = await countingUnet();
      const run = await finished(model, base);
      expect(run.totalSteps).toBe(6);
      // 'leading' spacing: ⌊1000 / 6⌋ = 166 apart, from 0 up (diffusers DDIMScheduler.set_timesteps).
      expect(run.timesteps).toEqual([830, 664, 498, 332, 166, 0]);
      expect(run.states).toHaveLength(7);
      expect(run.predictions).toHaveLength(6);
      expect(run.timings.filter(Boolean)).toHaveLength(6);
      for (const t of run.timings) expect(t!.totalMs).toBeGreaterThanOrEqual(t!.modelMs);
      for (const s of [...run.states, ...run.predictions]) expect(s.length).toBe(2 * IMAGE_LENGTH);
      expect(batches).toEqual(new Array(6).fill(4));
      expect(run.modelCalls).toBe(6);
      expect(run.imageEvaluations).toBe(24);
      // DDIM with ᾱ = 1 after the last step: the final x equals the last x̂₀, clipped to [−1, 1].
      expect(Array.from(run.states[6]!)).toEqual(Array.from(run.predictions[5]!));
      expect(Math.max(...run.states[6]!.map(Math.abs))).toBeLessThanOrEqual(1);
      await expect(run.advance()).rejects.toThrow(/finished/);
      expect(run.stateImage(6, 1)).toEqual(run.states[6]!.subarray(IMAGE_LENGTH));
      expect(() => run.predictionImage(6, 0)).toThrow(RangeError);
    },
    TIMEOUT_MS,
  );

  it(
    'is deterministic, and DDPM (stochastic) is too; DDPM and DDIM differ',
    async () => {
      const unet = await sessions.model('shapes-unet.onnx');
      const ddpm = { ...base, sampler: 'ddpm' as const, steps: 4, samples: 1 };
      const a = await finished(unet, ddpm);
      const b = await finished(unet, ddpm);
      expect(Array.from(a.latest)).toEqual(Array.from(b.latest));
      const ddim = await finished(unet, { ...ddpm, sampler: 'ddim' });
      expect(maxAbs(a.latest, ddim.latest)).toBeGreaterThan(1e-3);
    },
    TIMEOUT_MS,
  );

  it(
    'a branch at step k with unchanged settings equals the unbranched run bit for bit (DDPM: same noise)',
    async () => {
      const unet = await sessions.model('shapes-unet.onnx');
      const settings = { ...base, sampler: 'ddpm' as const, steps: 5 };
      const original = await finished(unet, settings);
      const branch = original.branch(2, {});
      expect(branch.stepsDone).toBe(2);
      expect(branch.states[2]).toBe(original.states[2]);
      await branch.runToEnd();
      for (let j = 0; j <= 5; j++)
        expect(Array.from(branch.states[j]!), `x after ${j} steps`).toEqual(Array.from(original.states[j]!));
      expect(branch.timings.slice(0, 2)).toEqual([undefined, undefined]);
      expect(branch.modelCalls).toBe(3);

      // Another w from step 2 changes only what comes after it.
      const stronger = original.branch(2, { weight: 8 });
      await stronger.runToEnd();
      expect(stronger.settings.weight).toBe(8);
      expect(Array.from(stronger.states[2]!)).toEqual(Array.from(original.states[2]!));
      expect(maxAbs(stronger.states[3]!, original.states[3]!)).toBeGreaterThan(1e-4);
      expect(() => original.branch(6, {})).toThrow(RangeError);
    },
    TIMEOUT_MS,
  );

  it(
    'w = 0 is the conditional model alone (ε(x, c) on batch n), within float32 noise of batch size',
    async () => {
      const unet = await sessions.model('shapes-unet.onnx');
      const settings = { ...base, weight: 0, steps: 4, samples: 1 };
      const guided = await finished(unet, settings);
      const condition = captionCondition(settings.caption);
      if (!condition.ok) throw new Error('caption');
      // The conditional-only path: the null-caption ε function fed the caption's tokens.
      const conditionalOnly = textGuidedEpsilon(
        unet,
        { ok: true, unconditional: true, caption: '', tokens: condition.tokens },
        0,
      );
      const sampler = createTextToImageSampler('ddim', 4);
      const reference = await sampleAsync(sampler, conditionalOnly, initialNoise(settings.seed, 1));
      expect(maxAbs(guided.latest, reference)).toBeLessThan(1e-4);
    },
    TIMEOUT_MS,
  );

  it(
    'w = −1 is the unconditional model: the caption no longer matters, bit for bit',
    async () => {
      const unet = await sessions.model('shapes-unet.onnx');
      const settings = { ...base, weight: -1, steps: 3, samples: 1 };
      const red = await finished(unet, settings);
      const blue = await finished(unet, { ...settings, caption: 'a large blue square on the left' });
      expect(Array.from(red.latest)).toEqual(Array.from(blue.latest));
      const conditional = await finished(unet, { ...settings, weight: 0 });
      expect(maxAbs(red.latest, conditional.latest)).toBeGreaterThan(1e-4);
    },
    TIMEOUT_MS,
  );

  it(
    'the empty caption runs ε(x, ∅) on batch n, ignores w, and equals w = −1 within float32 noise',
    async () => {
      const { model, batches } = await countingUnet();
      const settings = { ...base, caption: '', steps: 3, samples: 1 };
      const a = await finished(model, { ...settings, weight: 0 });
      const b = await finished(model, { ...settings, weight: 9 });
      expect(batches).toEqual(new Array(6).fill(1));
      expect(Array.from(a.latest)).toEqual(Array.from(b.latest));
      const minusOne = await finished(model, { ...settings, caption: 'a red circle', weight: -1 });
      expect(maxAbs(a.latest, minusOne.latest)).toBeLessThan(1e-4);
    },
    TIMEOUT_MS,
  );

  it(
    'replays the golden DDIM case (w = 3, 50 steps) from its stored x_T within the golden tolerance',
    async () => {
      const unet = await sessions.model('shapes-unet.onnx');
      const { golden } = readPocketDir(dir);
      const fixture = golden.find((g) => g.fixture.model === 'shapes-unet.onnx')!.fixture;
      const goldenCase = fixture.cases.find((c) => c.kind === 'text-cfg' && c.eta === 0 && c.w > 0);
      if (goldenCase === undefined || goldenCase.kind !== 'text-cfg')
        throw new Error('no deterministic guided case in the golden file');
      const sampler = createTextToImageSampler('ddim', goldenCase.numInferenceSteps);
      const condition = captionCondition(goldenCase.caption);
      if (!condition.ok || condition.unconditional) throw new Error('golden caption');
      expect(Array.from(condition.tokens)).toEqual(Array.from(goldenCase.conditionTokens));
      const x0 = await sampleAsync(sampler, textGuidedEpsilon(unet, condition, goldenCase.w), goldenCase.xT);
      expect(maxAbs(x0, goldenCase.x0)).toBeLessThanOrEqual(GOLDEN_TOLERANCE);
    },
    TIMEOUT_MS,
  );
});
