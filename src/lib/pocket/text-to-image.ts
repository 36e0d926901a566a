/**
 * Text → image with the pocket UNet, one step at a time: caption → tokens, classifier-free guided
 * DDPM or DDIM sampling of n images at once (one UNet call per step on the batch [x with the
 * caption; x with the null caption]), every step's x_t and x̂₀ kept for scrubbing, and branching:
 * continue the same run from step k with another guidance weight or caption, with the same noise.
 *
 * Pure TypeScript: the model is a `ModelRunner` (the runtime worker in the browser, ORT in Node).
 * Deterministic: all noise comes from src/lib/rng.ts and is a function of (seed, sample, step) only,
 * so sample i is the same whatever the number of samples, and a branch sees the original's noise.
 */
import { createRng, deriveSeed } from '../rng.ts';
import { isStochastic, type Sampler } from '../samplers/index.ts';
import { createPocketSampler, POCKET_SAMPLERS, type PocketSamplerName } from './sampler-config.ts';
import { nullCaptionTokens } from './fixtures.ts';
import { classifierFreeGuidance, type GuidedEpsilon, type ModelRunner } from './guided-sampling.ts';
import { encodeCaption, parseCaption, type CaptionError } from '../shapes-world/caption.ts';

export const IMAGE_CHANNELS = 3;
export const IMAGE_SIZE = 32;
/** Values per image: 3 × 32 × 32, the UNet's `x` without the batch axis. */
export const IMAGE_LENGTH = IMAGE_CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
export const ITEM_SHAPE = [IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE] as const;

export const TEXT_TO_IMAGE_SAMPLERS = POCKET_SAMPLERS;
export type TextToImageSamplerName = PocketSamplerName;

/**
 * The sampler the UNet was exported and checked with (./sampler-config.ts, the golden file's
 * `sampler`; models/train/README.md, "Reference sampler"): diffusers' linear schedule, 'leading'
 * spacing, no offset, x̂₀ clipped to [−1, 1] (DDIM then recomputes ε̂ from the clipped x̂₀), ᾱ = 1
 * after the last step. DDIM is deterministic (η = 0); DDPM uses the posterior variance β̃.
 */
export function createTextToImageSampler(name: TextToImageSamplerName, steps: number): Sampler {
  return createPocketSampler(name, steps, { clipSample: true });
}

export interface TextToImageSettings {
  /** A shapes-world caption; '' (or only spaces) means the unconditional model ε(x, ∅). */
  caption: string;
  /** Ho & Salimans' w: ε̃ = (1 + w)·ε(x, c) − w·ε(x). Ignored for the empty caption. */
  weight: number;
  sampler: TextToImageSamplerName;
  steps: number;
  seed: number;
  /** Images sampled together (the widget offers 1, 4 or 9). */
  samples: number;
}

export type CaptionCondition =
  | { ok: true; unconditional: true; caption: ''; tokens: Int32Array }
  | { ok: true; unconditional: false; caption: string; tokens: Int32Array }
  | { ok: false; error: CaptionError };

/** The caption as the UNet sees it: 16 tokens, or the null caption when empty; or why it cannot be used. */
export function captionCondition(text: string): CaptionCondition {
  if (text.trim() === '') return { ok: true, unconditional: true, caption: '', tokens: nullCaptionTokens() };
  const parsed = parseCaption(text);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, unconditional: false, caption: parsed.caption, tokens: encodeCaption(parsed.caption) };
}

function sampleStream(seed: number, sample: number, stream: number) {
  return createRng(deriveSeed(deriveSeed(seed, sample), stream));
}

/** x_T for `samples` images, batch-major: image i is stream 0 of sample i's generator. */
export function initialNoise(seed: number, samples: number): Float32Array {
  const out = new Float32Array(samples * IMAGE_LENGTH);
  for (let i = 0; i < samples; i++)
    sampleStream(seed, i, 0).fillNormal(out.subarray(i * IMAGE_LENGTH, (i + 1) * IMAGE_LENGTH));
  return out;
}

