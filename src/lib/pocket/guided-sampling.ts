/**
 * Sampling with the pocket models: guided ε functions over an ONNX model (classifier-free guidance,
 * classifier guidance) and an async sampling loop around any src/lib sampler. Pure: the model is a
 * `run(feeds)` function (in practice src/lib/runtime/ort.ts's `run` bound to a session, in a worker
 * or in Node), so the widgets and the golden-file test take exactly this path.
 */
import { classifierGuidedEpsilon, guideWithWeight } from '../guidance.ts';
import type { TensorData } from '../runtime/ort.ts';
import type { Sampler } from '../samplers/types.ts';
import { roundHalfEven } from '../samplers/timesteps.ts';

/** One forward pass of an ONNX model: named inputs in, named outputs out. */
export type ModelRunner = (feeds: Record<string, TensorData>) => Promise<Record<string, TensorData>>;

/** The guided ε̃ for a batch of samples at one timestep (samples flat, batch-major). */
export type GuidedEpsilon = (sample: Float32Array, timestep: number) => Promise<Float32Array>;

function float32Output(outputs: Record<string, TensorData>, name: string, length: number): Float32Array {
  const output = outputs[name];
  if (output === undefined || output.dtype !== 'float32')
    throw new Error(`The model returned no float32 output "${name}".`);
  if (output.data.length !== length)
    throw new Error(`Output "${name}" holds ${output.data.length} values, expected ${length}.`);
  return output.data as Float32Array;
}

function itemSize(itemShape: readonly number[]): number {
  return itemShape.reduce((a, b) => a * b, 1);
}

function batchOf(sample: Float32Array, itemShape: readonly number[]): number {
  const size = itemSize(itemShape);
  if (sample.length === 0 || sample.length % size !== 0)
    throw new Error(`Sample length ${sample.length} is not a whole batch of [${itemShape.join(', ')}].`);
  return sample.length / size;
}

/** `rows` copies of `row`, one after another. */
function repeatRows(row: Int32Array, rows: number): Int32Array {
  const out = new Int32Array(rows * row.length);
  for (let r = 0; r < rows; r++) out.set(row, r * row.length);
  return out;
}

export interface ClassifierFreeGuidanceOptions {
  /** Shape of one sample: [3, 32, 32] for the UNet, [2] for the mixture MLP. */
  itemShape: readonly number[];
  /** Name of the conditioning input: 'tokens' (UNet) or 'label' (mixture MLP). */
  conditionInput: string;
  /**
   * One sample's condition and the null condition: 16 caption tokens (fed as [2n, 16]) or one class
   * label (fed as [2n]).
   */
  condition: Int32Array;
  nullCondition: Int32Array;
  /** Ho & Salimans' w: ε̃ = (1 + w)·ε(x, c) − w·ε(x); 0 = the plain conditional model. */
  weight: number;
}

/**
 * Classifier-free guidance (Ho & Salimans 2022, eq. 6) with one model call per step: the batch
 * [x₁…x_n with the condition; x₁…x_n with the null condition], split in two and combined.
 */
export function classifierFreeGuidance(model: ModelRunner, options: ClassifierFreeGuidanceOptions): GuidedEpsilon {
  const { itemShape, conditionInput, condition, nullCondition, weight } = options;
  if (condition.length !== nullCondition.length)
    throw new Error(`Condition length ${condition.length} ≠ null condition length ${nullCondition.length}.`);
  const conditionShape = condition.length === 1 ? [] : [condition.length];
  return async (sample, timestep) => {
    const n = batchOf(sample, itemShape);
    const both = new Float32Array(2 * sample.length);
    both.set(sample, 0);
    both.set(sample, sample.length);
    const conditions = new Int32Array(2 * n * condition.length);
    conditions.set(repeatRows(condition, n), 0);
    conditions.set(repeatRows(nullCondition, n), n * condition.length);
    const outputs = await model({
      x: { dtype: 'float32', data: both, dims: [2 * n, ...itemShape] },
      t: { dtype: 'float32', data: new Float32Array(2 * n).fill(timestep), dims: [2 * n] },
      [conditionInput]: { dtype: 'int32', data: conditions, dims: [2 * n, ...conditionShape] },
    });
    const eps = float32Output(outputs, 'eps', both.length);
    return guideWithWeight(eps.subarray(0, sample.length), eps.subarray(sample.length), weight);
  };
}

