import { describe, expect, it } from 'vitest';
import {
  add,
  axpy,
  clamp,
  column,
  linearCombination,
  mean,
  quantile,
  scale,
  std,
  subtract,
  variance,
} from '../../../src/lib/tensor.ts';

describe('tensor helpers', () => {
  it('elementwise arithmetic', () => {
    expect(Array.from(add([1, 2], [3, 4]))).toEqual([4, 6]);
    expect(Array.from(subtract([1, 2], [3, 5]))).toEqual([-2, -3]);
    expect(Array.from(scale([1, -2], 0.5))).toEqual([0.5, -1]);
    expect(Array.from(linearCombination(2, [1, 1], -3, [0.5, 2]))).toEqual([0.5, -4]);
    const y = new Float32Array([1, 1]);
    axpy(2, [3, -1], y);
    expect(Array.from(y)).toEqual([7, -1]);
    expect(Array.from(clamp([-3, 0.5, 9], -1, 1))).toEqual([-1, 0.5, 1]);
    expect(() => add([1], [1, 2])).toThrow(/length/);
  });

  it('moments: mean 2.5, population variance 1.25, sample variance 5/3 of 1..4', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([1, 2, 3, 4])).toBe(1.25);
    expect(variance([1, 2, 3, 4], 1)).toBeCloseTo(5 / 3, 15);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
  });

  it('quantile interpolates linearly between order statistics (numpy/torch default)', () => {
    // np.quantile([1, 2, 3, 4], 0.5) = 2.5; np.quantile([10, 0, 5], 0.25) = 2.5; q = 0.995 of 0..199 = 198.005.
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([10, 0, 5], 0.25)).toBe(2.5);
    expect(
      quantile(
        Array.from({ length: 200 }, (_, i) => i),
        0.995,
      ),
    ).toBeCloseTo(198.005, 10);
    expect(quantile([7], 0.3)).toBe(7);
    expect(() => quantile([1], 2)).toThrow(/q/);
  });

  it('column extracts one coordinate of N×2 points', () => {
    expect(Array.from(column([1, 2, 3, 4, 5, 6], 2, 1))).toEqual([2, 4, 6]);
  });
});
