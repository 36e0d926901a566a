import { describe, expect, it } from 'vitest';
import { formatLogTick, formatValue, series, thinnedIndices, valuesAt } from '../../../src/lib/schedule-series';
import { createSchedule } from '../../../src/lib/schedules';

describe('valuesAt', () => {
  // Linear schedule with T = 3: β = 0.0001, 0.01005, 0.02 (linspace), paper timesteps t = 1..3.
  const schedule = createSchedule({ betaSchedule: 'linear', numTrainTimesteps: 3 });

  it('reads paper timestep t from array index t − 1', () => {
    const v = valuesAt(schedule, 2);
    const alphaBar = (1 - 0.0001) * (1 - 0.01005);
    expect(v.t).toBe(2);
    expect(v.beta).toBeCloseTo(0.01005, 12);
    expect(v.alphaBar).toBeCloseTo(alphaBar, 12);
    expect(v.signalScale).toBeCloseTo(Math.sqrt(alphaBar), 12);
    expect(v.noiseScale).toBeCloseTo(Math.sqrt(1 - alphaBar), 12);
    expect(v.snr).toBeCloseTo(alphaBar / (1 - alphaBar), 9);
    expect(v.logSnr).toBeCloseTo(Math.log(alphaBar / (1 - alphaBar)), 9);
    // The two coefficients of x_t = √ᾱ x₀ + √(1−ᾱ) ε have squares summing to 1.
    expect(v.signalScale ** 2 + v.noiseScale ** 2).toBeCloseTo(1, 14);
  });

  it('clamps t into [1, T]', () => {
    expect(valuesAt(schedule, 0).t).toBe(1);
    expect(valuesAt(schedule, 99).t).toBe(3);
    expect(valuesAt(schedule, 1.6).t).toBe(2);
  });
});

describe('thinnedIndices / series', () => {
  it('keeps everything when short enough', () => {
    expect(thinnedIndices(4, 10)).toEqual([0, 1, 2, 3]);
    expect(thinnedIndices(0, 10)).toEqual([]);
  });

  it('keeps the endpoints and at most maxPoints increasing indices', () => {
    const indices = thinnedIndices(4000, 400);
    expect(indices).toHaveLength(400);
    expect(indices[0]).toBe(0);
    expect(indices.at(-1)).toBe(3999);
    for (let k = 1; k < indices.length; k++) expect(indices[k]!).toBeGreaterThan(indices[k - 1]!);
  });

  it('labels points with the paper timestep and drops non-finite values', () => {
    expect(series([0.5, Number.NEGATIVE_INFINITY, 2], 10)).toEqual([
      { t: 1, value: 0.5 },
      { t: 3, value: 2 },
    ]);
  });
});

describe('formatting', () => {
  it('prints 4 significant digits, scientific outside [1e-3, 1e5), with a real minus sign', () => {
    expect(formatValue(0.078587)).toBe('0.07859');
    expect(formatValue(-2.46213)).toBe('−2.462');
    expect(formatValue(0.0001)).toBe('1.000e−4');
    expect(formatValue(123456)).toBe('1.235e5');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('−∞');
    expect(formatValue(Number.NaN)).toBe('undefined');
  });

  it('labels only powers of ten on log axes', () => {
    expect(formatLogTick(1)).toBe('1');
    expect(formatLogTick(0.01)).toBe('0.01');
    expect(formatLogTick(100)).toBe('100');
    expect(formatLogTick(1e-4)).toBe('10⁻⁴');
    expect(formatLogTick(1e12)).toBe('10¹²');
    expect(formatLogTick(3e-4)).toBe('');
    expect(formatLogTick(0)).toBe('');
  });
});
