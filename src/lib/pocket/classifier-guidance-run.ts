/**
 * Classifier guidance with the pocket models (Dhariwal & Nichol 2021, eq. 14 / Algorithm 2): the
 * UNet's unconditional ε(x, ∅) steered by the noisy classifier's ∇ₓ log p_φ(y | x_t, t), and the
 * classifier's verdict on the finished samples.
 */
import { vocabulary } from '../shapes-world/vocabulary.ts';
import { createSchedule } from '../schedules.ts';
import { POCKET_SCHEDULE } from './sampler-config.ts';
import { classifierGuidance, type ModelRunner } from './guided-sampling.ts';
import { runGuided, type PocketSamplerName } from './sampling-run.ts';
import { initialNoise, stepNoise } from './text-to-image.ts';

export const IMAGE_SHAPE = [3, 32, 32] as const;
export const IMAGE_SIZE = 3 * 32 * 32;
/** Classes of the noisy classifier: every colour × shape (models/train/README.md). */
export const CLASSIFIER_CLASSES = vocabulary.colours.length * vocabulary.shapes.length;

/** y = colour index × (number of shapes) + shape index. */
export function classifierLabel(colour: number, shape: number): number {
  const shapes = vocabulary.shapes.length;
  if (!(Number.isInteger(colour) && colour >= 0 && colour < vocabulary.colours.length))
    throw new RangeError(`No colour ${colour}.`);
  if (!(Number.isInteger(shape) && shape >= 0 && shape < shapes)) throw new RangeError(`No shape ${shape}.`);
  return colour * shapes + shape;
}

/** "red circle" for a classifier label. */
export function describeLabel(y: number): string {
  const shapes = vocabulary.shapes.length;
  return `${vocabulary.colours[Math.floor(y / shapes)]!.name} ${vocabulary.shapes[y % shapes]!.name}`;
}

/** The 16 PAD tokens of the null caption: ε(x, ∅). */
export function nullTokens(): Int32Array {
  return new Int32Array(vocabulary.tokens.maxLength).fill(vocabulary.tokens.pad);
}

const alphasCumprod = createSchedule({ ...POCKET_SCHEDULE }).alphasCumprod;

export interface ClassifierRunOptions {
  y: number;
  /** Dhariwal & Nichol's s (0: unguided samples of the unconditional model). */
  scale: number;
  sampler: PocketSamplerName;
  steps: number;
  seed: number;
  samples: number;
  signal?: AbortSignal;
  onStep?: (stepIndex: number, timestep: number, sample: Float32Array, predOriginal: Float32Array) => void;
}

/**
 * Samples [n, 3, 32, 32] guided towards class y; two model calls per step (UNet, classifier
 * gradient). The noise is the text-to-image widget's (./text-to-image.ts): at s = 0 a seed gives
 * the same images as that widget's unconditional (empty caption) run.
 */
export function sampleClassifierGuided(
  unet: ModelRunner,
  classifierGradient: ModelRunner,
  options: ClassifierRunOptions,
) {
  const epsilon = classifierGuidance(unet, classifierGradient, {
    y: options.y,
    scale: options.scale,
    alphasCumprod,
    nullTokens: nullTokens(),
    itemShape: IMAGE_SHAPE,
  });
  return runGuided(epsilon, {
    sampler: options.sampler,
    steps: options.steps,
    seed: options.seed,
    length: options.samples * IMAGE_SIZE,
    clipSample: true,
    noise: {
      initial: initialNoise(options.seed, options.samples),
      step: (k) => stepNoise(options.seed, options.samples, k),
    },
    signal: options.signal,
    onStep: options.onStep,
  });
}

export interface ClassVerdict {
  /** p_φ(y | x, t = 0) of the target class. */
  probability: number;
  /** The class the classifier finds most likely, and its probability. */
  top: number;
  topProbability: number;
}

/** Softmax of each row of logits [n, classes] → the target's probability and the arg-max class. */
export function verdictsFromLogits(logits: Float32Array, n: number, y: number): ClassVerdict[] {
  const classes = logits.length / n;
  if (!Number.isInteger(classes) || y < 0 || y >= classes)
    throw new Error(`Logits of ${logits.length} values do not hold ${n} rows with class ${y}.`);
  const verdicts: ClassVerdict[] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    let top = 0;
    for (let k = 0; k < classes; k++) {
      sum += Math.exp(row[k]! - max);
      if (row[k]! > row[top]!) top = k;
    }
    verdicts.push({ probability: Math.exp(row[y]! - max) / sum, top, topProbability: Math.exp(row[top]! - max) / sum });
  }
  return verdicts;
}

/** The classifier's view of finished samples (t = 0), through the gradient graph's `logits` output. */
export async function classifierVerdicts(
  classifierGradient: ModelRunner,
  samples: Float32Array,
  y: number,
): Promise<ClassVerdict[]> {
  const n = samples.length / IMAGE_SIZE;
  const out = await classifierGradient({
    x: { dtype: 'float32', data: samples, dims: [n, ...IMAGE_SHAPE] },
    t: { dtype: 'float32', data: new Float32Array(n), dims: [n] },
    y: { dtype: 'int32', data: new Int32Array(n).fill(y), dims: [n] },
  });
  const logits = out.logits;
  if (!logits || logits.dtype !== 'float32') throw new Error('The classifier returned no float32 "logits".');
  return verdictsFromLogits(logits.data as Float32Array, n, y);
}