/** The z of step `stepIndex` (0-based, in the order visited) for `samples` images: stream stepIndex + 1. */
export function stepNoise(seed: number, samples: number, stepIndex: number): Float32Array {
  const out = new Float32Array(samples * IMAGE_LENGTH);
  for (let i = 0; i < samples; i++)
    sampleStream(seed, i, stepIndex + 1).fillNormal(out.subarray(i * IMAGE_LENGTH, (i + 1) * IMAGE_LENGTH));
  return out;
}

/** The guided ε̃ for a caption: one UNet call on [x, c; x, ∅] (batch 2n), or ε(x, ∅) on batch n when unconditional. */
export function textGuidedEpsilon(
  model: ModelRunner,
  condition: Extract<CaptionCondition, { ok: true }>,
  weight: number,
): GuidedEpsilon {
  if (!condition.unconditional) {
    return classifierFreeGuidance(model, {
      itemShape: ITEM_SHAPE,
      conditionInput: 'tokens',
      condition: condition.tokens,
      nullCondition: nullCaptionTokens(),
      weight,
    });
  }
  return async (sample, timestep) => {
    const n = sample.length / IMAGE_LENGTH;
    const tokens = new Int32Array(n * condition.tokens.length);
    for (let i = 0; i < n; i++) tokens.set(condition.tokens, i * condition.tokens.length);
    const outputs = await model({
      x: { dtype: 'float32', data: sample, dims: [n, ...ITEM_SHAPE] },
      t: { dtype: 'float32', data: new Float32Array(n).fill(timestep), dims: [n] },
      tokens: { dtype: 'int32', data: tokens, dims: [n, condition.tokens.length] },
    });
    const eps = outputs.eps;
    if (eps === undefined || eps.dtype !== 'float32' || eps.data.length !== sample.length)
      throw new Error('The UNet returned no float32 "eps" of the sample\'s size.');
    return eps.data as Float32Array;
  };
}

export interface StepTiming {
  /** Wall time of the UNet call (including the trip to the worker, in the browser), ms. */
  modelMs: number;
  /** Wall time of the whole step: model, guidance arithmetic, sampler update, noise, ms. */
  totalMs: number;
}

export interface BranchChanges {
  caption?: string;
  weight?: number;
}

export class CaptionRejected extends Error {
  readonly error: CaptionError;
  constructor(error: CaptionError) {
    super(error.message);
    this.error = error;
    this.name = 'CaptionRejected';
  }
}

/**
 * One sampling run (or a branch of one). `states[j]` is x after j steps (states[0] = x_T,
 * states[steps] = the images); `predictions[j]` is x̂₀ predicted from states[j] at timesteps[j].
 * A branch shares its parent's arrays up to its branch step (the same objects, not copies).
 */
export class TextToImageRun {
  readonly settings: Readonly<TextToImageSettings>;
  readonly condition: Extract<CaptionCondition, { ok: true }>;
  /** Training timesteps visited, step 0 first. */
  readonly timesteps: readonly number[];
  /** Step at which this run left its parent (0 for a fresh run). */
  readonly branchStep: number;
  readonly states: Float32Array[];
  readonly predictions: Float32Array[];
  /** Timing of each step this run computed itself (index = step index; shared steps are undefined). */
  readonly timings: (StepTiming | undefined)[];
  private readonly sampler: Sampler;
  private readonly epsilon: GuidedEpsilon;
  private readonly stochastic: boolean;
  private readonly model: ModelRunner;
  private busy = false;
  private lastModelMs = 0;
  /** UNet calls this run made itself (one per step it computed). */
  modelCalls = 0;
  /** Images the UNet evaluated in those calls: 2n per guided step, n per unconditional one. */
  imageEvaluations = 0;

