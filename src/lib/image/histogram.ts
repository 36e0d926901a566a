/** Histograms of pixel values, normalised as densities so they can be overlaid on a pdf. */

export interface Histogram {
  /** bins + 1 ascending bin edges; bin i is [edges[i], edges[i+1]) (the last bin is closed). */
  edges: Float64Array;
  counts: Uint32Array;
  /** counts / (n · binWidth), so that Σ density · binWidth = fraction of values inside the range. */
  density: Float64Array;
  binWidth: number;
  /** Values below edges[0] / above the last edge (not in any bin). */
  below: number;
  above: number;
  /** Number of finite values seen (NaN is ignored). */
  total: number;
}

export function histogram(values: ArrayLike<number>, options: { min: number; max: number; bins: number }): Histogram {
  const { min, max, bins } = options;
  if (!(Number.isFinite(min) && Number.isFinite(max) && max > min) || !Number.isInteger(bins) || bins < 1) {
    throw new RangeError('histogram: need finite min < max and a positive integer number of bins');
  }
  const binWidth = (max - min) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = min + i * binWidth;
  const counts = new Uint32Array(bins);
  let below = 0;
  let above = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    total++;
    if (v < min) below++;
    else if (v > max) above++;
    else counts[Math.min(bins - 1, Math.floor((v - min) / binWidth))]!++;
  }
  const density = new Float64Array(bins);
  if (total > 0) for (let i = 0; i < bins; i++) density[i] = counts[i]! / (total * binWidth);
  return { edges, counts, density, binWidth, below, above, total };
}

/** Density of the standard normal N(0, 1) at x. */
export function standardNormalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Sample mean and (population) standard deviation, ignoring NaN. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  // Welford's update: stable for long arrays of nearly equal values.
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    n++;
    const delta = v - mean;
    mean += delta / n;
    m2 += delta * (v - mean);
  }
  return n === 0 ? { mean: Number.NaN, std: Number.NaN } : { mean, std: Math.sqrt(m2 / n) };
}
