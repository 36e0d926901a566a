/**
 * IEEE 754 binary16 ("half", ONNX `float16`) ↔ binary32 conversion, for models whose inputs and
 * outputs are float16 (ORT-web passes them as Uint16Array bit patterns).
 *
 * float32 → float16 rounds to nearest, ties to even (IEEE 754 §4.3.1, the default rounding that
 * numpy's astype(float16) and PyTorch's .half() use), keeps the sign of zero, turns values of
 * magnitude ≥ 65520 (the midpoint between 65504, the largest half, and 2^16) into ±Infinity, rounds
 * into the subnormal range (steps of 2^-24) and maps every NaN to a quiet NaN (0x7e00, sign kept).
 * float16 → float32 is exact (every half is a float32).
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Half bits of a float32 bit pattern (see the module comment for the rounding rules). */
function halfFromFloat32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | (mantissa !== 0 ? 0x7e00 : 0x7c00);
  if (exponent > 142) return sign | 0x7c00; // ≥ 2^16: beyond every half, even after rounding
  if (exponent >= 113) {
    // Normal half: exponent 2^(e−127) becomes biased (e − 112); keep the top 10 mantissa bits.
    let m = mantissa >>> 13;
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) m++;
    // A carry out of the mantissa bumps the exponent (and 0x7bff + 1 = 0x7c00 is Infinity).
    return sign | (((exponent - 112) << 10) + m);
  }
  // Subnormal half (or zero): value = significand · 2^(exponent−150), in units of 2^-24.
  if (exponent < 102) return sign; // below 2^-25, the midpoint to the smallest subnormal: rounds to ±0
  const significand = mantissa | 0x800000;
  const shift = 126 - exponent; // 14 … 24
  let m = significand >>> shift;
  const rest = significand & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (m & 1) === 1)) m++;
  return sign | m; // m = 1024 is the smallest normal half, which is exactly right
}

/** The half bit pattern nearest to `value` after rounding it to float32 (as storing it in a Float32Array does). */
export function float16Bits(value: number): number {
  F32[0] = value;
  return halfFromFloat32Bits(U32[0]!);
}

/** The value of a half bit pattern (exact). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** float32 array → float16 bit patterns (what ORT-web's `float16` tensors hold). */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = halfFromFloat32Bits(bits[i]!);
  return out;
}

const DECODE_TABLE: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = float16Value(h);
  return table;
})();

/** float16 bit patterns → float32 values (exact). */
export function fromFloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = DECODE_TABLE[bits[i]!]!;
  return out;
}
