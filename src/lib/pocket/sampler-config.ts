/**
 * The one sampler configuration of the pocket denoisers: the one their golden files were made with
 * (models/train/export.py SAMPLER, checked by tests/unit/pocket/sampler-config.test.ts), used by
 * `npm run models:eval` and every widget, so the book shows what the tests and the evaluation saw.
 */
import { createSampler, type Sampler } from '../samplers/index.ts';

/** The training schedule of every pocket denoiser (Ho et al. 2020's linear β, T = 1000). */
export const POCKET_SCHEDULE = {
  numTrainTimesteps: 1000,
  betaSchedule: 'linear',
  betaStart: 0.0001,
  betaEnd: 0.02,
} as const;

/**
 * diffusers' conventions: 'leading' spacing without offset, ε-prediction, ᾱ = 1 after the last
 * DDIM step. Images clip x̂₀ to [−1, 1]; 2-D points do not.
 *
 * `useClippedModelOutput`: after clipping x̂₀, DDIM recomputes ε̂ = (x_t − √ᾱ_t x̂₀)/√(1 − ᾱ_t) so
 * that its two terms (Song et al. 2021, eq. 12) describe the same x̂₀. With guidance the raw ε̃ is
 * large (x̂₀ far outside [−1, 1] at w = 3); pairing the clipped x̂₀ with the unclipped ε̃ leaves
 * visible noise in the final image. DDPM needs no such option: its posterior mean is built from
 * the clipped x̂₀ directly.
 */
export const POCKET_SAMPLER_CONFIG = {
  ...POCKET_SCHEDULE,
  timestepSpacing: 'leading',
  stepsOffset: 0,
  clipSampleRange: 1,
  predictionType: 'epsilon',
} as const;

export const POCKET_SAMPLERS = ['ddim', 'ddpm'] as const;
export type PocketSamplerName = (typeof POCKET_SAMPLERS)[number];

/** A pocket sampler, timesteps set: DDIM (η = 0) or DDPM (posterior variance β̃, fixed_small). */
export function createPocketSampler(name: PocketSamplerName, steps: number, options: { clipSample: boolean }): Sampler {
  const { clipSample } = options;
  const sampler =
    name === 'ddim'
      ? createSampler('ddim', {
          ...POCKET_SAMPLER_CONFIG,
          clipSample,
          eta: 0,
          setAlphaToOne: true,
          useClippedModelOutput: clipSample,
        })
      : createSampler('ddpm', { ...POCKET_SAMPLER_CONFIG, clipSample, varianceType: 'fixed_small' });
  sampler.setTimesteps(steps);
  return sampler;
}
