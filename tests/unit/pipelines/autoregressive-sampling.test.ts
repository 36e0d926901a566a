import { describe, expect, it } from 'vitest';
import {
  nextTokenDistribution,
  rankByProbability,
  sampleIndex,
  sampleToken,
  softmaxWithTemperature,
  topK,
  topP,
  topTokens,
} from '../../../src/lib/autoregressive/sampling';
import { createRng } from '../../../src/lib/rng';

const close = (a: ArrayLike<number>, b: number[], digits = 12) => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, digits));
};

describe('temperature', () => {
  // logits ln 1, ln 2, ln 3, ln 4 → softmax = 1/10, 2/10, 3/10, 4/10.
  const logits = [0, Math.log(2), Math.log(3), Math.log(4)];
  it('T = 1 is the plain softmax', () => close(softmaxWithTemperature(logits, 1), [0.1, 0.2, 0.3, 0.4]));
  it('T = 1/2 squares the odds: 1, 4, 9, 16 over 30', () =>
    close(softmaxWithTemperature(logits, 0.5), [1 / 30, 4 / 30, 9 / 30, 16 / 30]));
  it('T = 2 takes square roots: 1, √2, √3, 2 over their sum', () => {
    const s = 1 + Math.SQRT2 + Math.sqrt(3) + 2;
    close(softmaxWithTemperature(logits, 2), [1 / s, Math.SQRT2 / s, Math.sqrt(3) / s, 2 / s]);
  });
  it('T = 0 is greedy (first of equal maxima); huge logits do not overflow', () => {
    expect([...softmaxWithTemperature([1, 5, 5, 2], 0)]).toEqual([0, 1, 0, 0]);
    close(softmaxWithTemperature([1000, 1000], 1), [0.5, 0.5]);
    expect(() => softmaxWithTemperature([1], -1)).toThrow(/≥ 0/);
  });
});

describe('top-k and top-p', () => {
  const probs = [0.1, 0.4, 0.2, 0.3];
  it('ranks by probability, ties by index', () => {
    expect([...rankByProbability(probs)]).toEqual([1, 3, 2, 0]);
    expect([...rankByProbability([0.25, 0.5, 0.25])]).toEqual([1, 0, 2]);
  });
  it('top-2 keeps 0.4 and 0.3 → 4/7, 3/7', () => close(topK(probs, 2), [0, 4 / 7, 0, 3 / 7]));
  it('top-k with k ≥ n or k = 0 changes nothing', () => {
    close(topK(probs, 4), probs);
    close(topK(probs, 0), probs);
  });
  it('top-p 0.5: 0.4 < 0.5 ≤ 0.4 + 0.3, so the nucleus is {1, 3}', () => close(topP(probs, 0.5), [0, 4 / 7, 0, 3 / 7]));
  it('top-p 0.4 keeps just the top token (0.4 ≥ 0.4); p = 0.9 keeps three (0.9 ≥ 0.9)', () => {
    close(topP(probs, 0.4), [0, 1, 0, 0]);
    close(topP(probs, 0.9), [0, 4 / 9, 2 / 9, 3 / 9]);
  });
  it('top-p with a tiny p still keeps one token; p = 1 keeps all', () => {
    close(topP(probs, 1e-9), [0, 1, 0, 0]);
    close(topP(probs, 1), probs);
    expect(() => topP(probs, 0)).toThrow(/0 < p ≤ 1/);
  });
  it('composition: temperature, then top-k, then top-p', () => {
    // T = 1/2 on ln(1,2,3,4) → 1,4,9,16 /30; top-3 → 4,9,16 /29; top-p 0.8: 16/29 = 0.55, + 9/29 = 0.86 ≥ 0.8 → 9,16 /25.
    close(nextTokenDistribution([0, Math.log(2), Math.log(3), Math.log(4)], { temperature: 0.5, topK: 3, topP: 0.8 }), [
      0,
      0,
      9 / 25,
      16 / 25,
    ]);
  });
});

describe('sampling', () => {
  it('inverse CDF on [0.1, 0.2, 0.3, 0.4]: boundaries at 0.1, 0.3, 0.6', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    expect([0, 0.0999, 0.1, 0.2999, 0.3001, 0.5999, 0.6001, 0.99999].map((u) => sampleIndex(p, u))).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3,
    ]);
    expect(sampleIndex([0, 1, 0], 0)).toBe(1);
    expect(sampleIndex([0.5, 0.5, 0], 0.9999999999)).toBe(1);
  });
  it('seeded: the same seed gives the same tokens; frequencies follow the distribution', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20000 }, () => sampleToken(p, rng));
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    const counts = [0, 0, 0, 0];
    for (const t of a) counts[t]!++;
    // Binomial sd for n = 20000, p = 0.4 is ≈ 69: allow 5 sd.
    counts.forEach((c, i) => expect(Math.abs(c - 20000 * p[i]!)).toBeLessThan(350));
  });
  it('top tokens for display', () => {
    expect(topTokens([0.1, 0.4, 0.2, 0.3], 2)).toEqual([
      { id: 1, probability: 0.4 },
      { id: 3, probability: 0.3 },
    ]);
  });
});