  constructor(model: ModelRunner, settings: TextToImageSettings, from?: { parent: TextToImageRun; step: number }) {
    this.model = model;
    const { steps, samples, weight, seed } = settings;
    if (!Number.isInteger(steps) || steps < 1 || steps > 1000)
      throw new RangeError(`Steps must be an integer in 1…1000, got ${steps}.`);
    if (!Number.isInteger(samples) || samples < 1)
      throw new RangeError(`Samples must be a positive integer, got ${samples}.`);
    if (!Number.isFinite(weight)) throw new RangeError(`The guidance weight must be finite, got ${weight}.`);
    if (!Number.isFinite(seed)) throw new RangeError(`The seed must be finite, got ${seed}.`);
    const condition = captionCondition(settings.caption);
    if (!condition.ok) throw new CaptionRejected(condition.error);
    this.condition = condition;
    this.settings = Object.freeze({ ...settings, caption: condition.caption });
    this.sampler = createTextToImageSampler(settings.sampler, steps);
    this.stochastic = isStochastic(this.sampler);
    this.timesteps = [...this.sampler.timesteps];
    this.epsilon = textGuidedEpsilon(this.timedModel(), condition, weight);
    if (from === undefined) {
      this.branchStep = 0;
      this.states = [initialNoise(seed, samples)];
      this.predictions = [];
      this.timings = [];
    } else {
      const { parent, step } = from;
      if (!Number.isInteger(step) || step < 0 || step > parent.stepsDone)
        throw new RangeError(`Can branch only at a computed step (0…${parent.stepsDone}), got ${step}.`);
      this.branchStep = step;
      this.states = parent.states.slice(0, step + 1);
      this.predictions = parent.predictions.slice(0, step);
      this.timings = new Array<StepTiming | undefined>(step);
    }
  }

  private timedModel(): ModelRunner {
    return async (feeds) => {
      const start = performance.now();
      this.modelCalls++;
      this.imageEvaluations += feeds.x?.dims[0] ?? 0;
      try {
        return await this.model(feeds);
      } finally {
        this.lastModelMs = performance.now() - start;
      }
    };
  }

  get totalSteps(): number {
    return this.timesteps.length;
  }

  get stepsDone(): number {
    return this.states.length - 1;
  }

  get done(): boolean {
    return this.stepsDone >= this.totalSteps;
  }

  /** The current images (x after the steps done so far). */
  get latest(): Float32Array {
    return this.states[this.states.length - 1]!;
  }

  /** A new run that shares this one's first `step` steps and continues with other settings. */
  branch(step: number, changes: BranchChanges): TextToImageRun {
    return new TextToImageRun(this.model, { ...this.settings, ...changes }, { parent: this, step });
  }

  /** Takes the next step; resolves with its timing. Steps must not overlap. */
  async advance(): Promise<StepTiming> {
    if (this.done) throw new Error('This run has finished.');
    if (this.busy) throw new Error('A step is already running.');
    this.busy = true;
    try {
      const start = performance.now();
      const stepIndex = this.stepsDone;
      const timestep = this.timesteps[stepIndex]!;
      const sample = this.latest;
      const eps = await this.epsilon(this.sampler.scaleModelInput(sample, timestep), timestep);
      const noise = this.stochastic ? stepNoise(this.settings.seed, this.settings.samples, stepIndex) : undefined;
      const { prevSample, predOriginalSample } = this.sampler.step(eps, timestep, sample, noise);
      this.states.push(prevSample);
      this.predictions.push(predOriginalSample);
      const timing = { modelMs: this.lastModelMs, totalMs: performance.now() - start };
      this.timings[stepIndex] = timing;
      return timing;
    } finally {
      this.busy = false;
    }
  }

  /** Steps until done or until `keepGoing` returns false (checked before every step). */
  async runToEnd(keepGoing: () => boolean = () => true): Promise<void> {
    while (!this.done && keepGoing()) await this.advance();
  }

  /** Image `index` of x after `step` steps (a view, not a copy). */
  stateImage(step: number, index: number): Float32Array {
    return imageOf(this.states[step], index, 'step', step);
  }

  /** Image `index` of x̂₀ predicted at step `step` (a view). */
  predictionImage(step: number, index: number): Float32Array {
    return imageOf(this.predictions[step], index, 'prediction', step);
  }
}

function imageOf(batch: Float32Array | undefined, index: number, what: string, step: number): Float32Array {
  if (batch === undefined) throw new RangeError(`No ${what} for step ${step} yet.`);
  if (!Number.isInteger(index) || index < 0 || (index + 1) * IMAGE_LENGTH > batch.length)
    throw new RangeError(`No image ${index} in this batch.`);
  return batch.subarray(index * IMAGE_LENGTH, (index + 1) * IMAGE_LENGTH);
}
