import { describe, expect, it } from 'vitest';
import { GOLDEN_TOLERANCE, nearRoundingBoundary } from '../../../src/lib/pocket/golden.ts';

// x ↦ (x + 1)·127.5: byte value v is the model-space value v/127.5 − 1.
const fromByteUnits = (v: number) => v / 127.5 - 1;

describe('nearRoundingBoundary', () => {
  it('is true within the golden tolerance of a half and false elsewhere', () => {
    const band = GOLDEN_TOLERANCE * 127.5; // ≈ 0.0128 byte units
    expect(nearRoundingBoundary(fromByteUnits(100.5))).toBe(true);
    expect(nearRoundingBoundary(fromByteUnits(100.5 + 0.9 * band))).toBe(true);
    expect(nearRoundingBoundary(fromByteUnits(100.5 - 0.9 * band))).toBe(true);
    expect(nearRoundingBoundary(fromByteUnits(100.5 + 1.5 * band))).toBe(false);
    expect(nearRoundingBoundary(fromByteUnits(100))).toBe(false);
    expect(nearRoundingBoundary(fromByteUnits(100.25))).toBe(false);
  });
  it('clips like the 8-bit conversion: values beyond ±1 are not near a boundary', () => {
    expect(nearRoundingBoundary(1.5)).toBe(false);
    expect(nearRoundingBoundary(-3)).toBe(false);
  });
});
