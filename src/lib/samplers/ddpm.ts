/**
 * Ancestral DDPM sampling (Ho et al. 2020, Algorithm 2), with the semantics of diffusers'
 * DDPMScheduler: x̂₀ from the model output, optional clip/threshold, then the posterior mean
 * μ̃(x_t, x̂₀) (eq. 7) plus σ_t z. Fewer inference steps use the strided posterior with
 * β = 1 − ᾱ_t/ᾱ_prev.
 */
import { SCHEDULE_OPTION_KEYS } from '../schedules.ts';
import { assertInteger, assertKnownKeys, assertOneOf } from '../options.ts';
import { ANY_SAMPLER_OPTION_KEYS, checkStepArrays, processX0, pyIndex, X0_PROCESSING_OPTION_KEYS } from './common.ts';
import { DiscreteTimestepSampler, type DiscreteSamplerOptions } from './discrete-base.ts';
import type { Sampler, StepResult } from './types.ts';

/**
 * diffusers `variance_type`: 'fixed_small' is σ_t² = β̃_t (the posterior variance), 'fixed_large'
 * is σ_t² = β_t (Ho et al. 2020, §3.2, both give similar results); 'fixed_small_log' is
 * fixed_small computed through exp(½ log β̃). (diffusers' 'fixed_large_log' is omitted: its step
 * takes the square root of a log-variance, which is NaN.)
 */
export const DDPM_VARIANCE_TYPES = ['fixed_small', 'fixed_small_log', 'fixed_large'] as const;
export type DDPMVarianceType = (typeof DDPM_VARIANCE_TYPES)[number];

export interface DDPMOptions extends DiscreteSamplerOptions {
  varianceType?: DDPMVarianceType;
}

export const DDPM_OPTION_KEYS = [
  ...SCHEDULE_OPTION_KEYS,
  ...X0_PROCESSING_OPTION_KEYS,
  'varianceType',
  'predictionType',
  'timestepSpacing',
  'stepsOffset',
] as const;

/** Smallest posterior variance, as in diffusers (keeps log β̃ finite at the last step). */
const MIN_VARIANCE = 1e-20;

export class DDPMSampler extends DiscreteTimestepSampler implements Sampler {
  readonly varianceType: DDPMVarianceType;

  constructor(options: DDPMOptions = {}) {
    assertKnownKeys('DDPM', options, DDPM_OPTION_KEYS, ANY_SAMPLER_OPTION_KEYS);
    super(options);
    this.varianceType = assertOneOf('varianceType', options.varianceType ?? 'fixed_small', DDPM_VARIANCE_TYPES);
  }

  /** diffusers `previous_timestep`: t − ⌊T/n⌋ (may be negative: then the target is clean data, ᾱ = 1). */
  previousTimestep(timestep: number): number {
    const n = this.numInferenceSteps ?? this.schedule.numTrainTimesteps;
    return timestep - Math.floor(this.schedule.numTrainTimesteps / n);
  }

  /** Standard deviation σ_t of the noise added when stepping from `timestep` (diffusers `_get_variance`, then √). */
  noiseStd(timestep: number): number {
    const { alphaBar, alphaBarPrev } = this.alphaBars(timestep);
    const beta = 1 - alphaBar / alphaBarPrev;
    const posteriorVariance = Math.max(((1 - alphaBarPrev) / (1 - alphaBar)) * beta, MIN_VARIANCE);
    switch (this.varianceType) {
      case 'fixed_small':
        return Math.sqrt(posteriorVariance);
      case 'fixed_small_log':
        return Math.exp(0.5 * Math.log(posteriorVariance));
      case 'fixed_large':
        return Math.sqrt(beta);
    }
  }

  private alphaBars(timestep: number): { alphaBar: number; alphaBarPrev: number } {
    const count = this.schedule.numTrainTimesteps;
    assertInteger('timestep', timestep, -count, count - 1);
    const prev = this.previousTimestep(timestep);
    // Python indexing: the −1 that 'trailing' can produce (see timesteps.ts) wraps like in diffusers.
    return {
      alphaBar: pyIndex(this.schedule.alphasCumprod, timestep),
      alphaBarPrev: prev >= 0 ? this.schedule.alphasCumprod[prev]! : 1,
    };
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: Float32Array): StepResult {
    checkStepArrays('DDPM', modelOutput, sample, noise);
    const { alphaBar, alphaBarPrev } = this.alphaBars(timestep);
    const betaProd = 1 - alphaBar;
    const betaProdPrev = 1 - alphaBarPrev;
    const currentAlpha = alphaBar / alphaBarPrev;
    const currentBeta = 1 - currentAlpha;
    const sqrtAlphaBar = Math.sqrt(alphaBar);
    const sqrtBetaProd = Math.sqrt(betaProd);

    // 1. x̂₀ from the model output (Ho et al. 2020, eq. 15; Salimans & Ho 2022 for v).
    const length = sample.length;
    const x0 = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const out = modelOutput[i]!;
      const xt = sample[i]!;
      x0[i] =
        this.predictionType === 'epsilon'
          ? (xt - sqrtBetaProd * out) / sqrtAlphaBar
          : this.predictionType === 'sample'
            ? out
            : sqrtAlphaBar * xt - sqrtBetaProd * out;
    }
    // 2. Clip or dynamically threshold x̂₀.
    processX0(x0, this.x0Processing);

    // 3. Posterior mean μ̃(x_t, x̂₀) (Ho et al. 2020, eq. 7).
    const x0Coef = (Math.sqrt(alphaBarPrev) * currentBeta) / betaProd;
    const xtCoef = (Math.sqrt(currentAlpha) * betaProdPrev) / betaProd;

    // 4. Add σ_t z for t > 0 (Algorithm 2, line 4: z = 0 at the last step).
    const addNoise = timestep > 0;
    if (addNoise && noise === undefined)
      throw new Error(`DDPM.step at timestep ${timestep} needs a standard-normal noise array.`);
    const std = addNoise ? this.noiseStd(timestep) : 0;
    const prev = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      prev[i] = x0Coef * x0[i]! + xtCoef * sample[i]! + (addNoise ? std * noise![i]! : 0);
    }
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
