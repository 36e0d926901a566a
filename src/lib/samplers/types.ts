/**
 * The interface every sampler (scheduler) implements, after diffusers' schedulers:
 * `set_timesteps(n)` → `setTimesteps(n)`, `step(...)` → `{ prev_sample, pred_original_sample }`.
 * Samples are flat Float32Arrays; shape matters only where an option says so (thresholding).
 */
export interface StepResult {
  /** x_{t-1} (or the sample at the next, smaller timestep). */
  prevSample: Float32Array;
  /** The model's estimate of x_0 at this step (x̂₀). */
  predOriginalSample: Float32Array;
}

export interface Sampler {
  /** Discrete training timesteps visited, in the order they are visited (descending). */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial noise: 1 for DDPM/DDIM, σ_max-based for Euler. */
  readonly initNoiseSigma: number;
  /** Choose `numInferenceSteps` timesteps out of the training schedule; resets any step state. */
  setTimesteps(numInferenceSteps: number): void;
  /** Input scaling the model expects at this timestep (identity for DDPM/DDIM). */
  scaleModelInput(sample: Float32Array, timestep: number): Float32Array;
  /**
   * One reverse step. `noise` is a standard-normal array of the sample's length, required by
   * stochastic samplers (DDPM, DDIM with η > 0, Euler ancestral) and ignored by the others, so
   * callers control randomness (seeded RNG, or per-step noise saved by a reference implementation).
   */
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array, noise?: Float32Array): StepResult;
}
