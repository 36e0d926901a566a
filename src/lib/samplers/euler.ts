/**
 * Euler's method on the probability-flow ODE dx/dσ = (x − D(x; σ))/σ (Karras et al. 2022,
 * Algorithm 1 with first-order steps; with sChurn > 0 the stochastic Algorithm 2 "churn"),
 * following diffusers' EulerDiscreteScheduler. The sample lives in the variance-exploding
 * parameterisation x = x_t/√ᾱ_t; x_T ~ N(0, initNoiseSigma²).
 */
import { PREDICTION_TYPES, type PredictionType } from '../diffusion.ts';
import { assertKnownKeys, assertNumberInRange, assertOneOf } from '../options.ts';
import { ANY_SAMPLER_OPTION_KEYS, checkStepArrays } from './common.ts';
import { EULER_BASE_OPTION_KEYS, EulerBase, type EulerBaseOptions, type FinalSigmasType } from './euler-base.ts';
import type { Sampler, StepResult } from './types.ts';

export const EULER_INTERPOLATION_TYPES = ['linear'] as const;
export type EulerInterpolationType = (typeof EULER_INTERPOLATION_TYPES)[number];

export interface EulerOptions extends EulerBaseOptions {
  predictionType?: PredictionType;
  /** How σ is interpolated between training timesteps (diffusers `interpolation_type`; only 'linear'). */
  interpolationType?: EulerInterpolationType;
  /** diffusers `final_sigmas_type`, default 'zero'. */
  finalSigmasType?: FinalSigmasType;
  /** Karras et al. 2022, Algorithm 2: S_churn (default 0 = deterministic), S_tmin, S_tmax, S_noise. */
  sChurn?: number;
  sTmin?: number;
  sTmax?: number;
  sNoise?: number;
}

export const EULER_OPTION_KEYS = [
  ...EULER_BASE_OPTION_KEYS,
  'predictionType',
  'interpolationType',
  'finalSigmasType',
  'sChurn',
  'sTmin',
  'sTmax',
  'sNoise',
] as const;

export class EulerSampler extends EulerBase implements Sampler {
  readonly predictionType: PredictionType;
  readonly interpolationType: EulerInterpolationType;
  readonly sChurn: number;
  readonly sTmin: number;
  readonly sTmax: number;
  readonly sNoise: number;

  constructor(options: EulerOptions = {}) {
    assertKnownKeys('Euler', options, EULER_OPTION_KEYS, ANY_SAMPLER_OPTION_KEYS);
    const { predictionType, interpolationType, finalSigmasType, sChurn, sTmin, sTmax, sNoise, ...baseOptions } =
      options;
    super(baseOptions, finalSigmasType ?? 'zero');
    this.predictionType = assertOneOf('predictionType', predictionType ?? 'epsilon', PREDICTION_TYPES);
    this.interpolationType = assertOneOf('interpolationType', interpolationType ?? 'linear', EULER_INTERPOLATION_TYPES);
    this.sChurn = assertNumberInRange('sChurn', sChurn ?? 0, 0, Infinity);
    this.sTmin = assertNumberInRange('sTmin', sTmin ?? 0, 0, Infinity);
    this.sTmax = assertNumberInRange('sTmax', sTmax ?? Infinity, 0, Infinity);
    this.sNoise = assertNumberInRange('sNoise', sNoise ?? 1, 0, Infinity);
  }

  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: Float32Array): StepResult {
    checkStepArrays('Euler', modelOutput, sample, noise);
    const index = this.sigmaIndexFor(timestep);
    const sigma = this.currentSigmas[index]!;
    const sigmaNext = this.currentSigmas[index + 1]!;
    // Algorithm 2, line 4: γ = min(S_churn/N, √2 − 1) inside [S_tmin, S_tmax] (diffusers: N = len(sigmas) − 1).
    const gamma =
      this.sTmin <= sigma && sigma <= this.sTmax
        ? Math.min(this.sChurn / (this.currentSigmas.length - 1), Math.SQRT2 - 1)
        : 0;
    const sigmaHat = sigma * (gamma + 1);
    const length = sample.length;
    const churned = new Float32Array(sample);
    if (gamma > 0) {
      if (noise === undefined) throw new Error('Euler.step with sChurn > 0 needs a standard-normal noise array.');
      const extra = Math.sqrt(sigmaHat * sigmaHat - sigma * sigma);
      for (let i = 0; i < length; i++) churned[i] = churned[i]! + noise[i]! * this.sNoise * extra;
    }
    const x0 = new Float32Array(length);
    const prev = new Float32Array(length);
    const vSkip = 1 / (sigma * sigma + 1);
    const vOut = -sigma / Math.sqrt(sigma * sigma + 1);
    const dt = sigmaNext - sigmaHat;
    for (let i = 0; i < length; i++) {
      const x = churned[i]!;
      const out = modelOutput[i]!;
      // Denoised estimate D(x; σ̂) (Karras et al. 2022, Table 1 preconditioning for ε / v / x₀ models).
      const denoised =
        this.predictionType === 'epsilon'
          ? x - sigmaHat * out
          : this.predictionType === 'sample'
            ? out
            : out * vOut + x * vSkip;
      x0[i] = denoised;
      // Algorithm 1, lines 4–5: d = (x − D)/σ̂, x_next = x + (σ_next − σ̂)·d.
      prev[i] = x + ((x - Math.fround(denoised)) / sigmaHat) * dt;
    }
    this.stepIndex = index + 1;
    return { prevSample: prev, predOriginalSample: x0 };
  }
}
