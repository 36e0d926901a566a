/**
 * Forward and reverse diffusion of a cloud of 2-D particles, with the exact optimal denoiser as
 * the "model". The reverse run is computed one step at a time (`advance()`), so a caller can
 * spread the work over many short tasks and draw whatever is finished.
 */
import { forwardMarginalSample } from '../diffusion';
import { createRng, deriveSeed } from '../rng';
import { createSampler, isStochastic } from '../samplers';
import type { Sampler } from '../samplers/types';
import { createOptimalDenoiser, type OptimalDenoiser } from './optimal-denoiser';
import { alphaBarAt, TOY_SCHEDULE_OPTIONS } from './schedule';

export const REVERSE_SAMPLERS = ['ddpm', 'ddim'] as const;
export type ReverseSamplerName = (typeof REVERSE_SAMPLERS)[number];

/** Independent random streams derived from one user-facing seed. */
const STREAM_INITIAL_NOISE = 0x1;
const STREAM_STEP_NOISE = 0x2;
const STREAM_DATA_INDEX = 0x3;

/** x_T: N standard-normal 2-D points for this seed (shared by every sampler and the forward view). */
export function initialNoise(seed: number, particles: number): Float32Array {
  const noise = new Float32Array(2 * particles);
  createRng(deriveSeed(seed, STREAM_INITIAL_NOISE)).fillNormal(noise);
  return noise;
}

/** The clean point x_0 each particle starts from in the forward view: uniform over the data. */
export function forwardStartPoints(data: Float32Array, seed: number, particles: number): Float32Array {
  const m = data.length / 2;
  const rng = createRng(deriveSeed(seed, STREAM_DATA_INDEX));
  const starts = new Float32Array(2 * particles);
  for (let p = 0; p < particles; p++) {
    const i = Math.min(m - 1, Math.floor(rng.uniform() * m));
    starts[2 * p] = data[2 * i];
    starts[2 * p + 1] = data[2 * i + 1];
  }
  return starts;
}

/**
 * Forward marginal (Ho et al. 2020, eq. (4)): x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε, for fixed x_0 and ε,
 * so scrubbing t moves every particle along its own straight path from data to noise.
 */
export function forwardSample(
  starts: Float32Array,
  noise: Float32Array,
  alphaBar: number,
  out = new Float32Array(starts.length),
): Float32Array {
  return forwardMarginalSample(starts, noise, alphaBar, out);
}

export interface ReverseRunOptions {
  sampler: ReverseSamplerName;
  /** Number of inference steps S (the sampler picks S of the 1000 training timesteps). */
  steps: number;
  /** Flat [x, y, …] data points defining the optimal denoiser. */
  data: Float32Array;
  /** Initial noise x_T (flat N×2); the same array for every sampler being compared. */
  initialNoise: Float32Array;
  /** Seed of the per-step noise that stochastic samplers (DDPM) add. */
  seed: number;
  /** Keep every x̂₀ too (doubles the memory); default true. */
  recordPredOriginal?: boolean;
  /** Reuse an existing denoiser for the same data (saves a copy). */
  denoiser?: OptimalDenoiser;
}

export interface ReverseRun {
  readonly sampler: ReverseSamplerName;
  readonly particles: number;
  /** S, the number of reverse steps. */
  readonly totalSteps: number;
  /** The training timesteps visited, descending; timesteps[k] is the t of the sample at step k. */
  readonly timesteps: readonly number[];
  /** How many reverse steps are finished (samples 0 … stepsDone are available). */
  readonly stepsDone: number;
  readonly done: boolean;
  /** Every sample, flat: sample k of particle p is at [(k·N + p)·2, (k·N + p)·2 + 1]. */
  readonly allSamples: Float32Array;
  /** The sample after k steps (k = 0 is x_T; k = S is the final output). A view, not a copy. */
  sampleAt(k: number): Float32Array;
  /** x̂₀ predicted at step k (0 ≤ k < S), or null when not recorded / not computed yet. */
  predOriginalAt(k: number): Float32Array | null;
  /** Compute one more step; returns false when the run was already complete. */
  advance(): boolean;
}

export function createReverseRun(options: ReverseRunOptions): ReverseRun {
  const { initialNoise: xT } = options;
  const particles = xT.length / 2;
  const length = xT.length;
  // clipSample off: diffusers clips x̂₀ to [−1, 1] by default, which suits images, not this
  // unit-variance data (whose points reach beyond ±2).
  const sampler: Sampler = createSampler(options.sampler, { ...TOY_SCHEDULE_OPTIONS, clipSample: false });
  sampler.setTimesteps(options.steps);
  const timesteps = sampler.timesteps;
  const totalSteps = timesteps.length;
  const denoiser = options.denoiser ?? createOptimalDenoiser(options.data);
  const stepRng = createRng(deriveSeed(options.seed, STREAM_STEP_NOISE));
  const record = options.recordPredOriginal ?? true;
  const stochastic = isStochastic(sampler);

  const samples = new Float32Array((totalSteps + 1) * length);
  for (let k = 0; k < length; k++) samples[k] = xT[k] * sampler.initNoiseSigma;
  const predOriginal = record ? new Float32Array(totalSteps * length) : null;
  const epsilon = new Float32Array(length);
  const original = new Float32Array(length);
  const stepNoise = new Float32Array(length);
  let stepsDone = 0;

  function advance(): boolean {
    if (stepsDone >= totalSteps) return false;
    const t = timesteps[stepsDone];
    const sample = samples.subarray(stepsDone * length, (stepsDone + 1) * length);
    const modelInput = sampler.scaleModelInput(sample, t);
    denoiser.predictNoise(modelInput, alphaBarAt(t), epsilon, original);
    if (stochastic) stepRng.fillNormal(stepNoise);
    const result = sampler.step(epsilon, t, sample, stochastic ? stepNoise : undefined);
    samples.set(result.prevSample, (stepsDone + 1) * length);
    predOriginal?.set(result.predOriginalSample, stepsDone * length);
    stepsDone++;
    return true;
  }

  return {
    sampler: options.sampler,
    particles,
    totalSteps,
    timesteps,
    allSamples: samples,
    get stepsDone() {
      return stepsDone;
    },
    get done() {
      return stepsDone >= totalSteps;
    },
    sampleAt(k) {
      const step = Math.max(0, Math.min(stepsDone, Math.floor(k)));
      return samples.subarray(step * length, (step + 1) * length);
    },
    predOriginalAt(k) {
      if (!predOriginal || k < 0 || k >= stepsDone) return null;
      return predOriginal.subarray(k * length, (k + 1) * length);
    },
    advance,
  };
}

/** Run to the end synchronously (tests, benchmarks, workers). */
export function runToEnd(run: ReverseRun): ReverseRun {
  while (run.advance());
  return run;
}