export interface ClassifierGuidanceOptions {
  /** The class y = colour index × 4 + shape index (models/train/README.md). */
  y: number;
  /** Dhariwal & Nichol's s. */
  scale: number;
  /** ᾱ of the sampler's schedule, indexed by timestep. */
  alphasCumprod: ArrayLike<number>;
  /** The null caption for ε(x, ∅): 16 PAD tokens. */
  nullTokens: Int32Array;
  itemShape?: readonly number[];
}

/**
 * Classifier guidance (Dhariwal & Nichol 2021, eq. 14): the UNet's unconditional ε(x, ∅) and the
 * noisy classifier's gradient graph ∇ₓ log p_φ(y | x_t, t), combined by `classifierGuidedEpsilon`.
 */
export function classifierGuidance(
  unet: ModelRunner,
  classifierGradient: ModelRunner,
  options: ClassifierGuidanceOptions,
): GuidedEpsilon {
  const { y, scale, alphasCumprod, nullTokens } = options;
  const itemShape = options.itemShape ?? [3, 32, 32];
  return async (sample, timestep) => {
    const n = batchOf(sample, itemShape);
    const x: TensorData = { dtype: 'float32', data: sample, dims: [n, ...itemShape] };
    const t: TensorData = { dtype: 'float32', data: new Float32Array(n).fill(timestep), dims: [n] };
    const eps = float32Output(
      await unet({ x, t, tokens: { dtype: 'int32', data: repeatRows(nullTokens, n), dims: [n, nullTokens.length] } }),
      'eps',
      sample.length,
    );
    const grad = float32Output(
      await classifierGradient({ x, t, y: { dtype: 'int32', data: new Int32Array(n).fill(y), dims: [n] } }),
      'grad',
      sample.length,
    );
    const alphaBar = alphasCumprod[timestep];
    if (alphaBar === undefined) throw new RangeError(`Timestep ${timestep} is outside the schedule.`);
    return classifierGuidedEpsilon(eps, grad, alphaBar, scale);
  };
}

export interface AsyncSamplingOptions {
  /** Standard-normal noise for step `stepIndex` (stochastic samplers only). */
  stepNoise?: (stepIndex: number, length: number) => Float32Array;
  /** Called after every step, e.g. to draw the intermediate sample or yield to the event loop. */
  onStep?: (progress: {
    stepIndex: number;
    timestep: number;
    sample: Float32Array;
    predOriginalSample: Float32Array;
  }) => void | Promise<void>;
}

/**
 * The sampling loop for an async model: x = initNoiseSigma·z, then for each of the sampler's
 * timesteps ε̃ = epsilon(scaleModelInput(x, t), t) → sampler.step. Call `sampler.setTimesteps(n)` first.
 */
export async function sampleAsync(
  sampler: Sampler,
  epsilon: GuidedEpsilon,
  initialNoise: Float32Array,
  options: AsyncSamplingOptions = {},
): Promise<Float32Array> {
  let sample: Float32Array = initialNoise.map((z) => z * sampler.initNoiseSigma);
  const timesteps = [...sampler.timesteps];
  for (let stepIndex = 0; stepIndex < timesteps.length; stepIndex++) {
    const timestep = timesteps[stepIndex]!;
    const output = await epsilon(sampler.scaleModelInput(sample, timestep), timestep);
    const result = sampler.step(output, timestep, sample, options.stepNoise?.(stepIndex, sample.length));
    sample = result.prevSample;
    await options.onStep?.({ stepIndex, timestep, sample, predOriginalSample: result.predOriginalSample });
  }
  return sample;
}

/**
 * Model space → 8-bit: round-half-even((clamp(x, −1, 1) + 1)·127.5), the inverse of x = v/127.5 − 1
 * and the same rounding as the Python export (torch.round). NaN becomes 0.
 */
export function modelOutputToBytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    bytes[i] = Number.isNaN(v) ? 0 : roundHalfEven((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
  }
  return bytes;
}
