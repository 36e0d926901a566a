import { describe, expect, it } from 'vitest';
import { centerSquare, rgbaToSigned, signedToRgba } from '../../../src/lib/image/pixels';

describe('rgbaToSigned', () => {
  it('maps 0 → −1, 255 → +1 and 127.5 ↦ 0 linearly, dropping opaque alpha', () => {
    const rgba = new Uint8ClampedArray([0, 255, 51, 255, 255, 0, 204, 255]);
    const x = rgbaToSigned(rgba, 2, 1);
    expect(x).toHaveLength(6);
    const expected = [-1, 1, 51 / 127.5 - 1, 1, -1, 204 / 127.5 - 1];
    expected.forEach((v, i) => expect(x[i]).toBeCloseTo(v, 6));
  });

  it('composites transparent pixels over white', () => {
    const x = rgbaToSigned(new Uint8ClampedArray([0, 0, 0, 0, 0, 0, 0, 51]), 2, 1);
    expect(Array.from(x.subarray(0, 3))).toEqual([1, 1, 1]);
    // 20 % black over white: 0.8 · 255 → 0.6 in [−1, 1].
    x.subarray(3).forEach((v) => expect(v).toBeCloseTo(0.6, 6));
  });

  it('rejects buffers that do not match the size', () => {
    expect(() => rgbaToSigned(new Uint8ClampedArray(12), 2, 2)).toThrow(RangeError);
    expect(() => rgbaToSigned(new Uint8ClampedArray(0), 0, 0)).toThrow(RangeError);
    expect(() => rgbaToSigned(new Uint8ClampedArray(8), 1.5, 1)).toThrow(RangeError);
  });
});

describe('signedToRgba', () => {
  it('inverts rgbaToSigned exactly on 8-bit images', () => {
    const rgba = new Uint8ClampedArray(4 * 256);
    for (let i = 0; i < 256; i++) rgba.set([i, 255 - i, (i * 7) % 256, 255], i * 4);
    expect(Array.from(signedToRgba(rgbaToSigned(rgba, 16, 16), 16, 16))).toEqual(Array.from(rgba));
  });

  it('clips out-of-range values, maps NaN to mid-grey and writes opaque alpha', () => {
    const out = signedToRgba(new Float32Array([-3, 3, Number.NaN]), 1, 1);
    expect(Array.from(out)).toEqual([0, 255, 128, 255]);
  });
});

describe('centerSquare', () => {
  it('crops the long side symmetrically', () => {
    expect(centerSquare(300, 200)).toEqual({ sx: 50, sy: 0, size: 200 });
    expect(centerSquare(64, 101)).toEqual({ sx: 0, sy: 18, size: 64 });
    expect(centerSquare(5, 5)).toEqual({ sx: 0, sy: 0, size: 5 });
  });
});
