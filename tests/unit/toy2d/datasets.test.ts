import { describe, expect, it } from 'vitest';
import { DATASET_NAMES, makeDataset, normalizePoints } from '../../../src/lib/toy2d/datasets';

describe('toy 2-D datasets', () => {
  for (const name of DATASET_NAMES) {
    it(`${name}: centred, pooled per-coordinate variance 1, finite, seeded`, () => {
      const points = makeDataset(name, { count: 300, seed: 7 });
      expect(points.length).toBe(600);
      expect(points.every(Number.isFinite)).toBe(true);
      let sx = 0;
      let sy = 0;
      let sq = 0;
      for (let i = 0; i < 300; i++) {
        sx += points[2 * i];
        sy += points[2 * i + 1];
        sq += points[2 * i] ** 2 + points[2 * i + 1] ** 2;
      }
      expect(Math.abs(sx / 300)).toBeLessThan(1e-5);
      expect(Math.abs(sy / 300)).toBeLessThan(1e-5);
      expect(sq / 600).toBeCloseTo(1, 4);
      expect(makeDataset(name, { count: 300, seed: 7 })).toEqual(points);
      expect(makeDataset(name, { count: 300, seed: 8 })).not.toEqual(points);
    });
  }

  it('the datasets are different shapes', () => {
    const a = makeDataset('moons', { seed: 1 });
    const b = makeDataset('spiral', { seed: 1 });
    const c = makeDataset('letter', { seed: 1 });
    expect(a).not.toEqual(b);
    expect(b).not.toEqual(c);
  });

  it('normalizePoints centres and scales a known set', () => {
    // Points (1,1),(3,1),(1,3),(3,3): mean (2,2), every centred point has ‖d‖² = 2 → scale 1.
    const points = normalizePoints(Float32Array.from([1, 1, 3, 1, 1, 3, 3, 3]));
    expect(Array.from(points)).toEqual([-1, -1, 1, -1, -1, 1, 1, 1]);
  });
});
