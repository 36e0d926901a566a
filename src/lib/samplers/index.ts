/**
 * Sampler factory and a generic denoising loop. Every sampler works elementwise on a flat
 * Float32Array (any shape: N×2 points, images), except dynamic thresholding (per `sampleSize`).
 */
import { assertOneOf } from '../options.ts';
import type { Rng } from '../rng.ts';
import { DDIMSampler, type DDIMOptions } from './ddim.ts';
import { DDPMSampler, type DDPMOptions } from './ddpm.ts';
import { EulerAncestralSampler, type EulerAncestralOptions } from './euler-ancestral.ts';
import { EulerSampler, type EulerOptions } from './euler.ts';
import type { Sampler } from './types.ts';

export type { Sampler, StepResult } from './types.ts';
export { DDPMSampler, DDPM_VARIANCE_TYPES, type DDPMOptions, type DDPMVarianceType } from './ddpm.ts';
export { DDIMSampler, type DDIMOptions } from './ddim.ts';
export { DDIMInverseSampler, ddimInvert, type DDIMInverseOptions, type InversionModelContext } from './ddim-inverse.ts';
export { EulerSampler, type EulerOptions } from './euler.ts';
export { EulerAncestralSampler, ancestralSigmas, type EulerAncestralOptions } from './euler-ancestral.ts';
export {
  discreteTimesteps,
  eulerTimesteps,
  inverseTimesteps,
  TIMESTEP_SPACINGS,
  type TimestepSpacing,
} from './timesteps.ts';
export { dynamicThreshold } from './common.ts';

export const SAMPLER_NAMES = ['ddpm', 'ddim', 'euler', 'euler-ancestral'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerOptionsByName {
  ddpm: DDPMOptions;
  ddim: DDIMOptions;
  euler: EulerOptions;
  'euler-ancestral': EulerAncestralOptions;
}

export interface SamplerByName {
  ddpm: DDPMSampler;
  ddim: DDIMSampler;
  euler: EulerSampler;
  'euler-ancestral': EulerAncestralSampler;
}

/** Whether `step` consumes noise (DDPM always, DDIM when η > 0, Euler ancestral always, Euler when sChurn > 0). */
export function isStochastic(sampler: Sampler): boolean {
  if (sampler instanceof DDPMSampler || sampler instanceof EulerAncestralSampler) return true;
  if (sampler instanceof DDIMSampler) return sampler.eta > 0;
  if (sampler instanceof EulerSampler) return sampler.sChurn > 0;
  return false;
}

/** Creates a sampler by name; options use camelCase versions of diffusers' config names. */
export function createSampler<N extends SamplerName>(name: N, options?: SamplerOptionsByName[N]): SamplerByName[N];
export function createSampler(name: SamplerName, options: object = {}): Sampler {
  switch (assertOneOf('sampler name', name, SAMPLER_NAMES)) {
    case 'ddpm':
      return new DDPMSampler(options as DDPMOptions);
    case 'ddim':
      return new DDIMSampler(options as DDIMOptions);
    case 'euler':
      return new EulerSampler(options as EulerOptions);
    case 'euler-ancestral':
      return new EulerAncestralSampler(options as EulerAncestralOptions);
  }
}

/** The network: gets the already-scaled model input and the timestep, returns its prediction. */
export type DenoisingModel = (modelInput: Float32Array, timestep: number) => Float32Array;

export interface LoopProgress {
  /** 0-based index of the step just taken. */
  stepIndex: number;
  timestep: number;
  /** The sample after this step. */
  sample: Float32Array;
  predOriginalSample: Float32Array;
}

/**
 * The standard sampling loop as a generator (one `yield` per step, so UIs can spread work over
 * frames): x_T = initNoiseSigma·z, then for each timestep: model(scaleModelInput(x, t), t) → step.
 * `initialNoise` is standard normal; per-step noise comes from `rng` (only drawn when the sampler
 * is stochastic). Returns the final sample. Call `sampler.setTimesteps(n)` first.
 */
export function* denoisingLoop(
  sampler: Sampler,
  model: DenoisingModel,
  initialNoise: Float32Array,
  rng?: Rng,
): Generator<LoopProgress, Float32Array, void> {
  const stochastic = isStochastic(sampler);
  if (stochastic && rng === undefined) throw new Error('denoisingLoop: this sampler is stochastic; pass an rng.');
  let sample: Float32Array = initialNoise.map((z) => z * sampler.initNoiseSigma);
  const timesteps = [...sampler.timesteps];
  for (let stepIndex = 0; stepIndex < timesteps.length; stepIndex++) {
    const timestep = timesteps[stepIndex]!;
    const output = model(sampler.scaleModelInput(sample, timestep), timestep);
    const noise = stochastic ? rng!.normalArray(sample.length) : undefined;
    const result = sampler.step(output, timestep, sample, noise);
    sample = result.prevSample;
    yield { stepIndex, timestep, sample, predOriginalSample: result.predOriginalSample };
  }
  return sample;
}

/** Runs `denoisingLoop` to completion and returns the final sample. */
export function runDenoisingLoop(
  sampler: Sampler,
  model: DenoisingModel,
  initialNoise: Float32Array,
  rng?: Rng,
): Float32Array {
  const loop = denoisingLoop(sampler, model, initialNoise, rng);
  for (;;) {
    const next = loop.next();
    if (next.done) return next.value;
  }
}
