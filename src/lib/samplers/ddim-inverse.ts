/**
 * DDIM inversion (η = 0): run the DDIM ODE (Song et al. 2021, eq. 12 with σ = 0; its ODE form is
 * eq. 13) from data towards noise, with diffusers' DDIMInverseScheduler semantics. Timesteps are
 * visited in ascending order; each step moves the sample from ᾱ at t − ⌊T/n⌋ (or ᾱ = 1 before
 * the first step when setAlphaToOne) to ᾱ_t. diffusers' inversion pipelines evaluate the model on
 * the current, less noisy sample but pass it the target timestep t: the standard inversion
 * approximation ε̂(x_{t−1}, t) ≈ ε̂(x_t, t), which is exact when ε̂ is constant along the path.
 */
import {
  createSchedule,
  pickScheduleOptions,
  SCHEDULE_OPTION_KEYS,
  type NoiseSchedule,
  type ScheduleOptions,
} from '../schedules.ts';
import { predictionToX0AndEpsilon, PREDICTION_TYPES, type PredictionType } from '../diffusion.ts';
import { assertBoolean, assertInteger, assertKnownKeys, assertNumberInRange, assertOneOf } from '../options.ts';
import { ANY_SAMPLER_OPTION_KEYS, checkStepArrays } from './common.ts';
import { INVERSE_TIMESTEP_SPACINGS, inverseTimesteps, type InverseTimestepSpacing } from './timesteps.ts';
import type { Sampler, StepResult } from './types.ts';

export interface DDIMInverseOptions extends ScheduleOptions {
  /** ᾱ before the first inversion step: 1 if true, else ᾱ at index 0 (diffusers `set_alpha_to_one`, default true). */
  setAlphaToOne?: boolean;
  predictionType?: PredictionType;
  /** Default 'leading'. 'linspace' is not supported (as in diffusers). */
  timestepSpacing?: InverseTimestepSpacing;
  stepsOffset?: number;
  /** Clip x̂₀ (diffusers `clip_sample`, default true) to ±clipSampleRange (default 1). */
  clipSample?: boolean;
  clipSampleRange?: number;
}

export const DDIM_INVERSE_OPTION_KEYS = [
  ...SCHEDULE_OPTION_KEYS,
  'setAlphaToOne',
  'predictionType',
  'timestepSpacing',
  'stepsOffset',
  'clipSample',
  'clipSampleRange',
] as const;

/**
 * Implements `Sampler`, except that `timesteps` ascend (inversion goes from data to noise) and
 * `step` returns the sample at the *next higher* noise level in `prevSample` (diffusers' name).
 */
export class DDIMInverseSampler implements Sampler {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: InverseTimestepSpacing;
  readonly stepsOffset: number;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly initialAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  private currentTimesteps: number[];
  private numInferenceSteps: number | undefined;

  constructor(options: DDIMInverseOptions = {}) {
    assertKnownKeys('DDIM inverse', options, DDIM_INVERSE_OPTION_KEYS, ANY_SAMPLER_OPTION_KEYS);
    const { setAlphaToOne, predictionType, timestepSpacing, stepsOffset, clipSample, clipSampleRange } = options;
    this.schedule = createSchedule(pickScheduleOptions(options));
    this.predictionType = assertOneOf('predictionType', predictionType ?? 'epsilon', PREDICTION_TYPES);
    this.timestepSpacing = assertOneOf('timestepSpacing', timestepSpacing ?? 'leading', INVERSE_TIMESTEP_SPACINGS);
    this.stepsOffset = assertInteger('stepsOffset', stepsOffset ?? 0, 0, this.schedule.numTrainTimesteps - 1);
    this.clipSample = assertBoolean('clipSample', clipSample ?? true);
    this.clipSampleRange = assertNumberInRange('clipSampleRange', clipSampleRange ?? 1, 0, Infinity, {
      minExclusive: true,
    });
    this.initialAlphaCumprod = assertBoolean('setAlphaToOne', setAlphaToOne ?? true)
      ? 1
      : this.schedule.alphasCumprod[0]!;
    this.currentTimesteps = Array.from({ length: this.schedule.numTrainTimesteps }, (_, i) => i);
  }

  get timesteps(): readonly number[] {
    return this.currentTimesteps;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.currentTimesteps = inverseTimesteps(
      this.schedule.numTrainTimesteps,
      numInferenceSteps,
      this.timestepSpacing,
      this.stepsOffset,
    );
    this.numInferenceSteps = numInferenceSteps;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** The timestep the sample is at before stepping to `timestep`: min(t − ⌊T/n⌋, T − 1) (negative = data). */
  sourceTimestep(timestep: number): number {
    if (this.numInferenceSteps === undefined) throw new Error('DDIM inverse: call setTimesteps(n) before step.');
    const count = this.schedule.numTrainTimesteps;
    return Math.min(timestep - Math.floor(count / this.numInferenceSteps), count - 1);
  }

  /**
   * `modelOutput` is the model evaluated at the *current* sample with timestep `timestep` (as in
   * diffusers' inversion pipelines).
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): StepResult {
    checkStepArrays('DDIMInverse', modelOutput, sample);
    const count = this.schedule.numTrainTimesteps;
    assertInteger('timestep', timestep, 0, count - 1);
    const source = this.sourceTimestep(timestep);
    const alphaBar = source >= 0 ? this.schedule.alphasCumprod[source]! : this.initialAlphaCumprod;
    const alphaBarNext = this.schedule.alphasCumprod[timestep]!;
    const length = sample.length;
    const { x0, epsilon: eps } = predictionToX0AndEpsilon(this.predictionType, modelOutput, sample, alphaBar);
    if (this.clipSample) {
      for (let i = 0; i < length; i++) x0[i] = Math.min(Math.max(x0[i]!, -this.clipSampleRange), this.clipSampleRange);
    }
    const x0Coef = Math.sqrt(alphaBarNext);
    const epsCoef = Math.sqrt(1 - alphaBarNext);
    const next = new Float32Array(length);
    for (let i = 0; i < length; i++) next[i] = x0Coef * x0[i]! + epsCoef * eps[i]!;
    return { prevSample: next, predOriginalSample: x0 };
  }
}

export interface InversionModelContext {
  /** Timestep the sample is actually at (negative: clean data). */
  sourceTimestep: number;
  /** ᾱ of the sample actually passed in (1 for clean data when setAlphaToOne). */
  sourceAlphaBar: number;
}

/**
 * Inverts clean data x₀ to x_T with DDIM (η = 0). `model(x, t, context)` returns the model output
 * for sample x; diffusers passes the target timestep t, and `context` tells an exact (analytic)
 * denoiser the noise level x is really at. Returns the final noisy sample (a DDIMSampler with the
 * same configuration and η = 0 maps it back).
 */
export function ddimInvert(
  model: (sample: Float32Array, timestep: number, context: InversionModelContext) => Float32Array,
  x0: Float32Array,
  numInferenceSteps: number,
  options: DDIMInverseOptions = {},
): Float32Array {
  const inverse = new DDIMInverseSampler(options);
  inverse.setTimesteps(numInferenceSteps);
  let sample = x0;
  for (const t of inverse.timesteps) {
    const sourceTimestep = inverse.sourceTimestep(t);
    const sourceAlphaBar =
      sourceTimestep >= 0 ? inverse.schedule.alphasCumprod[sourceTimestep]! : inverse.initialAlphaCumprod;
    sample = inverse.step(model(sample, t, { sourceTimestep, sourceAlphaBar }), t, sample).prevSample;
  }
  return sample;
}
