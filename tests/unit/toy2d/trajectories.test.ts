import { describe, expect, it } from 'vitest';
import { makeDataset, type DatasetName } from '../../../src/lib/toy2d/datasets';
import {
  createReverseRun,
  forwardSample,
  forwardStartPoints,
  initialNoise,
  runToEnd,
  type ReverseSamplerName,
} from '../../../src/lib/toy2d/trajectories';
import { alphaBarAt, TRAIN_TIMESTEPS } from '../../../src/lib/toy2d/schedule';

/** For each particle, the distance to its nearest data point and that point's index. */
function nearest(points: Float32Array, data: Float32Array) {
  const distances: number[] = [];
  const indices: number[] = [];
  for (let p = 0; p < points.length; p += 2) {
    let best = Infinity;
    let bestIndex = -1;
    for (let i = 0; i < data.length; i += 2) {
      const d = Math.hypot(points[p]! - data[i]!, points[p + 1]! - data[i + 1]!);
      if (d < best) {
        best = d;
        bestIndex = i / 2;
      }
    }
    distances.push(best);
    indices.push(bestIndex);
  }
  return { distances, indices };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Median spacing between neighbouring data points: the scale "near the data" is judged against. */
function dataSpacing(data: Float32Array): number {
  const spacing: number[] = [];
  for (let i = 0; i < data.length; i += 2) {
    let best = Infinity;
    for (let j = 0; j < data.length; j += 2) {
      if (i !== j) best = Math.min(best, Math.hypot(data[i]! - data[j]!, data[i + 1]! - data[j + 1]!));
    }
    spacing.push(best);
  }
  spacing.sort((a, b) => a - b);
  return spacing[Math.floor(spacing.length / 2)]!;
}

describe('reverse process with the exact optimal denoiser', () => {
  const particles = 600;
  const cases: [ReverseSamplerName, DatasetName, number][] = [
    ['ddim', 'moons', 50],
    ['ddpm', 'moons', 50],
    ['ddim', 'spiral', 20],
    ['ddpm', 'letter', 100],
  ];
  for (const [sampler, dataset, steps] of cases) {
    it(`${sampler.toUpperCase()}, ${steps} steps, lands particles on the ${dataset} data`, () => {
      const data = makeDataset(dataset, { seed: 11 });
      const noise = initialNoise(5, particles);
      const run = runToEnd(createReverseRun({ sampler, steps, data, initialNoise: noise, seed: 5 }));
      expect(run.totalSteps).toBe(steps);
      expect(run.sampleAt(0)).toEqual(noise);
      const final = run.sampleAt(steps);
      expect(final.every(Number.isFinite)).toBe(true);
      const spacing = dataSpacing(data);
      const start = nearest(noise, data);
      const end = nearest(final, data);
      // Pure noise sits far from the data; the samples end (much) closer than neighbouring points are to each other.
      expect(mean(start.distances)).toBeGreaterThan(5 * spacing);
      expect(mean(end.distances)).toBeLessThan(0.25 * spacing);
      // …and spread over the whole dataset instead of collapsing onto a few points.
      expect(new Set(end.indices).size).toBeGreaterThan(0.5 * (data.length / 2));
      // The last x̂₀ is (nearly) the final sample.
      const lastPrediction = run.predOriginalAt(steps - 1)!;
      expect(mean(nearest(lastPrediction, data).distances)).toBeLessThan(0.25 * spacing);
    });
  }

  it('two moons: both moons get about half of the samples (DDIM and DDPM)', () => {
    const data = makeDataset('moons', { seed: 2 });
    const upperMoon = data.length / 4; // makeDataset draws the upper moon first (u < 0.5)
    for (const sampler of ['ddim', 'ddpm'] as const) {
      const run = runToEnd(
        createReverseRun({ sampler, steps: 40, data, initialNoise: initialNoise(9, 1000), seed: 9 }),
      );
      const { indices } = nearest(run.sampleAt(40), data);
      const fractionUpper = indices.filter((i) => i < upperMoon).length / indices.length;
      expect(fractionUpper).toBeGreaterThan(0.4);
      expect(fractionUpper).toBeLessThan(0.6);
    }
  });

  it('DDIM is deterministic given the initial noise; DDPM depends on the step-noise seed', () => {
    const data = makeDataset('spiral', { seed: 1 });
    const noise = initialNoise(3, 200);
    const final = (sampler: ReverseSamplerName, seed: number) =>
      runToEnd(createReverseRun({ sampler, steps: 25, data, initialNoise: noise, seed })).sampleAt(25);
    expect(final('ddim', 1)).toEqual(final('ddim', 2));
    expect(final('ddpm', 1)).toEqual(final('ddpm', 1));
    expect(final('ddpm', 1)).not.toEqual(final('ddpm', 2));
  });

  it('advances one step at a time and exposes only finished steps', () => {
    const data = makeDataset('moons', { seed: 1 });
    const run = createReverseRun({ sampler: 'ddim', steps: 10, data, initialNoise: initialNoise(1, 50), seed: 1 });
    expect(run.stepsDone).toBe(0);
    expect(run.predOriginalAt(0)).toBeNull();
    expect(run.advance()).toBe(true);
    expect(run.stepsDone).toBe(1);
    expect(run.predOriginalAt(0)).not.toBeNull();
    expect(run.sampleAt(5)).toEqual(run.sampleAt(1)); // clamped to what exists
    runToEnd(run);
    expect(run.done).toBe(true);
    expect(run.advance()).toBe(false);
    expect(run.allSamples.length).toBe(11 * 100);
  });
});

describe('forward process', () => {
  const particles = 5000;
  const data = makeDataset('letter', { seed: 4 });
  const starts = forwardStartPoints(data, 8, particles);
  const noise = initialNoise(8, particles);

  it('at t = T the particles are distributed as N(0, I)', () => {
    const xT = forwardSample(starts, noise, alphaBarAt(TRAIN_TIMESTEPS - 1));
    let mx = 0;
    let my = 0;
    for (let p = 0; p < particles; p++) {
      mx += xT[2 * p]!;
      my += xT[2 * p + 1]!;
    }
    mx /= particles;
    my /= particles;
    let vx = 0;
    let vy = 0;
    let cxy = 0;
    let within1 = 0;
    let within2 = 0;
    for (let p = 0; p < particles; p++) {
      const x = xT[2 * p]! - mx;
      const y = xT[2 * p + 1]! - my;
      vx += x * x;
      vy += y * y;
      cxy += x * y;
      const r = Math.hypot(xT[2 * p]!, xT[2 * p + 1]!);
      if (r <= 1) within1++;
      if (r <= 2) within2++;
    }
    // Standard errors with n = 5000: mean ≈ 0.014, variance ≈ 0.02, covariance ≈ 0.014.
    expect(Math.abs(mx)).toBeLessThan(0.06);
    expect(Math.abs(my)).toBeLessThan(0.06);
    expect(vx / particles).toBeGreaterThan(0.92);
    expect(vx / particles).toBeLessThan(1.08);
    expect(vy / particles).toBeGreaterThan(0.92);
    expect(vy / particles).toBeLessThan(1.08);
    expect(Math.abs(cxy / particles)).toBeLessThan(0.06);
    // Radial law of a 2-D standard normal: P(‖x‖ ≤ r) = 1 − exp(−r²/2).
    expect(within1 / particles).toBeCloseTo(1 - Math.exp(-0.5), 1);
    expect(within2 / particles).toBeCloseTo(1 - Math.exp(-2), 1);
  });

  it('keeps the second moment at 1 for every t (variance preserving on unit-variance data)', () => {
    for (const t of [0, 100, 300, 600, 999]) {
      const xt = forwardSample(starts, noise, alphaBarAt(t));
      let sq = 0;
      for (let k = 0; k < xt.length; k++) sq += xt[k]! ** 2;
      expect(sq / xt.length).toBeGreaterThan(0.93);
      expect(sq / xt.length).toBeLessThan(1.07);
    }
  });

  it('starts on the data and the clean end is exact', () => {
    expect(forwardSample(starts, noise, 1)).toEqual(starts);
    const { distances } = nearest(starts.subarray(0, 200), data);
    expect(Math.max(...distances)).toBe(0);
  });
});
