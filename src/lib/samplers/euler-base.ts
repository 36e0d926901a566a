/**
 * What diffusers' EulerDiscreteScheduler and EulerAncestralDiscreteScheduler share: the σ grid,
 * init_noise_sigma, scale_model_input and the step-index bookkeeping.
 *
 * Variance-exploding view (Karras et al. 2022, Table 1, "VP" column): x = x_t/√ᾱ_t has noise
 * level σ_t = √((1−ᾱ_t)/ᾱ_t), and the model (trained on x_t) gets x/√(σ²+1).
 */
import {
  createSchedule,
  pickScheduleOptions,
  SCHEDULE_OPTION_KEYS,
  type NoiseSchedule,
  type ScheduleOptions,
} from '../schedules.ts';
import { sigmaFromAlphaBar } from '../diffusion.ts';
import { assertInteger, assertOneOf } from '../options.ts';
import { eulerTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timesteps.ts';

export interface EulerBaseOptions extends ScheduleOptions {
  /** Default 'linspace' (diffusers Euler schedulers). */
  timestepSpacing?: TimestepSpacing;
  stepsOffset?: number;
}

export const FINAL_SIGMAS_TYPES = ['zero', 'sigma_min'] as const;
export type FinalSigmasType = (typeof FINAL_SIGMAS_TYPES)[number];

export const EULER_BASE_OPTION_KEYS = [...SCHEDULE_OPTION_KEYS, 'timestepSpacing', 'stepsOffset'] as const;

/** ᾱ_T used by diffusers' Euler schedulers under zero terminal SNR, so that σ_max stays finite. */
export const ZERO_SNR_TERMINAL_ALPHA_BAR = 2 ** -24;

/** Linear interpolation of `values` (defined at 0, 1, …) at `x`, clamped at the ends (numpy `interp`). */
export function interpolateAtIndex(values: ArrayLike<number>, x: number): number {
  const last = values.length - 1;
  if (x <= 0) return values[0]!;
  if (x >= last) return values[last]!;
  const lower = Math.floor(x);
  const fraction = x - lower;
  return values[lower]! + fraction * (values[lower + 1]! - values[lower]!);
}

export abstract class EulerBase {
  readonly schedule: NoiseSchedule;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
  /** σ at every training timestep, index = timestep (float64). */
  readonly trainingSigmas: Float64Array;
  protected currentTimesteps: number[] = [];
  /** σ for each visited timestep, then the final σ (0 by default); float32 values as in diffusers. */
  protected currentSigmas: number[] = [];
  protected stepIndex: number | undefined;

  /** σ appended after the last timestep: 0 ('zero') or σ at timestep 0 ('sigma_min'). */
  readonly finalSigmasType: FinalSigmasType;

  protected constructor(options: EulerBaseOptions, finalSigmasType: FinalSigmasType = 'zero') {
    const { timestepSpacing, stepsOffset } = options;
    this.schedule = createSchedule(pickScheduleOptions(options));
    this.timestepSpacing = assertOneOf('timestepSpacing', timestepSpacing ?? 'linspace', TIMESTEP_SPACINGS);
    this.stepsOffset = assertInteger('stepsOffset', stepsOffset ?? 0, 0, this.schedule.numTrainTimesteps - 1);
    this.finalSigmasType = assertOneOf('finalSigmasType', finalSigmasType, FINAL_SIGMAS_TYPES);
    const alphaBars = Float64Array.from(this.schedule.alphasCumprod);
    if (this.schedule.config.rescaleBetasZeroSnr) alphaBars[alphaBars.length - 1] = ZERO_SNR_TERMINAL_ALPHA_BAR;
    this.trainingSigmas = alphaBars.map(sigmaFromAlphaBar);
    // Before setTimesteps, diffusers visits every training timestep.
    this.buildSigmas(eulerTimesteps(this.schedule.numTrainTimesteps, this.schedule.numTrainTimesteps, 'linspace'));
  }

  get timesteps(): readonly number[] {
    return this.currentTimesteps;
  }

  /** σ_0 > σ_1 > … > σ_n (= final σ), one more than the timesteps. */
  get sigmas(): readonly number[] {
    return this.currentSigmas;
  }

  /**
   * Standard deviation of x_T: σ_max for 'linspace'/'trailing', √(σ_max² + 1) for 'leading'
   * (diffusers' `init_noise_sigma`; with 'leading' the first timestep is below T−1).
   */
  get initNoiseSigma(): number {
    const maxSigma = Math.max(...this.currentSigmas);
    return this.timestepSpacing === 'leading' ? Math.sqrt(maxSigma * maxSigma + 1) : maxSigma;
  }

  /** Index of the next step (undefined until the first scaleModelInput/step). */
  get currentStepIndex(): number | undefined {
    return this.stepIndex;
  }

  protected buildSigmas(timesteps: number[]): void {
    this.currentTimesteps = timesteps;
    this.currentSigmas = [
      ...timesteps.map((t) => Math.fround(interpolateAtIndex(this.trainingSigmas, t))),
      this.finalSigmasType === 'zero' ? 0 : Math.fround(this.trainingSigmas[0]!),
    ];
    this.stepIndex = undefined;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.buildSigmas(
      eulerTimesteps(this.schedule.numTrainTimesteps, numInferenceSteps, this.timestepSpacing, this.stepsOffset),
    );
  }

  /** diffusers `index_for_timestep`: the first match, or the second if the timestep repeats. */
  protected initStepIndex(timestep: number): void {
    const matches: number[] = [];
    this.currentTimesteps.forEach((t, i) => {
      if (t === timestep) matches.push(i);
    });
    if (matches.length === 0) throw new Error(`Timestep ${timestep} is not one of this sampler's timesteps.`);
    this.stepIndex = matches[matches.length > 1 ? 1 : 0];
  }

  protected sigmaIndexFor(timestep: number): number {
    if (this.stepIndex === undefined) this.initStepIndex(timestep);
    return this.stepIndex!;
  }

  /** x/√(σ²+1): the VP-scaled input the ε-model was trained on (diffusers `scale_model_input`). */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array {
    const sigma = this.currentSigmas[this.sigmaIndexFor(timestep)]!;
    const divisor = Math.sqrt(sigma * sigma + 1);
    return sample.map((x) => x / divisor);
  }
}
