/**
 * Seeded 2-D toy datasets for the 2-D diffusion widget.
 *
 * Normalisation: every dataset is centred (mean exactly 0) and scaled so that the pooled
 * per-coordinate variance is 1, i.e. (1/(2M)) Σ_i ‖d_i‖² = 1 — the same second moment as the
 * standard normal N(0, I) that the forward process ends in. The shapes keep their aspect ratio
 * (one scale factor for both axes), so a spiral stays round; the per-axis variances then differ
 * slightly from 1 but their average is exactly 1.
 */
import { createRng } from '../rng';

export const DATASET_NAMES = ['moons', 'spiral', 'letter'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const DATASET_LABELS: Readonly<Record<DatasetName, string>> = {
  moons: 'Two moons',
  spiral: 'Spiral',
  letter: 'Letter “S”',
};

export const DEFAULT_DATASET_SIZE = 300;

export interface DatasetOptions {
  /** Number of points (default 300). */
  count?: number;
  /** Seed of the jitter and of the positions along each shape. */
  seed?: number;
}

type Rng = ReturnType<typeof createRng>;
/** Writes one raw (unnormalised) point for a uniform position u ∈ [0, 1) along the shape. */
type ShapeSampler = (u: number, rng: Rng, out: [number, number]) => void;

/** Two interleaved half circles (the "two moons" of scikit-learn), jitter σ = 0.06. */
const twoMoons: ShapeSampler = (u, rng, out) => {
  const upper = u < 0.5;
  const theta = Math.PI * (upper ? u * 2 : (u - 0.5) * 2);
  const jitter = 0.06;
  if (upper) {
    out[0] = Math.cos(theta);
    out[1] = Math.sin(theta);
  } else {
    out[0] = 1 - Math.cos(theta);
    out[1] = 0.5 - Math.sin(theta);
  }
  out[0] += jitter * rng.normal();
  out[1] += jitter * rng.normal();
};

/**
 * An Archimedean spiral r = θ over 1.5 turns. Positions are uniform in arc length
 * (θ ∝ √u, since arc length of r = θ grows ≈ θ²/2), jitter proportional to the radius scale.
 */
const spiral: ShapeSampler = (u, rng, out) => {
  const thetaMin = 0.5 * Math.PI;
  const thetaMax = 3.5 * Math.PI;
  const theta = Math.sqrt(thetaMin * thetaMin + u * (thetaMax * thetaMax - thetaMin * thetaMin));
  const jitter = 0.25;
  out[0] = theta * Math.cos(theta) + jitter * rng.normal();
  out[1] = theta * Math.sin(theta) + jitter * rng.normal();
};

/**
 * The letter "S" drawn as two stacked arcs of radius 1/2: the upper one counter-clockwise from
 * the upper right round to the centre, the lower one clockwise from the centre round to the
 * lower left. Both arcs have the same length, so u picks an arc and an angle uniformly.
 */
const letterS: ShapeSampler = (u, rng, out) => {
  const r = 0.5;
  const jitter = 0.025;
  const sweepStart = (20 / 180) * Math.PI;
  const sweepEnd = 1.5 * Math.PI;
  if (u < 0.5) {
    const angle = sweepStart + u * 2 * (sweepEnd - sweepStart);
    out[0] = r * Math.cos(angle);
    out[1] = 0.5 + r * Math.sin(angle);
  } else {
    const angle = 0.5 * Math.PI - (u - 0.5) * 2 * (sweepEnd - sweepStart);
    out[0] = r * Math.cos(angle);
    out[1] = -0.5 + r * Math.sin(angle);
  }
  out[0] += jitter * rng.normal();
  out[1] += jitter * rng.normal();
};

const SHAPES: Readonly<Record<DatasetName, ShapeSampler>> = {
  moons: twoMoons,
  spiral,
  letter: letterS,
};

/**
 * Centre and scale a flat [x0, y0, x1, y1, …] point array in place so that its mean is 0 and
 * its pooled per-coordinate variance (1/(2M)) Σ‖d_i‖² is 1.
 */
export function normalizePoints(points: Float32Array): Float32Array {
  const m = points.length / 2;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < m; i++) {
    meanX += points[2 * i];
    meanY += points[2 * i + 1];
  }
  meanX /= m;
  meanY /= m;
  let sumSq = 0;
  for (let i = 0; i < m; i++) {
    const dx = points[2 * i] - meanX;
    const dy = points[2 * i + 1] - meanY;
    sumSq += dx * dx + dy * dy;
  }
  const scale = sumSq > 0 ? 1 / Math.sqrt(sumSq / (2 * m)) : 1;
  for (let i = 0; i < m; i++) {
    points[2 * i] = (points[2 * i] - meanX) * scale;
    points[2 * i + 1] = (points[2 * i + 1] - meanY) * scale;
  }
  return points;
}

/** A dataset as a flat Float32Array [x0, y0, x1, y1, …], normalised as described above. */
export function makeDataset(name: DatasetName, options: DatasetOptions = {}): Float32Array {
  const count = Math.max(1, Math.floor(options.count ?? DEFAULT_DATASET_SIZE));
  const rng = createRng(options.seed ?? 0);
  const shape = SHAPES[name];
  const points = new Float32Array(2 * count);
  const point: [number, number] = [0, 0];
  for (let i = 0; i < count; i++) {
    // Stratified positions along the shape: even coverage, still random within each stratum.
    const u = (i + rng.uniform()) / count;
    shape(u, rng, point);
    points[2 * i] = point[0];
    points[2 * i + 1] = point[1];
  }
  return normalizePoints(points);
}

export function isDatasetName(value: unknown): value is DatasetName {
  return typeof value === 'string' && (DATASET_NAMES as readonly string[]).includes(value);
}
