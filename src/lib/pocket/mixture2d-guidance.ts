/**
 * Classifier-free guidance on the class-conditional 2-D mixture (models/pocket/mixture2d-mlp.onnx,
 * data in models/train/mixture2d.py): the mixture itself, its exact noisy densities, the density
 * CFG actually aims at, sample statistics, and a guided sampling run over the ONNX model.
 */
import { classifierFreeGuidance, type ModelRunner } from './guided-sampling.ts';
import { runGuided, type PocketSamplerName } from './sampling-run.ts';

/** 8 isotropic blobs of std 0.15 on a ring; blob k belongs to class ⌊k / 2⌋ (models/train/mixture2d.py). */
export const MIXTURE_BLOBS = 8;
export const MIXTURE_CLASSES = 4;
export const MIXTURE_BLOB_STD = 0.15;
/** Chosen so the pooled per-coordinate variance is 1: (R² + 2σ²)/2 = 1. */
export const MIXTURE_RING_RADIUS = Math.sqrt(2 - 2 * MIXTURE_BLOB_STD ** 2);
/** The label fed for ε(x, ∅) (the class was replaced by it 15 % of the time in training). */
export const NULL_LABEL = 4;

export interface Blob {
  x: number;
  y: number;
  classIndex: number;
}

export const MIXTURE_MEANS: readonly Blob[] = Array.from({ length: MIXTURE_BLOBS }, (_, k) => {
  const angle = (k * 2 * Math.PI) / MIXTURE_BLOBS;
  return {
    x: MIXTURE_RING_RADIUS * Math.cos(angle),
    y: MIXTURE_RING_RADIUS * Math.sin(angle),
    classIndex: Math.floor(k / (MIXTURE_BLOBS / MIXTURE_CLASSES)),
  };
});

/** Which blobs make up p(x | c); `null` = the unconditional mixture p(x) (all blobs, equal weights). */
function blobsOf(classIndex: number | null): readonly Blob[] {
  return classIndex === null ? MIXTURE_MEANS : MIXTURE_MEANS.filter((b) => b.classIndex === classIndex);
}

/**
 * log p_t(x | c) of the noised mixture at noise level ᾱ: x_t = √ᾱ x₀ + √(1 − ᾱ) ε turns each blob
 * N(μ, σ²I) into N(√ᾱ μ, (ᾱσ² + 1 − ᾱ) I) (Ho et al. 2020, eq. 4), with the blobs' weights unchanged.
 */
export function noisyLogDensity(x: number, y: number, classIndex: number | null, alphaBar: number): number {
  const blobs = blobsOf(classIndex);
  const variance = alphaBar * MIXTURE_BLOB_STD ** 2 + (1 - alphaBar);
  const scale = Math.sqrt(alphaBar);
  // log-sum-exp over equally weighted blobs, for stability far from every blob.
  const exponents = blobs.map((b) => -((x - scale * b.x) ** 2 + (y - scale * b.y) ** 2) / (2 * variance));
  const top = Math.max(...exponents);
  const sum = exponents.reduce((acc, e) => acc + Math.exp(e - top), 0);
  return top + Math.log(sum / blobs.length) - Math.log(2 * Math.PI * variance);
}

/**
 * The (unnormalised) log density whose score guided sampling follows at this noise level:
 * ε̃ = (1 + w) ε(x, c) − w ε(x) (Ho & Salimans 2022, eq. 6) is, for exact ε's, the score of
 * p_t(x | c)^{1+w} / p_t(x)^{w} = p_t(x | c) · p_t(c | x)^{w} up to a constant — the class density
 * tilted towards where the implicit classifier is sure of c.
 */
export function guidedLogDensity(x: number, y: number, classIndex: number, weight: number, alphaBar: number): number {
  return (1 + weight) * noisyLogDensity(x, y, classIndex, alphaBar) - weight * noisyLogDensity(x, y, null, alphaBar);
}

/**
 * A density on a size×size grid over [−extent, extent]², row 0 at the top (y = +extent), scaled so
 * its maximum is 1 (for drawing). `logDensity` is evaluated at cell centres.
 */
export function densityGrid(logDensity: (x: number, y: number) => number, size: number, extent: number): Float32Array {
  const logs = new Float64Array(size * size);
  let top = -Infinity;
  for (let row = 0; row < size; row++) {
    const y = extent - ((row + 0.5) / size) * 2 * extent;
    for (let col = 0; col < size; col++) {
      const x = -extent + ((col + 0.5) / size) * 2 * extent;
      const value = logDensity(x, y);
      logs[row * size + col] = value;
      if (value > top) top = value;
    }
  }
  const grid = new Float32Array(size * size);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.exp(logs[i]! - top);
  return grid;
}

/** Index of the blob whose centre is nearest to (x, y). */
export function nearestBlob(x: number, y: number): number {
  let best = 0;
  let bestDistance = Infinity;
  MIXTURE_MEANS.forEach((b, k) => {
    const d = (x - b.x) ** 2 + (y - b.y) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  });
  return best;
}

export interface PointStatistics {
  /** Fraction of points whose nearest blob belongs to the class (the card's "class accuracy"). */
  classShare: number;
  /** Mean distance to the nearest blob centre, in units of σ (exact samples: √(π/2) ≈ 1.253). */
  meanDistanceInStd: number;
  /** Mean distance from the origin; the blobs sit at radius ≈ 1.398. */
  meanRadius: number;
}

/** Statistics of points [n, 2] against the mixture and a class. */
export function pointStatistics(points: Float32Array, classIndex: number): PointStatistics {
  const n = points.length / 2;
  if (!Number.isInteger(n) || n === 0)
    throw new Error(`Points must be a non-empty [n, 2] array, got ${points.length} values.`);
  let inClass = 0;
  let distance = 0;
  let radius = 0;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    const blob = MIXTURE_MEANS[nearestBlob(x, y)]!;
    if (blob.classIndex === classIndex) inClass++;
    distance += Math.hypot(x - blob.x, y - blob.y);
    radius += Math.hypot(x, y);
  }
  return { classShare: inClass / n, meanDistanceInStd: distance / n / MIXTURE_BLOB_STD, meanRadius: radius / n };
}

export interface MixtureRunOptions {
  classIndex: number;
  weight: number;
  sampler: PocketSamplerName;
  steps: number;
  seed: number;
  particles: number;
  signal?: AbortSignal;
  /** After each step, with the particles x_{t−1} [n, 2]. */
  onStep?: (stepIndex: number, timestep: number, points: Float32Array) => void;
}

/**
 * Particles sampled from the MLP with classifier-free guidance for one class: one model call per
 * step on the batch [x with the class; x with the null label].
 */
export async function sampleMixtureGuided(model: ModelRunner, options: MixtureRunOptions) {
  if (!(Number.isInteger(options.classIndex) && options.classIndex >= 0 && options.classIndex < MIXTURE_CLASSES)) {
    throw new RangeError(`Class must be 0…${MIXTURE_CLASSES - 1}, got ${options.classIndex}.`);
  }
  const epsilon = classifierFreeGuidance(model, {
    itemShape: [2],
    conditionInput: 'label',
    condition: Int32Array.of(options.classIndex),
    nullCondition: Int32Array.of(NULL_LABEL),
    weight: options.weight,
  });
  return runGuided(epsilon, {
    sampler: options.sampler,
    steps: options.steps,
    seed: options.seed,
    length: options.particles * 2,
    clipSample: false,
    signal: options.signal,
    onStep: options.onStep && ((k, t, sample) => options.onStep!(k, t, sample)),
  });
}
