// CFG on the committed class-conditional 2-D model (trained, not a placeholder): the mixture spec
// agrees with the Python data, the densities are real densities, the sampler matches the PyTorch
// reference run, and guided particles land in the chosen class.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBundle, parseGolden } from '../../../src/lib/pocket/fixtures';
import { classifierFreeGuidance, sampleAsync } from '../../../src/lib/pocket/guided-sampling';
import {
  densityGrid,
  guidedLogDensity,
  MIXTURE_BLOB_STD,
  MIXTURE_MEANS,
  NULL_LABEL,
  noisyLogDensity,
  pointStatistics,
  sampleMixtureGuided,
} from '../../../src/lib/pocket/mixture2d-guidance';
import { pocketSampler, SamplingCancelled } from '../../../src/lib/pocket/sampling-run';
import { openPocketModel, type PocketModel } from './pocket-runner';

const goldenJson = JSON.parse(readFileSync('models/pocket/fixtures/mixture2d-mlp.golden.json', 'utf8'));

let model: PocketModel;
beforeAll(async () => {
  model = await openPocketModel('mixture2d-mlp.onnx');
});
afterAll(async () => {
  await model?.close();
});

describe('the mixture', () => {
  it('has the blobs, classes and std the Python side exported', () => {
    const spec = goldenJson.mixture;
    expect(spec.std).toBe(MIXTURE_BLOB_STD);
    expect(spec.means).toHaveLength(MIXTURE_MEANS.length);
    MIXTURE_MEANS.forEach((blob, k) => {
      expect(blob.x).toBeCloseTo(spec.means[k][0], 12);
      expect(blob.y).toBeCloseTo(spec.means[k][1], 12);
      expect(blob.classIndex).toBe(spec.classes[k]);
    });
  });

  it('noisy densities integrate to 1, and tend to N(0, I) as ᾱ → 0', () => {
    const extent = 6;
    const size = 300;
    const cell = ((2 * extent) / size) ** 2;
    for (const [classIndex, alphaBar] of [
      [0, 1],
      [2, 0.5],
      [null, 0.05],
    ] as const) {
      let total = 0;
      for (let i = 0; i < size; i++) {
        for (let j = 0; j < size; j++) {
          const x = -extent + ((i + 0.5) / size) * 2 * extent;
          const y = -extent + ((j + 0.5) / size) * 2 * extent;
          total += Math.exp(noisyLogDensity(x, y, classIndex, alphaBar)) * cell;
        }
      }
      expect(total).toBeCloseTo(1, 3);
    }
    const standardNormal = (x: number, y: number) => -(x * x + y * y) / 2 - Math.log(2 * Math.PI);
    expect(noisyLogDensity(0.3, -0.2, 1, 1e-14)).toBeCloseTo(standardNormal(0.3, -0.2), 6);
  });

  it('the guided target at w = 0 is the class density, and w > 0 removes mass the other classes share', () => {
    expect(guidedLogDensity(0.4, 1.1, 1, 0, 0.3)).toBeCloseTo(noisyLogDensity(0.4, 1.1, 1, 0.3), 12);
    // Between class 0's second blob and class 1's first blob (angle 67.5°), vs class 1's far blob (135°).
    const boundary = [1.398 * Math.cos((3 * Math.PI) / 8), 1.398 * Math.sin((3 * Math.PI) / 8)] as const;
    const farBlob = [MIXTURE_MEANS[3]!.x, MIXTURE_MEANS[3]!.y] as const;
    const gap = (w: number) => guidedLogDensity(...farBlob, 1, w, 1) - guidedLogDensity(...boundary, 1, w, 1);
    expect(gap(3)).toBeGreaterThan(gap(0));
    const grid = densityGrid((x, y) => guidedLogDensity(x, y, 1, 3, 0.5), 40, 3);
    expect(Math.max(...grid)).toBe(1);
    expect(Math.min(...grid)).toBeGreaterThanOrEqual(0);
  });
});

describe('sampling the ONNX model', () => {
  it('pocketSampler + CFG reproduce the PyTorch reference run (golden case w = 3)', async () => {
    const golden = parseGolden(
      parseBundle(goldenJson, readFileSync('models/pocket/fixtures/mixture2d-mlp.golden.bin')),
    );
    const c = golden.cases.find((g) => g.kind === 'class-cfg' && g.w === 3 && g.eta === 0)!;
    expect(c).toBeDefined();
    if (c.kind !== 'class-cfg') throw new Error('unexpected case');
    const sampler = pocketSampler('ddim', c.numInferenceSteps, false);
    const epsilon = classifierFreeGuidance(model.run, {
      itemShape: [2],
      conditionInput: 'label',
      condition: Int32Array.of(c.label),
      nullCondition: Int32Array.of(NULL_LABEL),
      weight: 3,
    });
    const x0 = await sampleAsync(sampler, epsilon, c.xT);
    let worst = 0;
    for (let i = 0; i < x0.length; i++) worst = Math.max(worst, Math.abs(x0[i]! - c.x0[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('guided particles land in the chosen class; w = −1 (pure ε(x, ∅)) spreads over all four', async () => {
    const base = { sampler: 'ddim' as const, steps: 25, seed: 3, particles: 200 };
    const guided = await sampleMixtureGuided(model.run, { ...base, classIndex: 2, weight: 3 });
    expect(pointStatistics(guided.sample, 2).classShare).toBeGreaterThan(0.95);
    const plain = await sampleMixtureGuided(model.run, { ...base, classIndex: 2, weight: 0 });
    expect(pointStatistics(plain.sample, 2).classShare).toBeGreaterThan(0.85);
    const unconditional = await sampleMixtureGuided(model.run, { ...base, classIndex: 2, weight: -1 });
    for (let c = 0; c < 4; c++) {
      const share = pointStatistics(unconditional.sample, c).classShare;
      expect(share).toBeGreaterThan(0.1);
      expect(share).toBeLessThan(0.45);
    }
  });

  it('DDPM: seeded and reproducible, one model call per step; cancels between steps', async () => {
    const options = { sampler: 'ddpm' as const, steps: 10, seed: 9, particles: 16, classIndex: 0, weight: 2 };
    const before = model.calls();
    const a = await sampleMixtureGuided(model.run, options);
    expect(model.calls() - before).toBe(10);
    const b = await sampleMixtureGuided(model.run, options);
    expect(Array.from(b.sample)).toEqual(Array.from(a.sample));
    const other = await sampleMixtureGuided(model.run, { ...options, seed: 10 });
    expect(Array.from(other.sample)).not.toEqual(Array.from(a.sample));

    const controller = new AbortController();
    const seen: number[] = [];
    const callsBefore = model.calls();
    const run = sampleMixtureGuided(model.run, {
      ...options,
      signal: controller.signal,
      onStep: (k, _t, points) => {
        seen.push(k);
        expect(points).toHaveLength(32);
        if (k === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(SamplingCancelled);
    await expect(run).rejects.toMatchObject({ stepsDone: 3 });
    expect(seen).toEqual([0, 1, 2]);
    expect(model.calls() - callsBefore).toBe(3); // nothing runs after the cancel
  });

  it('refuses a class outside 0…3', async () => {
    await expect(
      sampleMixtureGuided(model.run, { sampler: 'ddim', steps: 2, seed: 0, particles: 2, classIndex: 4, weight: 0 }),
    ).rejects.toThrow(/Class must be/);
  });
});
