import { describe, expect, it } from 'vitest';
import {
  addNoise,
  alphaBarAtContinuousTimestep,
  convertPrediction,
  forwardMarginalSample,
  forwardStepSample,
  meanFromEpsilon,
  posteriorCoefficients,
  posteriorMean,
  predictionToX0AndEpsilon,
  scoreFromEpsilon,
  x0AndEpsilonToPrediction,
} from '../../../src/lib/diffusion.ts';
import { createRng } from '../../../src/lib/rng.ts';
import { createSchedule } from '../../../src/lib/schedules.ts';
import { ksCritical, ksTwoSample, sampleMean, sampleVariance } from './stats.ts';

const schedule = createSchedule();

describe('forward process', () => {
  it('closed form q(x_t|x₀) matches t iterated one-step transitions in distribution (Ho et al. 2020, eq. 4 vs eq. 2)', () => {
    const n = 8000;
    const steps = 250; // x_t at index 249 is reached from x₀ by 250 transitions
    const x0 = new Float32Array(n).map((_, i) => (i % 2 === 0 ? 1.5 : -0.5));
    const rng = createRng(11);
    let chain: Float32Array = x0;
    for (let i = 0; i < steps; i++) chain = forwardStepSample(chain, rng.normalArray(n), schedule.betas[i]!);
    const closed = addNoise(schedule, x0, createRng(12).normalArray(n), steps - 1);

    let alphaBar = 1;
    for (let i = 0; i < steps; i++) alphaBar *= 1 - schedule.betas[i]!;
    for (const parity of [0, 1]) {
      const pick = (x: Float32Array) => x.filter((_, i) => i % 2 === parity);
      const start = parity === 0 ? 1.5 : -0.5;
      const chainPart = pick(chain);
      const closedPart = pick(closed);
      const m = n / 2;
      const sd = Math.sqrt(1 - alphaBar);
      for (const part of [chainPart, closedPart]) {
        expect(Math.abs(sampleMean(part) - Math.sqrt(alphaBar) * start)).toBeLessThan((5 * sd) / Math.sqrt(m));
        expect(Math.abs(sampleVariance(part) / (1 - alphaBar) - 1)).toBeLessThan(5 * Math.sqrt(2 / m));
      }
      expect(ksTwoSample(chainPart, closedPart)).toBeLessThan(ksCritical(m, m));
    }
  });

  it('forwardMarginalSample is √ᾱ x₀ + √(1−ᾱ) ε elementwise', () => {
    const out = forwardMarginalSample([2, -1], [0.5, 1], 0.64);
    expect(out[0]).toBeCloseTo(0.8 * 2 + 0.6 * 0.5, 6);
    expect(out[1]).toBeCloseTo(0.8 * -1 + 0.6 * 1, 6);
  });
});

describe('posterior q(x_{t−1} | x_t, x₀)', () => {
  it('at the first step (index 0, paper t = 1) has mean x₀ and variance 0', () => {
    const c = posteriorCoefficients(schedule, 0);
    expect(c.x0Coef).toBeCloseTo(1, 14);
    expect(c.xtCoef).toBe(0);
    expect(c.variance).toBe(0);
  });

  it('equals the product of Gaussians q(x_t|x_{t−1})·q(x_{t−1}|x₀), computed by completing the square', () => {
    for (const schedName of ['linear', 'squaredcos_cap_v2'] as const) {
      const s = createSchedule({ betaSchedule: schedName });
      for (const [t, prev] of [
        [1, 0],
        [10, 9],
        [500, 499],
        [998, 997],
        [999, 979],
        [520, 500],
      ] as const) {
        // Independent: ᾱ by explicit product; one "big step" from prev to t has α = ᾱ_t/ᾱ_prev.
        let abPrev = 1;
        for (let i = 0; i <= prev; i++) abPrev *= 1 - s.betas[i]!;
        let abT = abPrev;
        for (let i = prev + 1; i <= t; i++) abT *= 1 - s.betas[i]!;
        const alpha = abT / abPrev;
        const beta = 1 - alpha;
        // N(x_t; √α x, β) · N(x; √ᾱ_prev x₀, 1 − ᾱ_prev) ∝ N(x; μ, 1/precision).
        const precision = alpha / beta + 1 / (1 - abPrev);
        const xt = 0.3;
        const x0 = -1.2;
        const mean = ((Math.sqrt(alpha) * xt) / beta + (Math.sqrt(abPrev) * x0) / (1 - abPrev)) / precision;
        const c = posteriorCoefficients(s, t, prev);
        expect(c.variance).toBeCloseTo(1 / precision, 12);
        expect(posteriorMean(c, [x0], [xt])[0]).toBeCloseTo(mean, 6);
        expect(c.x0Coef * x0 + c.xtCoef * xt).toBeCloseTo(mean, 12);
      }
    }
  });

  it('μ_θ from ε (eq. 11) equals μ̃ with x̂₀ = (x_t − √(1−ᾱ) ε)/√ᾱ (eq. 7)', () => {
    for (const t of [1, 50, 400, 999]) {
      const xt = [0.7, -2.1, 0.05];
      const eps = [0.2, -0.9, 1.4];
      const ab = schedule.alphasCumprod[t]!;
      const x0 = xt.map((x, i) => (x - Math.sqrt(1 - ab) * eps[i]!) / Math.sqrt(ab));
      const viaPosterior = posteriorMean(posteriorCoefficients(schedule, t), x0, xt);
      const viaEps = meanFromEpsilon(schedule, t, xt, eps);
      for (let i = 0; i < 3; i++) expect(viaEps[i]).toBeCloseTo(viaPosterior[i]!, 5);
    }
  });
});

