/**
 * A guided sampling run that can be watched and stopped: the pocket samplers (DDPM, DDIM) built
 * with the conventions of models/train/README.md, seeded initial and per-step noise, and
 * cancellation between steps. Shared by the guidance widgets; the model calls themselves are
 * `ModelRunner`s (a worker session in the browser, an ORT session in Node).
 */
import { createRng } from '../rng.ts';
import type { Sampler } from '../samplers/index.ts';
import { sampleAsync, type GuidedEpsilon } from './guided-sampling.ts';
import { createPocketSampler, POCKET_SAMPLERS, type PocketSamplerName } from './sampler-config.ts';

export { POCKET_SAMPLERS, type PocketSamplerName };

/**
 * The pocket models' sampler (./sampler-config.ts, the golden files' configuration): x̂₀ clipped to
 * [−1, 1] for images (`clipSample`), not for 2-D points.
 */
export function pocketSampler(name: PocketSamplerName, steps: number, clipSample: boolean): Sampler {
  return createPocketSampler(name, steps, { clipSample });
}

/** Thrown (and recognised by the widgets) when a run is stopped by its AbortSignal. */
export class SamplingCancelled extends Error {
  constructor(readonly stepsDone: number) {
    super(`Cancelled after ${stepsDone} steps.`);
    this.name = 'SamplingCancelled';
  }
}

export function isCancellation(error: unknown): boolean {
  return (
    error instanceof SamplingCancelled ||
    (error instanceof Error && 'kind' in error && (error as { kind: unknown }).kind === 'cancelled')
  );
}

/**
 * Noise for a run from one seed: stream 0 is the initial x_T, stream k + 1 the z of step k (used
 * by DDPM only), so the initial noise is the same whatever the sampler, and w = 0 and w > 0 runs
 * of the same seed start from the same points.
 */
export function runNoise(seed: number, length: number) {
  const root = createRng(seed);
  return {
    initial: root.fork(0).normalArray(length),
    step: (stepIndex: number) => root.fork(stepIndex + 1).normalArray(length),
  };
}

export interface GuidedRunOptions {
  sampler: PocketSamplerName;
  steps: number;
  seed: number;
  /** Values in the whole batch (samples × item size). */
  length: number;
  clipSample: boolean;
  /** Where the noise comes from; default `runNoise(seed, length)`. */
  noise?: { initial: Float32Array; step: (stepIndex: number) => Float32Array };
  signal?: AbortSignal;
  /** After each step: the sample x_{t−1} and x̂₀ (fresh arrays, safe to keep). */
  onStep?: (stepIndex: number, timestep: number, sample: Float32Array, predOriginal: Float32Array) => void;
}

export interface GuidedRunResult {
  sample: Float32Array;
  timesteps: readonly number[];
}

/** Runs `epsilon` through the chosen sampler from seeded noise; rejects with SamplingCancelled when aborted. */
export async function runGuided(epsilon: GuidedEpsilon, options: GuidedRunOptions): Promise<GuidedRunResult> {
  const sampler = pocketSampler(options.sampler, options.steps, options.clipSample);
  const noise = options.noise ?? runNoise(options.seed, options.length);
  const { signal } = options;
  if (signal?.aborted) throw new SamplingCancelled(0);
  let reported = 0;
  // Checked before each model call (no work after a cancel) and after it (a step that finishes
  // after the abort is dropped, not reported).
  const guarded: GuidedEpsilon = (x, t) => {
    if (signal?.aborted) throw new SamplingCancelled(reported);
    return epsilon(x, t);
  };
  const sample = await sampleAsync(sampler, guarded, noise.initial, {
    stepNoise: options.sampler === 'ddpm' ? (stepIndex) => noise.step(stepIndex) : undefined,
    onStep: ({ stepIndex, timestep, sample: x, predOriginalSample }) => {
      if (signal?.aborted) throw new SamplingCancelled(reported);
      reported = stepIndex + 1;
      options.onStep?.(stepIndex, timestep, x, predOriginalSample);
    },
  });
  return { sample, timesteps: [...sampler.timesteps] };
}
