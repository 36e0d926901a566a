/**
 * Elementwise helpers over flat Float32Arrays. Arithmetic runs in float64 and is rounded once
 * when stored. Every binary op requires equal lengths (no broadcasting).
 */

export type Vector = Float32Array;
type Readable = ArrayLike<number>;

function assertSameLength(a: Readable, b: Readable, op: string): void {
  if (a.length !== b.length) throw new Error(`${op}: length mismatch (${a.length} vs ${b.length}).`);
}

/** Allocates `out` if not given, otherwise checks its length. */
function target(out: Float32Array | undefined, length: number, op: string): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (out.length !== length) throw new Error(`${op}: output length ${out.length} ≠ ${length}.`);
  return out;
}

/** a·x + b·y (elementwise). */
export function linearCombination(a: number, x: Readable, b: number, y: Readable, out?: Float32Array): Float32Array {
  assertSameLength(x, y, 'linearCombination');
  const result = target(out, x.length, 'linearCombination');
  for (let i = 0; i < x.length; i++) result[i] = a * x[i]! + b * y[i]!;
  return result;
}

export function add(x: Readable, y: Readable, out?: Float32Array): Float32Array {
  return linearCombination(1, x, 1, y, out);
}

export function subtract(x: Readable, y: Readable, out?: Float32Array): Float32Array {
  return linearCombination(1, x, -1, y, out);
}

export function scale(x: Readable, factor: number, out?: Float32Array): Float32Array {
  const result = target(out, x.length, 'scale');
  for (let i = 0; i < x.length; i++) result[i] = factor * x[i]!;
  return result;
}

/** y ← y + a·x, in place (BLAS axpy). Returns y. */
export function axpy(a: number, x: Readable, y: Float32Array): Float32Array {
  assertSameLength(x, y, 'axpy');
  for (let i = 0; i < x.length; i++) y[i] = y[i]! + a * x[i]!;
  return y;
}

export function clamp(x: Readable, min: number, max: number, out?: Float32Array): Float32Array {
  if (!(min <= max)) throw new Error(`clamp: min ${min} must not exceed max ${max}.`);
  const result = target(out, x.length, 'clamp');
  for (let i = 0; i < x.length; i++) result[i] = Math.min(Math.max(x[i]!, min), max);
  return result;
}

export function sum(x: Readable): number {
  let total = 0;
  for (let i = 0; i < x.length; i++) total += x[i]!;
  return total;
}

export function mean(x: Readable): number {
  if (x.length === 0) throw new Error('mean of an empty array.');
  return sum(x) / x.length;
}

/** Variance; `ddof` = 0 for the population variance, 1 for the unbiased sample variance. */
export function variance(x: Readable, ddof = 0): number {
  if (x.length - ddof <= 0) throw new Error(`variance needs more than ${ddof} values.`);
  const m = mean(x);
  let squares = 0;
  for (let i = 0; i < x.length; i++) squares += (x[i]! - m) ** 2;
  return squares / (x.length - ddof);
}

export function std(x: Readable, ddof = 0): number {
  return Math.sqrt(variance(x, ddof));
}

/**
 * The q-quantile with linear interpolation between order statistics (the default of
 * `numpy.quantile` and `torch.quantile`): position q·(n−1) in the sorted values.
 */
export function quantile(x: Readable, q: number): number {
  if (x.length === 0) throw new Error('quantile of an empty array.');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}.`);
  const sorted = Float64Array.from(x).sort();
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const below = sorted[lower]!;
  return below + (sorted[upper]! - below) * (position - lower);
}

/** Strided view helper: copies column `column` of an N×`width` row-major array. */
export function column(x: Readable, width: number, columnIndex: number): Float32Array {
  if (x.length % width !== 0) throw new Error(`column: length ${x.length} is not a multiple of ${width}.`);
  const rows = x.length / width;
  const result = new Float32Array(rows);
  for (let r = 0; r < rows; r++) result[r] = x[r * width + columnIndex]!;
  return result;
}
