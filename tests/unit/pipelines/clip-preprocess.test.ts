import { describe, expect, it } from 'vitest';
import {
  bicubicKernel,
  CLIP_MEAN,
  CLIP_STD,
  clipPixelBatch,
  clipPixelValues,
  resampleWeights,
  resizeBicubic,
  shortestEdgeSize,
  type RgbImage,
} from '../../../src/lib/pipelines/clip/preprocess';
import { l2NormalizeRows, similarityMatrix, zeroShotProbabilities } from '../../../src/lib/pipelines/clip/similarity';

const P = 224 * 224;
const norm = (v: number, c: number) => (v / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;

function solid(width: number, height: number, rgb: [number, number, number], channels: 3 | 4 = 4): RgbImage {
  const data = new Uint8ClampedArray(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    data.set(rgb, i * channels);
    if (channels === 4) data[i * 4 + 3] = 255;
  }
  return { width, height, data, channels };
}

describe('bicubic resampling (Pillow BICUBIC, a = −0.5)', () => {
  it("Keys' kernel at hand-computed points", () => {
    expect(bicubicKernel(0)).toBe(1);
    expect(Math.abs(bicubicKernel(1))).toBe(0);
    expect(Math.abs(bicubicKernel(2))).toBe(0);
    expect(bicubicKernel(2.5)).toBe(0);
    expect(bicubicKernel(0.5)).toBeCloseTo(0.5625, 12); // (1.5·0.5 − 2.5)·0.25 + 1
    expect(bicubicKernel(-1.5)).toBeCloseTo(-0.0625, 12); // ((−3.5·1.5 + 8)·1.5 − 4)·(−0.5)
  });

  it('halving widens the kernel by 2 (antialiasing): weights for output 0 of 4 → 2', () => {
    const { start, weights } = resampleWeights(4, 2);
    // centre 1.0, support 4: sources 0…3 at distances (j − 1 + 0.5)/2 = −0.25, 0.25, 0.75, 1.25.
    const raw = [0.8671875, 0.8671875, 0.2265625, -0.0703125];
    const total = raw.reduce((a, b) => a + b, 0);
    expect(start[0]).toBe(0);
    expect([...weights[0]!].map((w) => +w.toFixed(12))).toEqual(raw.map((w) => +(w / total).toFixed(12)));
  });

  it('keeps a constant image constant when shrinking and when enlarging', () => {
    const src = new Uint8Array(30 * 20 * 3).fill(77);
    expect(new Set(resizeBicubic(src, 30, 20, 7, 5))).toEqual(new Set([77]));
    expect(new Set(resizeBicubic(src, 30, 20, 91, 64))).toEqual(new Set([77]));
  });

  it('shortest edge → 224, long edge truncated as transformers does', () => {
    expect(shortestEdgeSize(300, 200)).toEqual({ width: 336, height: 224 });
    expect(shortestEdgeSize(200, 301)).toEqual({ width: 224, height: 337 }); // 224·301/200 = 337.12
    expect(shortestEdgeSize(224, 224)).toEqual({ width: 224, height: 224 });
  });
});

describe('clipPixelValues', () => {
  it('normalises with CLIP mean/std, channel-first', () => {
    const px = clipPixelValues(solid(224, 224, [255, 0, 128]));
    expect(px).toHaveLength(3 * P);
    expect(px[0]).toBeCloseTo((1 - 0.48145466) / 0.26862954, 5);
    expect(px[P + 5000]).toBeCloseTo((0 - 0.4578275) / 0.26130258, 5);
    expect(px[2 * P + 224 * 223]).toBeCloseTo(norm(128, 2), 5);
  });

  it('RGB and RGBA give the same values; alpha is ignored', () => {
    const rgba = solid(50, 40, [10, 200, 90], 4);
    rgba.data[3] = 0;
    expect(clipPixelValues(rgba)).toEqual(clipPixelValues(solid(50, 40, [10, 200, 90], 3)));
  });

  it('centre-crops the long side after resizing: an edge at x = 150 of 300 lands at x = 112 of 224', () => {
    // 300 × 200, left half black, right half white → 336 × 224, crop left (336 − 224)/2 = 56.
    const img = solid(300, 200, [0, 0, 0], 3);
    for (let y = 0; y < 200; y++) for (let x = 150; x < 300; x++) img.data.set([255, 255, 255], (y * 300 + x) * 3);
    const px = clipPixelValues(img);
    const at = (x: number, y = 100) => px[y * 224 + x]!;
    expect(at(0)).toBeCloseTo(norm(0, 0), 5);
    expect(at(105)).toBeCloseTo(norm(0, 0), 5);
    expect(at(119)).toBeCloseTo(norm(255, 0), 5);
    expect(at(223)).toBeCloseTo(norm(255, 0), 5);
    // The edge itself is blurred symmetrically around 112 (bicubic overshoot is clamped to 0…255).
    expect(at(111)).toBeLessThan(at(112));
  });

  it('batches images and rejects data of the wrong size', () => {
    const b = clipPixelBatch([solid(10, 10, [1, 2, 3]), solid(500, 300, [4, 5, 6])]);
    expect(b.dims).toEqual([2, 3, 224, 224]);
    expect(b.data[3 * P]).toBeCloseTo(norm(4, 0), 5);
    expect(() => clipPixelValues({ width: 4, height: 4, data: new Uint8Array(10) })).toThrow(
      /10 values; 4 × 4 × 4 expected/,
    );
  });
});

describe('CLIP similarity and zero-shot probabilities', () => {
  it('L2-normalises rows and takes cosines', () => {
    expect([...l2NormalizeRows(new Float32Array([3, 4, 0, 0]), 2)]).toEqual([
      0.6000000238418579, 0.800000011920929, 0, 0,
    ]);
    const a = l2NormalizeRows(new Float32Array([1, 0, 1, 1]), 2);
    const b = l2NormalizeRows(new Float32Array([0, 2, 5, 0]), 2);
    const s = similarityMatrix(a, b, 2);
    expect(s[0]).toEqual([0, 1]);
    expect(s[1]![0]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('softmax(100 · cos): cosines 0.30 and 0.20 give 1/(1 + e^−10) and e^−10/(1 + e^−10)', () => {
    const p = zeroShotProbabilities([0.3, 0.2]);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-10)), 12);
    expect(p[1]).toBeCloseTo(Math.exp(-10) / (1 + Math.exp(-10)), 12);
    expect(zeroShotProbabilities([0.25, 0.25, 0.25])).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });
});
