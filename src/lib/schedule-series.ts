/**
 * Turning a NoiseSchedule into what the schedule widgets show: the quantities at one timestep,
 * and thinned (t, value) series for plotting. Timesteps are the paper's t ∈ [1, T]; array index
 * t − 1 (see schedules.ts).
 */
import type { NoiseSchedule } from './schedules.ts';

export interface TimestepValues {
  t: number;
  beta: number;
  alphaBar: number;
  /** √ᾱ_t: how much of x_0 survives in x_t (Ho et al. 2020, eq. 4). */
  signalScale: number;
  /** √(1 − ᾱ_t): the standard deviation of the noise in x_t (Ho et al. 2020, eq. 4). */
  noiseScale: number;
  snr: number;
  logSnr: number;
}

/** The schedule's values at paper timestep t (clamped to [1, T]). */
export function valuesAt(schedule: NoiseSchedule, t: number): TimestepValues {
  const T = schedule.numTrainTimesteps;
  const step = Math.min(T, Math.max(1, Math.round(t)));
  const i = step - 1;
  const alphaBar = schedule.alphasCumprod[i]!;
  return {
    t: step,
    beta: schedule.betas[i]!,
    alphaBar,
    signalScale: Math.sqrt(alphaBar),
    noiseScale: Math.sqrt(1 - alphaBar),
    snr: schedule.snr[i]!,
    logSnr: schedule.logSnr[i]!,
  };
}

/**
 * At most `maxPoints` array indices out of `count`, evenly spread, always including the first
 * and last: a 4000-step curve drawn 300 px wide needs a few hundred points, not 4000.
 */
export function thinnedIndices(count: number, maxPoints: number): number[] {
  if (count <= 0) return [];
  if (count <= maxPoints || maxPoints < 2) return Array.from({ length: count }, (_, i) => i);
  const indices: number[] = [];
  for (let k = 0; k < maxPoints; k++) indices.push(Math.round((k * (count - 1)) / (maxPoints - 1)));
  return indices;
}

export interface SeriesPoint {
  t: number;
  value: number;
}

/** (t, values[t − 1]) pairs at thinned indices, skipping non-finite values (log SNR = −∞). */
export function series(values: ArrayLike<number>, maxPoints: number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (const i of thinnedIndices(values.length, maxPoints)) {
    const value = values[i]!;
    if (Number.isFinite(value)) points.push({ t: i + 1, value });
  }
  return points;
}

/** A short, screen-reader friendly number: 4 significant digits, scientific when tiny or huge. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'undefined';
  if (value === Number.POSITIVE_INFINITY) return '∞';
  if (value === Number.NEGATIVE_INFINITY) return '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const text = magnitude >= 1e-3 && magnitude < 1e5 ? String(Number(value.toPrecision(4))) : value.toExponential(3);
  return text.replace('e+', 'e').replace(/-/g, '−');
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** Tick label for a logarithmic axis: plain numbers near 1, powers of ten (10⁻⁴) elsewhere. */
export function formatLogTick(value: number): string {
  if (!(value > 0) || !Number.isFinite(value)) return '';
  const exponent = Math.round(Math.log10(value));
  if (Math.abs(value / 10 ** exponent - 1) > 1e-9) return '';
  if (exponent >= -2 && exponent <= 2) return String(Number(value.toPrecision(3)));
  return `10${String(exponent).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]!)}`;
}