describe('parameterisations (ε, x₀, v)', () => {
  const x0 = [0.9, -0.4, 2.5, 0];
  const eps = [-1.1, 0.3, 0.7, 2];
  for (const ab of [0.999, 0.5, 0.02]) {
    const xt = x0.map((x, i) => Math.sqrt(ab) * x + Math.sqrt(1 - ab) * eps[i]!);
    const v = x0.map((x, i) => Math.sqrt(ab) * eps[i]! - Math.sqrt(1 - ab) * x); // Salimans & Ho 2022
    it(`recover (x₀, ε) from each prediction type at ᾱ = ${ab}`, () => {
      for (const [type, output] of [
        ['epsilon', eps],
        ['sample', x0],
        ['v_prediction', v],
      ] as const) {
        const r = predictionToX0AndEpsilon(type, output, xt, ab);
        for (let i = 0; i < 4; i++) {
          expect(r.x0[i]).toBeCloseTo(x0[i]!, 4);
          expect(r.epsilon[i]).toBeCloseTo(eps[i]!, 4);
        }
        expect(Array.from(x0AndEpsilonToPrediction(type, x0, eps, ab))).toEqual(Array.from(Float32Array.from(output)));
      }
    });
    it(`round-trips every pair of conversions at ᾱ = ${ab}`, () => {
      const outputs = { epsilon: eps, sample: x0, v_prediction: v };
      for (const from of ['epsilon', 'sample', 'v_prediction'] as const) {
        for (const to of ['epsilon', 'sample', 'v_prediction'] as const) {
          const converted = convertPrediction(from, to, outputs[from], xt, ab);
          for (let i = 0; i < 4; i++) expect(converted[i]).toBeCloseTo(outputs[to][i]!, 3);
          const back = convertPrediction(to, from, converted, xt, ab);
          for (let i = 0; i < 4; i++) expect(back[i]).toBeCloseTo(outputs[from][i]!, 3);
        }
      }
    });
  }

  it('score = −ε/√(1−ᾱ) equals ∇ log N(x; √ᾱ x₀, 1−ᾱ) for a point mass', () => {
    const ab = 0.3;
    const xt = 1.7;
    const x0 = 0.5;
    const eps = (xt - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab);
    const analytic = -(xt - Math.sqrt(ab) * x0) / (1 - ab);
    expect(scoreFromEpsilon([eps], ab)[0]).toBeCloseTo(analytic, 5);
  });
});

describe('alphaBarAtContinuousTimestep', () => {
  it('equals ᾱ_t at integers and interpolates σ linearly between them', () => {
    expect(alphaBarAtContinuousTimestep(schedule, 500)).toBe(schedule.alphasCumprod[500]);
    const sigma = (i: number) => Math.sqrt((1 - schedule.alphasCumprod[i]!) / schedule.alphasCumprod[i]!);
    const s = 0.25 * sigma(10) + 0.75 * sigma(11);
    expect(alphaBarAtContinuousTimestep(schedule, 10.75)).toBeCloseTo(1 / (1 + s * s), 14);
    expect(() => alphaBarAtContinuousTimestep(schedule, 1000)).toThrow(/outside/);
  });
});
