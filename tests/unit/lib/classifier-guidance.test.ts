import { describe, expect, it } from 'vitest';
import { classifierGuidedEpsilon } from '../../../src/lib/guidance.ts';

// Two classes in 1-D: p(x₀ | y = k) = N(μ_k, σ²), p(y = k) = ½. Under the forward process
// x_t = √ᾱ x₀ + √(1 − ᾱ) ε, each class stays Gaussian: N(√ᾱ μ_k, ᾱσ² + 1 − ᾱ), so every quantity
// below is exact and independent of the code under test.
const means = [-1.5, 2];
const sigma = 0.4;

function classScore(x: number, k: number, alphaBar: number): number {
  const variance = alphaBar * sigma * sigma + 1 - alphaBar;
  return -(x - Math.sqrt(alphaBar) * means[k]!) / variance;
}

function posterior(x: number, alphaBar: number): number[] {
  const variance = alphaBar * sigma * sigma + 1 - alphaBar;
  const logLik = means.map((m) => -((x - Math.sqrt(alphaBar) * m) ** 2) / (2 * variance));
  const top = Math.max(...logLik);
  const weights = logLik.map((l) => Math.exp(l - top));
  const total = weights[0]! + weights[1]!;
  return weights.map((w) => w / total);
}

/** ε = −√(1 − ᾱ)·∇ₓ log p(x_t) (Song et al. 2021 (SDE), the ε ↔ score relation). */
const epsFromScore = (score: number, alphaBar: number): number => -Math.sqrt(1 - alphaBar) * score;

describe('classifier guidance (Dhariwal & Nichol 2021, eq. 14)', () => {
  const xs = [-3, -1.2, 0, 0.3, 1.7, 4];

  it('with the exact classifier and s = 1, turns the unconditional ε into the class-conditional ε (Bayes)', () => {
    for (const alphaBar of [0.95, 0.5, 0.05]) {
      for (const y of [0, 1]) {
        const unconditional = xs.map((x) => {
          const r = posterior(x, alphaBar);
          return epsFromScore(r[0]! * classScore(x, 0, alphaBar) + r[1]! * classScore(x, 1, alphaBar), alphaBar);
        });
        // ∇ₓ log p(y | x_t) = ∇ₓ log p(x_t | y) − ∇ₓ log p(x_t)
        const gradLogProb = xs.map((x) => {
          const r = posterior(x, alphaBar);
          return classScore(x, y, alphaBar) - (r[0]! * classScore(x, 0, alphaBar) + r[1]! * classScore(x, 1, alphaBar));
        });
        const guided = classifierGuidedEpsilon(unconditional, gradLogProb, alphaBar, 1);
        xs.forEach((x, i) => expect(guided[i]).toBeCloseTo(epsFromScore(classScore(x, y, alphaBar), alphaBar), 5));
      }
    }
  });

  it('adds s·∇ₓ log p to the score: −ε̃/√(1 − ᾱ) = −ε/√(1 − ᾱ) + s·∇ₓ log p', () => {
    const eps = [0.3, -1.1, 2.4];
    const grad = [5, -0.25, 0.8];
    for (const [alphaBar, s] of [
      [0.9, 3],
      [0.2, 10],
      [0.001, 0.5],
    ] as const) {
      const guided = classifierGuidedEpsilon(eps, grad, alphaBar, s);
      const b = Math.sqrt(1 - alphaBar);
      for (let i = 0; i < eps.length; i++) expect(-guided[i]! / b).toBeCloseTo(-eps[i]! / b + s * grad[i]!, 4);
    }
  });

  it('s = 0, or ᾱ = 1 (no noise left), leaves ε unchanged', () => {
    const eps = [0.5, -2, 7];
    expect(Array.from(classifierGuidedEpsilon(eps, [100, 100, 100], 0.3, 0))).toEqual(eps);
    expect(Array.from(classifierGuidedEpsilon(eps, [100, 100, 100], 1, 5))).toEqual(eps);
  });

  it('writes into `out` when given and rejects bad input', () => {
    const out = new Float32Array(2);
    expect(classifierGuidedEpsilon([1, 2], [0, 0], 0.5, 2, out)).toBe(out);
    expect(() => classifierGuidedEpsilon([1], [1, 2], 0.5, 1)).toThrow(/length/);
    expect(() => classifierGuidedEpsilon([1], [1], 0, 1)).toThrow(RangeError);
    expect(() => classifierGuidedEpsilon([1], [1], Number.NaN, 1)).toThrow(RangeError);
  });
});
