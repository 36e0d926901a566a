/**
 * DDIM sampling (Song et al. 2021, eq. 12) with σ_t(η) from eq. 16, following diffusers'
 * DDIMScheduler: η = 0 is the deterministic DDIM ODE sampler, η = 1 matches DDPM's posterior
 * variance on the same (strided) timesteps.
 */
import { createSchedule, pickScheduleOptions, SCHEDULE_OPTION_KEYS, type NoiseSchedule, type ScheduleOptions } from '../schedules.ts';
import { predictionToX0AndEpsilon, PREDICTION_TYPES, type PredictionType } from '../diffusion.ts';
import { assertBoolean, assertInteger, assertKnownKeys, assertNumberInRange, assertOneOf } from '../options.ts';
import { ANY_SAMPLER_OPTION_KEYS, checkStepArrays, processX0, pyIndex, resolveX0Processing, X0_PROCESSING_OPTION_KEYS, type ResolvedX0Processing, type X0ProcessingOptions } from './common.ts';
import { discreteTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timesteps.ts';
import type { Sampler, StepResult } from './types.ts';

export interface DDIMOptions extends ScheduleOptions, X0ProcessingOptions {
  /** η of Song et al. 2021, eq. 16 (diffusers passes it to `step`; here it is fixed per sampler). Default 0. */
  eta?: number;
  /** ᾱ used after the last step: 1 (clean data) if true, else ᾱ at index 0 (diffusers `set_alpha_to_one`, default true). */
  setAlphaToOne?: boolean;
  predictionType?: PredictionType;
  /** Default 'leading' (diffusers DDIMScheduler). */
  timestepSpacing?: TimestepSpacing;
  /** Added to 'leading' timesteps (Stable Diffusion uses 1). Default 0. */
  stepsOffset?: number;
  /** Recompute ε̂ from the clipped x̂₀ (diffusers `use_clipped_model_output`). Default false. */
  useClippedModelOutput?: boolean;
}

export const DDIM_OPTION_KEYS = [
  ...SCHEDULE_OPTION_KEYS,
  ...X0_PROCESSING_OPTION_KEYS,
  'eta',
  'setAlphaToOne',
  'predictionType',
  'timestepSpacing',
  'stepsOffset',
  'useClippedModelOutput',
] as const;

export class DDIMSampler implements Sampler {
  readonly schedule: NoiseSchedule;
  readonly eta: number;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly useClippedModelOutput: boolean;
  readonly x0Processing: ResolvedX0Processing;
  /** ᾱ when the previous timestep is below 0. */
  readonly finalAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  private currentTimesteps: number[];
  private numInferenceSteps: number | undefined;

  constructor(options: DDIMOptions = {}) {
    assertKnownKeys('DDIM', options, DDIM_OPTION_KEYS, ANY_SAMPLER_OPTION_KEYS);
    const { eta, setAlphaToOne, predictionType, timestepSpacing, stepsOffset, useClippedModelOutput, clipSample, clipSampleRange, thresholding, dynamicThresholdingRatio, sampleMaxValue, sampleSize } = options;
    this.schedule = createSchedule(pickScheduleOptions(options));
    this.eta = assertNumberInRange('eta', eta ?? 0, 0, Infinity);
    this.predictionType = assertOneOf('predictionType', predictionType ?? 'epsilon', PREDICTION_TYPES);
    this.timestepSpacing = assertOneOf('timestepSpacing', timestepSpacing ?? 'leading', TIMESTEP_SPACINGS);
    this.stepsOffset = assertInteger('stepsOffset', stepsOffset ?? 0, 0, this.schedule.numTrainTimesteps - 1);
    this.useClippedModelOutput = assertBoolean('useClippedModelOutput', useClippedModelOutput ?? false);
    this.x0Processing = resolveX0Processing({ clipSample, clipSampleRange, thresholding, dynamicThresholdingRatio, sampleMaxValue, sampleSize });
    this.finalAlphaCumprod = assertBoolean('setAlphaToOne', setAlphaToOne ?? true) ? 1 : this.schedule.alphasCumprod[0]!;
    this.currentTimesteps = Array.from({ length: this.schedule.numTrainTimesteps }, (_, i) => this.schedule.numTrainTimesteps - 1 - i);
  }

  get timesteps(): readonly number[] {
    return this.currentTimesteps;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.currentTimesteps = discreteTimesteps(this.schedule.numTrainTimesteps, numInferenceSteps, this.timestepSpacing, this.stepsOffset);
    this.numInferenceSteps = numInferenceSteps;
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** diffusers: prev = t − ⌊T/n⌋ for every spacing. */
  previousTimestep(timestep: number): number {
    if (this.numInferenceSteps === undefined) throw new Error("DDIM: call setTimesteps(n) before step (as diffusers requires).");
    return timestep - Math.floor(this.schedule.numTrainTimesteps / this.numInferenceSteps);
  }

  /** σ_t(η)² / η² = (1−ᾱ_prev)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_prev) (Song et al. 2021, eq. 16). */
  variance(timestep: number): number {
    const { alphaBar, alphaBarPrev } = this.alphaBars(timestep);
    return ((1 - alphaBarPrev) / (1 - alphaBar)) * (1 - alphaBar / alphaBarPrev);
  }

  private alphaBars(timestep: number): { alphaBar: number; alphaBarPrev: number } {
    const prev = this.previousTimestep(timestep);
    // Python indexing: the −1 that 'trailing' can produce (see timesteps.ts) wraps like in diffusers.
    return {
      alphaBar: pyIndex(this.schedule.alphasCumprod, timestep),
      alphaBarPrev: prev >= 0 ? this.schedule.alphasCumprod[prev]! : this.finalAlphaCumprod,
    };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: Float32Array): StepResult {
    checkStepArrays('DDIM', modelOutput, sample, noise);
    const { alphaBar, alphaBarPrev } = this.alphaBars(timestep);
    const a = Math.sqrt(alphaBar);
    const b = Math.sqrt(1 - alphaBar);
    const length = sample.length;

    // x̂₀ and ε̂ from the model output ("predicted x₀" of eq. 12).
    const { x0, epsilon: eps } = predictionToX0AndEpsilon(this.predictionType, modelOutput, sample, alphaBar);
    processX0(x0, this.x0Processing);
    if (this.useClippedModelOutput) {
      for (let i = 0; i < length; i++) eps[i] = (sample[i]! - a * x0[i]!) / b;
    }

    // eq. 12: x_prev = √ᾱ_prev x̂₀ + √(1 − ᾱ_prev − σ_t²) ε̂ + σ_t z, with σ_t = η·√variance (eq. 16).
    const std = this.eta * Math.sqrt(this.variance(timestep));
    const stochastic = this.eta > 0;
    if (stochastic && noise === undefined) throw new Error('DDIM.step with eta > 0 needs a standard-normal noise array.');
    const x0Coef = Math.sqrt(alphaBarPrev);
    const directionCoef = Math.sqrt(1 - alphaBarPrev - std * std);
    const prev = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      prev[i] = x0Coef * x0[i]! + directionCoef * eps[i]! + (stochastic ? std * noise![i]! : 0);
    }
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
