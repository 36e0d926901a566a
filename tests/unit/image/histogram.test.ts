import { describe, expect, it } from 'vitest';
import { histogram, meanStd, standardNormalPdf } from '../../../src/lib/image/histogram';

describe('histogram', () => {
  it('counts values into half-open bins with a closed last bin', () => {
    const h = histogram([-1, -0.5, -0.5, 0, 0.25, 1, 2, -2, Number.NaN], { min: -1, max: 1, bins: 4 });
    expect(Array.from(h.edges)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(Array.from(h.counts)).toEqual([1, 2, 2, 1]);
    expect(h.below).toBe(1);
    expect(h.above).toBe(1);
    expect(h.total).toBe(8);
    expect(h.binWidth).toBe(0.5);
  });

  it('normalises to a density: Σ density · width is the fraction inside the range', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i / 999) * 4 - 2); // uniform on [−2, 2]
    const h = histogram(values, { min: -1, max: 1, bins: 10 });
    const mass = h.density.reduce((sum, d) => sum + d * h.binWidth, 0);
    expect(mass).toBeCloseTo((h.total - h.below - h.above) / h.total, 12);
    // Uniform on an interval of length 4 has density 1/4 everywhere.
    h.density.forEach((d) => expect(d).toBeCloseTo(0.25, 1));
  });

  it('rejects a bad range or bin count', () => {
    expect(() => histogram([1], { min: 1, max: 1, bins: 3 })).toThrow(RangeError);
    expect(() => histogram([1], { min: 0, max: 1, bins: 0 })).toThrow(RangeError);
    expect(() => histogram([1], { min: 0, max: Number.NaN, bins: 2 })).toThrow(RangeError);
  });

  it('returns zero density for an empty input', () => {
    const h = histogram([], { min: 0, max: 1, bins: 2 });
    expect(Array.from(h.density)).toEqual([0, 0]);
  });
});

describe('standardNormalPdf', () => {
  it('peaks at 1/√(2π) and integrates to 1', () => {
    expect(standardNormalPdf(0)).toBeCloseTo(0.3989422804, 9);
    expect(standardNormalPdf(1)).toBeCloseTo(standardNormalPdf(-1), 15);
    let integral = 0;
    const dx = 0.001;
    for (let x = -8; x < 8; x += dx) integral += standardNormalPdf(x + dx / 2) * dx;
    expect(integral).toBeCloseTo(1, 6);
  });
});

describe('meanStd', () => {
  it('matches the textbook values and ignores NaN', () => {
    const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9, Number.NaN]);
    expect(mean).toBe(5);
    expect(std).toBe(2);
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });
});
