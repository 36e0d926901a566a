import { describe, expect, it } from 'vitest';
import { createOptimalDenoiser } from '../../../src/lib/toy2d/optimal-denoiser';
import { makeDataset } from '../../../src/lib/toy2d/datasets';

/** Posterior mean written out the long way: unnormalised Gaussian likelihoods, then divide. */
function bruteForcePosteriorMean(data: number[][], x: number[], alphaBar: number): number[] {
  const s = Math.sqrt(alphaBar);
  const variance = 1 - alphaBar;
  const likelihoods = data.map(([dx, dy]) => {
    const distanceSq = (x[0] - s * dx) ** 2 + (x[1] - s * dy) ** 2;
    return Math.exp(-distanceSq / (2 * variance));
  });
  const total = likelihoods.reduce((a, b) => a + b, 0);
  return [0, 1].map((axis) => data.reduce((acc, point, i) => acc + likelihoods[i] * point[axis], 0) / total);
}

const tiny = [
  [1, 0],
  [-0.5, 0.8],
  [-0.4, -0.9],
  [0.2, 0.3],
];
const tinyFlat = Float32Array.from(tiny.flat());
const queries = [
  [0, 0],
  [0.9, -0.2],
  [-1.3, 0.4],
  [2, 2],
  [-0.1, -1.5],
];
const queriesFlat = Float32Array.from(queries.flat());

describe('optimal denoiser', () => {
  it('matches the brute-force posterior mean on a tiny dataset', () => {
    const denoiser = createOptimalDenoiser(tinyFlat);
    for (const alphaBar of [0.05, 0.3, 0.6, 0.9, 0.99]) {
      const out = denoiser.predictOriginal(queriesFlat, alphaBar);
      queries.forEach((q, p) => {
        const expected = bruteForcePosteriorMean(tiny, q, alphaBar);
        expect(out[2 * p]).toBeCloseTo(expected[0], 5);
        expect(out[2 * p + 1]).toBeCloseTo(expected[1], 5);
      });
    }
  });

  it('returns the nearest (scaled) data point as ᾱ → 1, without NaN', () => {
    const denoiser = createOptimalDenoiser(tinyFlat);
    for (const alphaBar of [1 - 1e-6, 1 - 1e-10, 1]) {
      const out = denoiser.predictOriginal(queriesFlat, alphaBar);
      queries.forEach((q, p) => {
        const nearest = tiny.reduce((best, d) =>
          Math.hypot(q[0] - d[0], q[1] - d[1]) < Math.hypot(q[0] - best[0], q[1] - best[1]) ? d : best,
        );
        expect(out[2 * p]).toBeCloseTo(nearest[0], 5);
        expect(out[2 * p + 1]).toBeCloseTo(nearest[1], 5);
      });
      const noise = denoiser.predictNoise(queriesFlat, alphaBar);
      expect(noise.every(Number.isFinite)).toBe(true);
    }
  });

  it('returns the data mean as ᾱ → 0', () => {
    const denoiser = createOptimalDenoiser(tinyFlat);
    const mean = [0, 1].map((axis) => tiny.reduce((acc, d) => acc + d[axis], 0) / tiny.length);
    for (const alphaBar of [0, 1e-12]) {
      const out = denoiser.predictOriginal(queriesFlat, alphaBar);
      for (let p = 0; p < queries.length; p++) {
        expect(out[2 * p]).toBeCloseTo(mean[0], 5);
        expect(out[2 * p + 1]).toBeCloseTo(mean[1], 5);
      }
    }
  });

  it('gives ε̂ consistent with x̂₀ through the forward marginal', () => {
    const denoiser = createOptimalDenoiser(tinyFlat);
    const alphaBar = 0.4;
    const original = new Float32Array(queriesFlat.length);
    const noise = denoiser.predictNoise(queriesFlat, alphaBar, undefined, original);
    for (let k = 0; k < queriesFlat.length; k++) {
      // x_t = √ᾱ x̂₀ + √(1−ᾱ) ε̂ must reproduce the input exactly.
      const rebuilt = Math.sqrt(alphaBar) * original[k] + Math.sqrt(1 - alphaBar) * noise[k];
      expect(rebuilt).toBeCloseTo(queriesFlat[k], 5);
    }
  });

  it('does not overflow far from the data at small noise levels', () => {
    const denoiser = createOptimalDenoiser(tinyFlat);
    const far = Float32Array.from([1e3, -1e3, 50, 50]);
    const out = denoiser.predictOriginal(far, 0.9999);
    expect(out.every(Number.isFinite)).toBe(true);
  });

  it('handles 2,000 particles against 300 points in a few milliseconds per call', () => {
    const data = makeDataset('spiral', { seed: 3 });
    const denoiser = createOptimalDenoiser(data);
    const sample = new Float32Array(4000);
    for (let k = 0; k < sample.length; k++) sample[k] = Math.sin(k * 12.9898) * 2;
    const out = new Float32Array(sample.length);
    const eps = new Float32Array(sample.length);
    denoiser.predictNoise(sample, 0.5, eps, out); // warm-up (JIT)
    const calls = 10;
    const start = performance.now();
    for (let i = 0; i < calls; i++) denoiser.predictNoise(sample, 0.05 + 0.09 * i, eps, out);
    const msPerCall = (performance.now() - start) / calls;
    // Sanity bound only (the shared 2-core test machine is heavily loaded); real timings come from
    // benchmarkReverseSteps in a browser.
    expect(msPerCall).toBeLessThan(80);
  });
});
