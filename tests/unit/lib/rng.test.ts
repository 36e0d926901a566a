import { describe, expect, it } from 'vitest';
import {
  createRng,
  deriveSeed,
  normalizeSeed,
  portableLog,
  rngFingerprint,
  xoshiro128StarStar,
} from '../../../src/lib/rng.ts';
import {
  correlation,
  excessKurtosis,
  ksCritical,
  ksStatistic,
  normalCdf,
  sampleMean,
  sampleVariance,
  skewness,
} from './stats.ts';

/** Reference xoshiro128** written from the published algorithm with BigInt arithmetic. */
function referenceXoshiro(state: [number, number, number, number], count: number): number[] {
  const mask = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & mask;
  let [s0, s1, s2, s3] = state.map(BigInt) as [bigint, bigint, bigint, bigint];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((rotl((s1 * 5n) & mask, 7n) * 9n) & mask));
    const t = (s1 << 9n) & mask;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11n);
  }
  return out;
}

describe('xoshiro128**', () => {
  it('first output from state (1, 2, 3, 4) is rotl(2·5, 7)·9 = 11520', () => {
    expect(xoshiro128StarStar(1, 2, 3, 4)()).toBe(11520);
  });

  it('matches a BigInt reference implementation for 1000 outputs', () => {
    const states: [number, number, number, number][] = [
      [1, 2, 3, 4],
      [0xdeadbeef, 0x12345678, 0x9abcdef0, 0x0badf00d],
    ];
    for (const state of states) {
      const next = xoshiro128StarStar(...state);
      const ours = Array.from({ length: 1000 }, () => next());
      expect(ours).toEqual(referenceXoshiro(state, 1000));
    }
  });

  it('rejects the all-zero state', () => {
    expect(() => xoshiro128StarStar(0, 0, 0, 0)).toThrow(/zero/);
  });
});

describe('portableLog', () => {
  it('agrees with Math.log to within 2 ulp-ish relative error over 1e-300 … 1e300', () => {
    const rng = createRng(7);
    for (let i = 0; i < 20000; i++) {
      const x = 10 ** (600 * rng.uniform() - 300);
      const expected = Math.log(x);
      expect(Math.abs(portableLog(x) - expected)).toBeLessThanOrEqual(4.5e-16 * Math.max(Math.abs(expected), 1e-3));
    }
  });

  it('is accurate on (0, 1], where the polar method uses it', () => {
    const rng = createRng(8);
    for (let i = 0; i < 20000; i++) {
      const x = rng.uniform() || 0.5;
      expect(Math.abs(portableLog(x) - Math.log(x))).toBeLessThanOrEqual(
        4.5e-16 * Math.max(Math.abs(Math.log(x)), 1e-3),
      );
    }
  });

  it('handles exact and special values', () => {
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(Infinity)).toBe(Infinity);
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(Number.MIN_VALUE)).toBeCloseTo(Math.log(Number.MIN_VALUE), 12);
    for (let k = -1000; k <= 1000; k += 37) expect(portableLog(2 ** k)).toBeCloseTo(k * Math.LN2, 12);
  });
});

describe('createRng', () => {
  it('is deterministic for a seed', () => {
    const a = createRng(1234);
    const b = createRng(1234);
    for (let i = 0; i < 1000; i++) {
      expect(a.uint32()).toBe(b.uint32());
      expect(a.normal()).toBe(b.normal());
    }
  });

  it('fillNormal yields exactly the values of successive normal() calls', () => {
    const a = createRng(99);
    const b = createRng(99);
    const filled = a.fillNormal(new Float64Array(1001));
    for (let i = 0; i < filled.length; i++) expect(filled[i]).toBe(b.normal());
    const f32 = createRng(99).normalArray(11);
    const reference = createRng(99);
    for (let i = 0; i < f32.length; i++) expect(f32[i]).toBe(Math.fround(reference.normal()));
  });

  it('uniform() lies in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = createRng(5);
    const n = 100000;
    const u = Float64Array.from({ length: n }, () => rng.uniform());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    // 5 standard errors: sd(mean) = √(1/12n), sd(var) ≈ √(1/180n).
    expect(Math.abs(sampleMean(u) - 0.5)).toBeLessThan(5 * Math.sqrt(1 / (12 * n)));
    expect(Math.abs(sampleVariance(u) - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / (180 * n)));
    expect(ksStatistic(u, (v) => v)).toBeLessThan(ksCritical(n));
  });

  it('normal() has the moments and distribution of N(0, 1)', () => {
    const n = 200000;
    const z = createRng(2024).fillNormal(new Float64Array(n));
    // Standard errors of the sample moments of N(0,1): mean 1/√n, variance √(2/n), skewness √(6/n), excess kurtosis √(24/n).
    expect(Math.abs(sampleMean(z))).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(sampleVariance(z) - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(skewness(z))).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(excessKurtosis(z))).toBeLessThan(5 * Math.sqrt(24 / n));
    expect(ksStatistic(z, (v) => normalCdf(v))).toBeLessThan(ksCritical(n));
    // Tail mass beyond ±3: 2·(1 − Φ(3)) = 0.0026998.
    const tail = z.filter((v) => Math.abs(v) > 3).length / n;
    expect(Math.abs(tail - 0.0026998)).toBeLessThan(5 * Math.sqrt(0.0027 / n));
  });

  it('gives independent streams for different seeds and forks', () => {
    const n = 50000;
    const bound = 5 / Math.sqrt(n);
    const a = createRng(1).fillNormal(new Float64Array(n));
    const b = createRng(2).fillNormal(new Float64Array(n));
    const c = createRng(1).fork(0).fillNormal(new Float64Array(n));
    const d = createRng(1).fork(1).fillNormal(new Float64Array(n));
    for (const [x, y] of [
      [a, b],
      [a, c],
      [a, d],
      [c, d],
    ] as const) {
      expect(Math.abs(correlation(x, y))).toBeLessThan(bound);
    }
    // Lag-1 autocorrelation within one stream.
    expect(Math.abs(correlation(a.subarray(1), a.subarray(0, n - 1)))).toBeLessThan(bound);
    expect(createRng(1).uint32()).not.toBe(createRng(2).uint32());
  });

  it('fork is deterministic and equals createRng(deriveSeed(seed, stream))', () => {
    expect(createRng(3).fork(7).normal()).toBe(createRng(deriveSeed(3, 7)).normal());
    const seeds = new Set(Array.from({ length: 1000 }, (_, k) => deriveSeed(42, k)));
    expect(seeds.size).toBe(1000);
  });

  it('normalises seeds: integers in uint32 range are used as is; others are hashed deterministically', () => {
    expect(normalizeSeed(17)).toBe(17);
    expect(normalizeSeed(0.5)).toBe(normalizeSeed(0.5));
    expect(normalizeSeed(0.5)).not.toBe(normalizeSeed(0.25));
    expect(normalizeSeed(-1)).not.toBe(normalizeSeed(1));
    expect(() => normalizeSeed(NaN)).toThrow(/finite/);
  });
});

describe('rngFingerprint', () => {
  it('reports the generator outputs, serialisable exactly through JSON', () => {
    const fp = rngFingerprint(42, 16);
    const rng = createRng(42);
    expect(fp.uint32).toEqual(Array.from({ length: 16 }, () => rng.uint32()));
    expect(fp.normal).toEqual(Array.from({ length: 16 }, createRng(42).normal));
    expect(fp.normal.length).toBe(16);
    expect(JSON.parse(JSON.stringify(fp))).toEqual(fp);
  });
});
