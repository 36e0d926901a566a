import { describe, expect, it } from 'vitest';
import { float16Bits, float16Value, fromFloat16, toFloat16 } from '../../../src/lib/pipelines/float16';

/** Every finite non-negative half value in increasing order (bits 0x0000 … 0x7bff), built from the definition. */
function finiteHalves(): number[] {
  const values: number[] = [];
  for (let e = 0; e < 31; e++) {
    for (let f = 0; f < 1024; f++) values.push(e === 0 ? f * 2 ** -24 : (1 + f / 1024) * 2 ** (e - 15));
  }
  return values;
}

/** Reference rounding by search: nearest half to a float32 value, ties to the even bit pattern. */
function referenceBits(x: number, halves: number[]): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = halves.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (halves[mid]! <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - halves[lo]!;
  const dHi = halves[hi]! - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

describe('float16 conversion', () => {
  const halves = finiteHalves();

  it('decodes every one of the 65 536 bit patterns to the value the format defines, and encodes it back to the same bits', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const decoded = fromFloat16(all);
    for (let h = 0; h < 65536; h++) {
      const exponent = (h >> 10) & 31;
      const fraction = h & 1023;
      const v = decoded[h]!;
      if (exponent === 31 && fraction !== 0) {
        expect(Number.isNaN(v)).toBe(true);
        continue;
      }
      const magnitude = exponent === 31 ? Infinity : halves[h & 0x7fff]!;
      expect(Object.is(v, h & 0x8000 ? -magnitude : magnitude)).toBe(true);
      expect(float16Value(h)).toBe(v);
    }
    const reencoded = toFloat16(decoded);
    for (let h = 0; h < 65536; h++) {
      const isNaN = ((h >> 10) & 31) === 31 && (h & 1023) !== 0;
      // A NaN read into a JS number loses its sign and payload; it must come back as a NaN pattern.
      if (isNaN) expect((reencoded[h]! & 0x7e00) === 0x7e00).toBe(true);
      else expect(reencoded[h]).toBe(h);
    }
  });

  it('keeps ±0 and ±Infinity, and makes every NaN a quiet NaN with its sign', () => {
    expect(float16Bits(0)).toBe(0x0000);
    expect(float16Bits(-0)).toBe(0x8000);
    expect(Object.is(float16Value(0x8000), -0)).toBe(true);
    expect(float16Bits(Infinity)).toBe(0x7c00);
    expect(float16Bits(-Infinity)).toBe(0xfc00);
    expect(float16Bits(Number.NaN)).toBe(0x7e00);
    const negativeNaN = new Float32Array(new Uint32Array([0xffc00001]).buffer);
    expect(toFloat16(negativeNaN)[0]).toBe(0xfe00);
  });

  it('rounds ties to even at every midpoint between neighbouring halves, normal and subnormal, and to the nearer one just off the midpoint', () => {
    const f = new Float32Array(1);
    for (let i = 0; i + 1 < halves.length; i++) {
      const mid = (halves[i]! + halves[i + 1]!) / 2; // exact in float32 (one more bit than a half)
      f[0] = mid;
      expect(f[0]).toBe(mid);
      const even = i % 2 === 0 ? i : i + 1;
      expect(float16Bits(mid)).toBe(even);
      expect(float16Bits(-mid)).toBe(0x8000 | even);
      // The float32 neighbours of the midpoint round to the nearer half.
      const below = new Float32Array([mid]);
      const bits = new Uint32Array(below.buffer);
      bits[0] = bits[0]! - 1;
      expect(float16Bits(below[0]!)).toBe(i);
      bits[0] = bits[0]! + 2;
      expect(float16Bits(below[0]!)).toBe(i + 1);
    }
  });

  it('overflows to Infinity from 65520 (the midpoint above 65504) and underflows to ±0 at and below 2^-25', () => {
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65519.996)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e9)).toBe(0xfc00);
    expect(float16Bits(2 ** -24)).toBe(0x0001);
    expect(float16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: even is 0
    expect(float16Bits(2 ** -25 * 1.0000001)).toBe(0x0001);
    expect(float16Bits(-(2 ** -26))).toBe(0x8000);
    expect(float16Bits(1e-45)).toBe(0x0000); // a float32 subnormal
    expect(float16Bits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(float16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie between 0x03ff and 0x0400: even is 0x0400
  });

  it('agrees with a search-based reference on 200 000 float32 values spread over the whole range', () => {
    const bits = new Uint32Array(200_000);
    let s = 12345;
    for (let i = 0; i < bits.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // Exponents from far below the subnormal range to above the largest half.
      const exponent = 90 + (s % 60);
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      bits[i] = ((s & 1) << 31) | (exponent << 23) | (s >>> 9);
    }
    const values = new Float32Array(bits.buffer);
    const encoded = toFloat16(values);
    for (let i = 0; i < values.length; i++) expect(encoded[i]).toBe(referenceBits(values[i]!, halves));
  });
});
