/**
 * The latent denoising loop shared by the SD pipelines, keeping every intermediate so a widget can
 * scrub them: for each step the sample x_t the sampler held, the guided ε̂ it was given and the x̂₀
 * it predicted, plus an optional preview image of x̂₀.
 *
 * Noise: x_T = initNoiseSigma · z with z from `createRng(seed)`, and step k's fresh noise (ancestral
 * samplers) from `createRng(seed).fork(k + 1)`, so a seed fixes the whole trajectory and x_T does
 * not depend on the number of steps.
 */
import { createRng } from '../../rng.ts';
import { EulerBase } from '../../samplers/euler-base.ts';
import { isStochastic, type Sampler } from '../../samplers/index.ts';
import type { RgbaImage } from './tensors.ts';

export interface GuidedPrediction {
  /** ε̂ the sampler steps with (guided when guidance is on). */
  epsilon: Float32Array;
  conditional?: Float32Array;
  unconditional?: Float32Array;
}

export interface SdStep {
  /** 0-based step index. */
  index: number;
  /** The sampler's timestep (Euler 'linspace' timesteps are fractional). */
  timestep: number;
  /** The integer timestep fed to the UNet (its export takes int64). */
  modelTimestep: number;
  /** Euler samplers: the noise level of `sample`, so x̂₀ = x_t − σ·ε̂ (Karras et al. 2022, eq. 3 with D = x − σε). */
  sigma?: number;
  /** DDIM: ᾱ_t, so x̂₀ = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t (Song et al. 2021, eq. 12). */
  alphaBar?: number;
  /** x_t before this step, in the sampler's parameterisation (Euler: variance-exploding, x_t/√ᾱ_t). */
  sample: Float32Array;
  epsilon: Float32Array;
  conditional?: Float32Array;
  unconditional?: Float32Array;
  /** x̂₀ predicted at this step (in latent space, as the UNet sees latents). */
  predOriginal: Float32Array;
  preview?: RgbaImage;
  unetMs: number;
  previewMs?: number;
}

export interface DenoiseOptions {
  sampler: Sampler;
  steps: number;
  /** Values in one latent (channels × height × width). */
  latentLength: number;
  seed: number;
  /** ε̂ for the scaled model input at this integer timestep. */
  predict: (modelInput: Float32Array, modelTimestep: number) => Promise<GuidedPrediction>;
  /** Decode x̂₀ for display (TAESD or the VAE); omitted: no previews. */
  preview?: (predOriginal: Float32Array) => Promise<RgbaImage>;
  signal?: AbortSignal;
  onStep?: (step: SdStep, total: number) => void;
}

export interface DenoiseResult {
  steps: SdStep[];
  /** x_0 after the last step (in latent space). */
  latents: Float32Array;
}

/** The UNet export takes int64 timesteps: fractional ones are rounded (as the WebNN demo does). */
export function modelTimestepOf(timestep: number): number {
  return Math.round(timestep);
}

export async function denoise(options: DenoiseOptions): Promise<DenoiseResult> {
  const { sampler, steps: count, latentLength, seed, predict, preview, signal, onStep } = options;
  sampler.setTimesteps(count);
  const rng = createRng(seed);
  const stochastic = isStochastic(sampler);
  let sample: Float32Array = rng.normalArray(latentLength).map((z) => z * sampler.initNoiseSigma);
  const timesteps = [...sampler.timesteps];
  const kept: SdStep[] = [];
  for (let index = 0; index < timesteps.length; index++) {
    signal?.throwIfAborted();
    const timestep = timesteps[index]!;
    const modelTimestep = modelTimestepOf(timestep);
    const started = performance.now();
    const prediction = await predict(sampler.scaleModelInput(sample, timestep), modelTimestep);
    const unetMs = performance.now() - started;
    const noise = stochastic ? rng.fork(index + 1).normalArray(latentLength) : undefined;
    const sigma = sampler instanceof EulerBase ? sampler.sigmas[index] : undefined;
    const alphaBar = sigma === undefined ? alphaBarAt(sampler, timestep) : undefined;
    const result = sampler.step(prediction.epsilon, timestep, sample, noise);
    const step: SdStep = {
      index,
      timestep,
      modelTimestep,
      ...(sigma !== undefined ? { sigma } : {}),
      ...(alphaBar !== undefined ? { alphaBar } : {}),
      sample,
      epsilon: prediction.epsilon,
      ...(prediction.conditional ? { conditional: prediction.conditional } : {}),
      ...(prediction.unconditional ? { unconditional: prediction.unconditional } : {}),
      predOriginal: result.predOriginalSample,
      unetMs,
    };
    if (preview) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      step.preview = await preview(result.predOriginalSample);
      step.previewMs = performance.now() - t0;
    }
    kept.push(step);
    onStep?.(step, timesteps.length);
    sample = result.prevSample;
  }
  return { steps: kept, latents: sample };
}

/** ᾱ at an integer timestep, for samplers on the discrete schedule (DDIM, DDPM). */
function alphaBarAt(sampler: Sampler, timestep: number): number | undefined {
  const schedule = (sampler as unknown as { schedule?: { alphasCumprod: Float64Array } }).schedule;
  return Number.isInteger(timestep) ? schedule?.alphasCumprod[timestep] : undefined;
}
