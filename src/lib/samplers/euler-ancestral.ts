/**
 * Euler ancestral sampling (the ancestral variant of Karras et al. 2022's Euler sampler, as in
 * k-diffusion / diffusers' EulerAncestralDiscreteScheduler): each step goes deterministically
 * down to σ_down and then adds fresh noise of size σ_up, where σ_up² + σ_down² = σ_next² and
 * σ_up² = σ_next²(σ² − σ_next²)/σ² (the DDPM posterior variance in the σ parameterisation).
 */
import type { PredictionType } from '../diffusion.ts';
import { assertKnownKeys, assertOneOf } from '../options.ts';
import { ANY_SAMPLER_OPTION_KEYS, checkStepArrays } from './common.ts';
import { EULER_BASE_OPTION_KEYS, EulerBase, type EulerBaseOptions } from './euler-base.ts';
import type { Sampler, StepResult } from './types.ts';

/** diffusers raises NotImplementedError for prediction_type 'sample' here. */
export const EULER_ANCESTRAL_PREDICTION_TYPES = [
  'epsilon',
  'v_prediction',
] as const satisfies readonly PredictionType[];
export type EulerAncestralPredictionType = (typeof EULER_ANCESTRAL_PREDICTION_TYPES)[number];

export interface EulerAncestralOptions extends EulerBaseOptions {
  predictionType?: EulerAncestralPredictionType;
}

export const EULER_ANCESTRAL_OPTION_KEYS = [...EULER_BASE_OPTION_KEYS, 'predictionType'] as const;

/** σ_up and σ_down for a step from σ to σ_next. */
export function ancestralSigmas(sigma: number, sigmaNext: number): { sigmaUp: number; sigmaDown: number } {
  const sigmaUp = Math.sqrt((sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext)) / (sigma * sigma));
  const sigmaDown = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
  return { sigmaUp, sigmaDown };
}

export class EulerAncestralSampler extends EulerBase implements Sampler {
  readonly predictionType: EulerAncestralPredictionType;

  constructor(options: EulerAncestralOptions = {}) {
    assertKnownKeys('Euler ancestral', options, EULER_ANCESTRAL_OPTION_KEYS, ANY_SAMPLER_OPTION_KEYS);
    const { predictionType, ...baseOptions } = options;
    super(baseOptions);
    this.predictionType = assertOneOf('predictionType', predictionType ?? 'epsilon', EULER_ANCESTRAL_PREDICTION_TYPES);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: Float32Array): StepResult {
    checkStepArrays('EulerAncestral', modelOutput, sample, noise);
    const index = this.sigmaIndexFor(timestep);
    const sigma = this.currentSigmas[index]!;
    const { sigmaUp, sigmaDown } = ancestralSigmas(sigma, this.currentSigmas[index + 1]!);
    if (sigmaUp > 0 && noise === undefined) throw new Error('EulerAncestral.step needs a standard-normal noise array.');
    const length = sample.length;
    const x0 = new Float32Array(length);
    const prev = new Float32Array(length);
    const vSkip = 1 / (sigma * sigma + 1);
    const vOut = -sigma / Math.sqrt(sigma * sigma + 1);
    const dt = sigmaDown - sigma;
    for (let i = 0; i < length; i++) {
      const x = sample[i]!;
      const out = modelOutput[i]!;
      const denoised = Math.fround(this.predictionType === 'epsilon' ? x - sigma * out : out * vOut + x * vSkip);
      x0[i] = denoised;
      const deterministic = x + ((x - denoised) / sigma) * dt;
      prev[i] = sigmaUp > 0 ? deterministic + noise![i]! * sigmaUp : deterministic;
    }
    this.stepIndex = index + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
