/**
 * Test-only statistics, written independently of src/lib (so tests do not check code with itself).
 */

export function sampleMean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/** Central moment of order k. */
export function centralMoment(x: ArrayLike<number>, k: number): number {
  const m = sampleMean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - m) ** k;
  return s / x.length;
}

export function sampleVariance(x: ArrayLike<number>): number {
  return centralMoment(x, 2);
}

export function excessKurtosis(x: ArrayLike<number>): number {
  return centralMoment(x, 4) / centralMoment(x, 2) ** 2 - 3;
}

export function skewness(x: ArrayLike<number>): number {
  return centralMoment(x, 3) / centralMoment(x, 2) ** 1.5;
}

/**
 * Complementary error function, Numerical Recipes' erfcc (Chebyshev fit, |relative error| < 1.2e-7),
 * ample for KS tests with n ≤ 10⁶ (critical distances ≥ 1e-3).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number, mean = 0, std = 1): number {
  return 0.5 * erfc(-(x - mean) / (std * Math.SQRT2));
}

/** One-sample Kolmogorov–Smirnov statistic D = sup |F_n − F|. */
export function ksStatistic(x: ArrayLike<number>, cdf: (v: number) => number): number {
  const sorted = Float64Array.from(x).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Two-sample KS statistic. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** Asymptotic KS critical value c(α)·√((n+m)/(n·m)) (c = 1.95 for α = 0.001). */
export function ksCritical(n: number, m = Infinity, c = 1.95): number {
  return c * Math.sqrt(m === Infinity ? 1 / n : (n + m) / (n * m));
}

/** Pearson correlation. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = sampleMean(a);
  const mb = sampleMean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** A tiny independent standard-normal source for tests that must not depend on src/lib/rng (Box–Muller over a LCG). */
export function testNormals(seed: number, n: number): Float64Array {
  let state = BigInt(seed) | 1n;
  const uniform = () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return (Number(state >> 11n) + 0.5) / 2 ** 53;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const theta = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}
