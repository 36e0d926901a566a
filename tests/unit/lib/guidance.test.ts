import { describe, expect, it } from 'vitest';
import {
  guidanceScaleToWeight,
  guidanceWeightToScale,
  guideWithScale,
  guideWithWeight,
} from '../../../src/lib/guidance.ts';

const cond = [0.5, -1.25, 2, 0];
const uncond = [0.25, 0.75, -1, 3];

describe('classifier-free guidance', () => {
  it('w = 0 (paper) and s = 1 (diffusers) both return the conditional prediction', () => {
    expect(Array.from(guideWithWeight(cond, uncond, 0))).toEqual(cond);
    expect(Array.from(guideWithScale(cond, uncond, 1))).toEqual(cond);
  });

  it('s = 0 and w = −1 return the unconditional prediction', () => {
    expect(Array.from(guideWithScale(cond, uncond, 0))).toEqual(uncond);
    expect(Array.from(guideWithWeight(cond, uncond, -1))).toEqual(uncond);
  });

  it('the two forms agree when s = 1 + w (Ho & Salimans 2022, eq. 6)', () => {
    for (const w of [0.5, 1, 3, 7.5]) {
      const s = guidanceWeightToScale(w);
      expect(s).toBe(1 + w);
      expect(guidanceScaleToWeight(s)).toBe(w);
      const a = guideWithWeight(cond, uncond, w);
      const b = guideWithScale(cond, uncond, s);
      for (let i = 0; i < cond.length; i++) {
        expect(a[i]).toBeCloseTo((1 + w) * cond[i]! - w * uncond[i]!, 5);
        expect(b[i]).toBeCloseTo(a[i]!, 5);
      }
    }
  });

  it('extrapolates away from the unconditional prediction for s > 1', () => {
    const guided = guideWithScale(cond, uncond, 3);
    for (let i = 0; i < cond.length; i++) {
      expect(guided[i]! - uncond[i]!).toBeCloseTo(3 * (cond[i]! - uncond[i]!), 5);
    }
  });

  it('rejects mismatched lengths', () => {
    expect(() => guideWithScale([1], [1, 2], 2)).toThrow(/length/);
    expect(() => guideWithWeight([1], [1, 2], 2)).toThrow(/length/);
  });
});
