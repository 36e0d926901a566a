/**
 * Seeded random numbers that are bit-identical in every JavaScript engine.
 *
 * Why this works everywhere: the integer generator (xoshiro128**) uses only 32-bit integer
 * operations (Math.imul, shifts, xor), and the Gaussian transform (Marsaglia's polar method)
 * uses only +, −, ×, ÷ and Math.sqrt, which IEEE 754 requires to be correctly rounded, plus
 * `portableLog`, our own logarithm built from those same operations. ECMAScript forbids fused
 * multiply-add contraction, so every engine evaluates these expressions identically. We never
 * call Math.log/exp/sin/cos here: engines are free to implement those differently.
 */

const TWO_POW_32 = 4294967296;
const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;
const GOLDEN_GAMMA = 0x9e3779b9;

/** MurmurHash3's 32-bit finaliser: a bijective avalanche mix of a uint32. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Reduces any finite number to a uint32 seed without using floating-point transcendental maths. */
export function normalizeSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`Seed must be a finite number, got ${seed}.`);
  if (Number.isInteger(seed) && seed >= 0 && seed < TWO_POW_32) return seed >>> 0;
  // Hash the exact bits of the double (big-endian view, so the result does not depend on the
  // platform's byte order).
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed, false);
  return mix32(view.getUint32(0, false) ^ mix32(view.getUint32(4, false) + GOLDEN_GAMMA));
}

/** A new seed for an independent stream `stream` derived from `seed` (e.g. one stream per sample). */
export function deriveSeed(seed: number, stream: number): number {
  const s = normalizeSeed(seed);
  const k = normalizeSeed(stream);
  return mix32(s ^ mix32(Math.imul(k + 1, GOLDEN_GAMMA) ^ 0x5bd1e995));
}

const LN2_HI = 6.9314718036912381649e-1; // upper bits of ln 2: e·LN2_HI is exact for |e| < 2^11
const LN2_LO = 1.90821492927058770002e-10; // ln 2 − LN2_HI
const SQRT2 = 1.4142135623730951;
const SQRT_HALF = 0.7071067811865476;
const TWO_POW_64 = 18446744073709551616;
const TWO_POW_NEG_64 = 1 / TWO_POW_64;
// Coefficients 1/(2k+1) of atanh(f)/f = Σ z^k/(2k+1), z = f². Division is correctly rounded.
const ATANH_COEFFS: readonly number[] = Array.from({ length: 13 }, (_, k) => 1 / (2 * k + 1));

/**
 * Natural logarithm using only exactly-specified IEEE operations, so it returns the same bits in
 * every engine. Accuracy ≈ 1 ulp (tested against Math.log).
 *
 * Method: write x = m·2^e with m ∈ [√½, √2) by exact multiplications by powers of two, then
 * ln x = e·ln 2 + 2·atanh(f) with f = (m−1)/(m+1), |f| ≤ 0.1716, summing the atanh series to
 * 13 terms (truncation error < 1e-20).
 */
export function portableLog(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let m = x;
  let e = 0;
  while (m >= TWO_POW_64) {
    m *= TWO_POW_NEG_64;
    e += 64;
  }
  while (m < TWO_POW_NEG_64) {
    m *= TWO_POW_64;
    e -= 64;
  }
  while (m >= SQRT2) {
    m *= 0.5;
    e += 1;
  }
  while (m < SQRT_HALF) {
    m *= 2;
    e -= 1;
  }
  const f = (m - 1) / (m + 1);
  const z = f * f;
  let series = ATANH_COEFFS[ATANH_COEFFS.length - 1]!;
  for (let k = ATANH_COEFFS.length - 2; k >= 0; k--) series = series * z + ATANH_COEFFS[k]!;
  return e * LN2_HI + (2 * f * series + e * LN2_LO);
}

export interface Rng {
  /** The uint32 seed this generator was created from. */
  readonly seed: number;
  /** Uniform integer in [0, 2^32). */
  uint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal N(0, 1) (Marsaglia polar method; values come in cached pairs). */
  normal(): number;
  /** Fills `out` with standard normals (the same values successive `normal()` calls would give) and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T;
  /** Convenience: a new Float32Array of `length` standard normals. */
  normalArray(length: number): Float32Array;
  /** An independent generator for stream `stream`, seeded by `deriveSeed(seed, stream)`. */
  fork(stream: number): Rng;
}

/**
 * The raw xoshiro128** 1.1 generator (Blackman & Vigna) on a 4×32-bit state (not all zero):
 * returns a function yielding uint32s.
 */
export function xoshiro128StarStar(state0: number, state1: number, state2: number, state3: number): () => number {
  let s0 = state0 | 0;
  let s1 = state1 | 0;
  let s2 = state2 | 0;
  let s3 = state3 | 0;
  if ((s0 | s1 | s2 | s3) === 0) throw new Error('xoshiro128**: the state must not be all zero.');
  return () => {
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  };
}

/**
 * Creates a generator: xoshiro128** with its state expanded from the seed by mix32 over a Weyl
 * sequence.
 */
export function createRng(seed: number): Rng {
  const seed32 = normalizeSeed(seed);
  let s0 = mix32(seed32 + GOLDEN_GAMMA);
  const s1 = mix32(seed32 + 2 * GOLDEN_GAMMA);
  const s2 = mix32(seed32 + 3 * GOLDEN_GAMMA);
  const s3 = mix32(seed32 + 4 * GOLDEN_GAMMA);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const uint32 = xoshiro128StarStar(s0, s1, s2, s3);

  let spare = 0;
  let hasSpare = false;

  const uniform = (): number => {
    const high = uint32() >>> 5; // 27 bits
    const low = uint32() >>> 6; // 26 bits
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  };

  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * portableLog(s)) / s);
    spare = v * factor;
    hasSpare = true;
    return u * factor;
  };

  const fillNormal = <T extends Float32Array | Float64Array>(out: T): T => {
    for (let i = 0; i < out.length; i++) out[i] = normal();
    return out;
  };

  return {
    seed: seed32,
    uint32,
    uniform,
    normal,
    fillNormal,
    normalArray: (length: number) => fillNormal(new Float32Array(length)),
    fork: (stream: number) => createRng(deriveSeed(seed32, stream)),
  };
}

export interface RngFingerprint {
  seed: number;
  uint32: number[];
  uniform: number[];
  normal: number[];
  /** The normals rounded to float32, as samplers see them. */
  normalFloat32: number[];
  /** The first normals of stream 1 (checks `fork`). */
  forkedNormal: number[];
}

/**
 * Deterministic sample of every generator output, for cross-engine comparison (Node vs browser):
 * serialise with JSON.stringify (which round-trips doubles exactly) and compare strings.
 */
export function rngFingerprint(seed: number, n: number): RngFingerprint {
  const count = Math.max(0, Math.floor(n));
  const take = (next: () => number) => Array.from({ length: count }, next);
  const fromSeed = () => createRng(seed);
  const intRng = fromSeed();
  const uniformRng = fromSeed();
  const normalRng = fromSeed();
  return {
    seed: normalizeSeed(seed),
    uint32: take(intRng.uint32),
    uniform: take(uniformRng.uniform),
    normal: take(normalRng.normal),
    normalFloat32: Array.from(fromSeed().normalArray(count)),
    forkedNormal: take(fromSeed().fork(1).normal),
  };
}
