/**
 * The Gaussian diffusion process itself: forward noising, the forward-process posterior, and
 * conversions between the three parameterisations of the network output.
 *
 * Timestep convention (diffusers): index i ∈ [0, T−1] is the paper's t = i + 1. "Before the first
 * step" (the paper's t = 0, clean data) has ᾱ = 1 and is written as index −1.
 * Arrays are flat Float32Arrays, processed elementwise, so any shape (N×2 points, images) works.
 */
import type { NoiseSchedule } from './schedules.ts';

export const PREDICTION_TYPES = ['epsilon', 'sample', 'v_prediction'] as const;
/** What the network predicts: the noise ε, the clean sample x₀, or the velocity v. */
export type PredictionType = (typeof PREDICTION_TYPES)[number];

type Readable = ArrayLike<number>;

function checkLengths(op: string, ...arrays: Readable[]): number {
  const length = arrays[0]!.length;
  for (const array of arrays) {
    if (array.length !== length) throw new Error(`${op}: length mismatch (${array.length} vs ${length}).`);
  }
  return length;
}

function checkIndex(schedule: NoiseSchedule, index: number, allowClean = false): void {
  const min = allowClean ? -1 : 0;
  if (!Number.isInteger(index) || index < min || index >= schedule.numTrainTimesteps) {
    throw new Error(`Timestep ${index} is outside [${min}, ${schedule.numTrainTimesteps - 1}].`);
  }
}

/** ᾱ at an integer timestep index; index −1 (clean data) gives 1. */
export function alphaBarAt(schedule: NoiseSchedule, index: number): number {
  checkIndex(schedule, index, true);
  return index < 0 ? 1 : schedule.alphasCumprod[index]!;
}

/** σ_t = √((1 − ᾱ_t)/ᾱ_t): the noise level of x_t/√ᾱ_t (the variance-exploding view used by Euler; Karras et al. 2022, Table 1). */
export function sigmaFromAlphaBar(alphaBar: number): number {
  return Math.sqrt((1 - alphaBar) / alphaBar);
}

/** Inverse of sigmaFromAlphaBar: ᾱ = 1/(1 + σ²). */
export function alphaBarFromSigma(sigma: number): number {
  return 1 / (1 + sigma * sigma);
}

/**
 * ᾱ at a possibly fractional timestep, the way diffusers' Euler schedulers define it: σ is
 * interpolated linearly in t between integer timesteps, and ᾱ = 1/(1+σ²). At integer t this is
 * ᾱ_t. Use it to build exact denoisers that are called with Euler's fractional timesteps.
 */
export function alphaBarAtContinuousTimestep(schedule: NoiseSchedule, timestep: number): number {
  const last = schedule.numTrainTimesteps - 1;
  if (!(timestep >= 0 && timestep <= last)) throw new Error(`Timestep ${timestep} is outside [0, ${last}].`);
  const lower = Math.floor(timestep);
  if (lower === timestep) return schedule.alphasCumprod[lower]!;
  const fraction = timestep - lower;
  const sigmaLower = sigmaFromAlphaBar(schedule.alphasCumprod[lower]!);
  const sigmaUpper = sigmaFromAlphaBar(schedule.alphasCumprod[lower + 1]!);
  return alphaBarFromSigma(sigmaLower + fraction * (sigmaUpper - sigmaLower));
}

/**
 * Closed-form forward marginal q(x_t | x₀) = N(√ᾱ_t x₀, (1−ᾱ_t) I), sampled by
 * reparameterisation: x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε (Ho et al. 2020, eq. 4; diffusers `add_noise`).
 */
export function forwardMarginalSample(
  x0: Readable,
  noise: Readable,
  alphaBar: number,
  out?: Float32Array,
): Float32Array {
  const length = checkLengths('forwardMarginalSample', x0, noise);
  const result = out ?? new Float32Array(length);
  const signal = Math.sqrt(alphaBar);
  const noiseScale = Math.sqrt(1 - alphaBar);
  for (let i = 0; i < length; i++) result[i] = signal * x0[i]! + noiseScale * noise[i]!;
  return result;
}

/** forwardMarginalSample at timestep index t of a schedule. */
export function addNoise(
  schedule: NoiseSchedule,
  x0: Readable,
  noise: Readable,
  index: number,
  out?: Float32Array,
): Float32Array {
  return forwardMarginalSample(x0, noise, alphaBarAt(schedule, index), out);
}

/** One forward step q(x_t | x_{t−1}) = N(√(1−β_t) x_{t−1}, β_t I) (Ho et al. 2020, eq. 2). */
export function forwardStepSample(xPrev: Readable, noise: Readable, beta: number, out?: Float32Array): Float32Array {
  const length = checkLengths('forwardStepSample', xPrev, noise);
  const result = out ?? new Float32Array(length);
  const keep = Math.sqrt(1 - beta);
  const noiseScale = Math.sqrt(beta);
  for (let i = 0; i < length; i++) result[i] = keep * xPrev[i]! + noiseScale * noise[i]!;
  return result;
}

export interface PosteriorCoefficients {
  /** Coefficient of x₀ in μ̃: √ᾱ_{prev} β_t / (1 − ᾱ_t). */
  x0Coef: number;
  /** Coefficient of x_t in μ̃: √α_t (1 − ᾱ_{prev}) / (1 − ᾱ_t). */
  xtCoef: number;
  /** β̃_t = (1 − ᾱ_{prev}) / (1 − ᾱ_t) · β_t (0 when the previous step is clean data). */
  variance: number;
  /** The effective β_t = 1 − ᾱ_t/ᾱ_prev of the (possibly strided) step. */
  beta: number;
}

/**
 * Forward-process posterior q(x_prev | x_t, x₀) = N(μ̃, β̃ I) (Ho et al. 2020, eqs. 6–7), for a step
 * from index t to index `prevIndex` (default t − 1; −1 means clean data, ᾱ = 1). For strided
 * steps the step's β is 1 − ᾱ_t/ᾱ_prev, as in diffusers' DDPMScheduler with fewer inference steps.
 */
export function posteriorCoefficients(
  schedule: NoiseSchedule,
  index: number,
  prevIndex = index - 1,
): PosteriorCoefficients {
  checkIndex(schedule, index);
  checkIndex(schedule, prevIndex, true);
  if (prevIndex >= index) throw new Error(`prevIndex ${prevIndex} must be smaller than index ${index}.`);
  const alphaBar = schedule.alphasCumprod[index]!;
  const alphaBarPrev = alphaBarAt(schedule, prevIndex);
  const alpha = alphaBar / alphaBarPrev;
  const beta = 1 - alpha;
  return {
    x0Coef: (Math.sqrt(alphaBarPrev) * beta) / (1 - alphaBar),
    xtCoef: (Math.sqrt(alpha) * (1 - alphaBarPrev)) / (1 - alphaBar),
    variance: ((1 - alphaBarPrev) / (1 - alphaBar)) * beta,
    beta,
  };
}

/** μ̃(x_t, x₀) = x0Coef·x₀ + xtCoef·x_t (Ho et al. 2020, eq. 7). */
export function posteriorMean(
  coefficients: PosteriorCoefficients,
  x0: Readable,
  xt: Readable,
  out?: Float32Array,
): Float32Array {
  const length = checkLengths('posteriorMean', x0, xt);
  const result = out ?? new Float32Array(length);
  for (let i = 0; i < length; i++) result[i] = coefficients.x0Coef * x0[i]! + coefficients.xtCoef * xt[i]!;
  return result;
}

/**
 * Reverse-process mean from a noise prediction: μ_θ = (x_t − β_t/√(1−ᾱ_t) · ε_θ) / √α_t
 * (Ho et al. 2020, eq. 11). Equals posteriorMean with x₀ = x0FromEpsilon(...).
 */
export function meanFromEpsilon(
  schedule: NoiseSchedule,
  index: number,
  xt: Readable,
  epsilon: Readable,
  out?: Float32Array,
): Float32Array {
  checkIndex(schedule, index);
  const length = checkLengths('meanFromEpsilon', xt, epsilon);
  const result = out ?? new Float32Array(length);
  const beta = schedule.betas[index]!;
  const alpha = schedule.alphas[index]!;
  const epsCoef = beta / Math.sqrt(1 - schedule.alphasCumprod[index]!);
  const inverseSqrtAlpha = 1 / Math.sqrt(alpha);
  for (let i = 0; i < length; i++) result[i] = inverseSqrtAlpha * (xt[i]! - epsCoef * epsilon[i]!);
  return result;
}

// --- Parameterisations (scalar forms; the array forms below apply them elementwise) -------------
// With a = √ᾱ, b = √(1−ᾱ) (so a² + b² = 1): x_t = a x₀ + b ε and v = a ε − b x₀
// (Salimans & Ho 2022, §4 / Appendix D). Hence x₀ = a x_t − b v and ε = b x_t + a v.

/** x₀ = (x_t − √(1−ᾱ) ε)/√ᾱ (Ho et al. 2020, eq. 15 rearranged). */
export const x0FromEpsilonScalar = (xt: number, eps: number, alphaBar: number): number =>
  (xt - Math.sqrt(1 - alphaBar) * eps) / Math.sqrt(alphaBar);
/** ε = (x_t − √ᾱ x₀)/√(1−ᾱ). */
export const epsilonFromX0Scalar = (xt: number, x0: number, alphaBar: number): number =>
  (xt - Math.sqrt(alphaBar) * x0) / Math.sqrt(1 - alphaBar);
/** v = √ᾱ ε − √(1−ᾱ) x₀ (Salimans & Ho 2022). */
export const velocityScalar = (x0: number, eps: number, alphaBar: number): number =>
  Math.sqrt(alphaBar) * eps - Math.sqrt(1 - alphaBar) * x0;
/** x₀ = √ᾱ x_t − √(1−ᾱ) v. */
export const x0FromVelocityScalar = (xt: number, v: number, alphaBar: number): number =>
  Math.sqrt(alphaBar) * xt - Math.sqrt(1 - alphaBar) * v;
/** ε = √(1−ᾱ) x_t + √ᾱ v. */
export const epsilonFromVelocityScalar = (xt: number, v: number, alphaBar: number): number =>
  Math.sqrt(1 - alphaBar) * xt + Math.sqrt(alphaBar) * v;

export interface X0AndEpsilon {
  x0: Float32Array;
  epsilon: Float32Array;
}

/**
 * Converts a model output of any prediction type into (x̂₀, ε̂) at noise level ᾱ (the model's
 * input x_t is `sample`). Same formulas as diffusers' DDIMScheduler.step, step 3.
 */
export function predictionToX0AndEpsilon(
  predictionType: PredictionType,
  modelOutput: Readable,
  sample: Readable,
  alphaBar: number,
): X0AndEpsilon {
  const length = checkLengths('predictionToX0AndEpsilon', modelOutput, sample);
  const x0 = new Float32Array(length);
  const epsilon = new Float32Array(length);
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  for (let i = 0; i < length; i++) {
    const out = modelOutput[i]!;
    const xt = sample[i]!;
    switch (predictionType) {
      case 'epsilon':
        x0[i] = (xt - b * out) / a;
        epsilon[i] = out;
        break;
      case 'sample':
        x0[i] = out;
        epsilon[i] = (xt - a * out) / b;
        break;
      case 'v_prediction':
        x0[i] = a * xt - b * out;
        epsilon[i] = a * out + b * xt;
        break;
    }
  }
  return { x0, epsilon };
}

/** Expresses (x̂₀, ε̂) as the model output of `predictionType` (the training target for that parameterisation). */
export function x0AndEpsilonToPrediction(
  predictionType: PredictionType,
  x0: Readable,
  epsilon: Readable,
  alphaBar: number,
): Float32Array {
  const length = checkLengths('x0AndEpsilonToPrediction', x0, epsilon);
  const result = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    switch (predictionType) {
      case 'epsilon':
        result[i] = epsilon[i]!;
        break;
      case 'sample':
        result[i] = x0[i]!;
        break;
      case 'v_prediction':
        result[i] = velocityScalar(x0[i]!, epsilon[i]!, alphaBar);
        break;
    }
  }
  return result;
}

/**
 * Converts a model output between parameterisations at noise level ᾱ, given the noisy input x_t.
 * (Conversions involving 'sample' divide by √(1−ᾱ), so they are undefined at ᾱ = 1.)
 */
export function convertPrediction(
  from: PredictionType,
  to: PredictionType,
  modelOutput: Readable,
  sample: Readable,
  alphaBar: number,
): Float32Array {
  if (from === to) return Float32Array.from(modelOutput);
  const { x0, epsilon } = predictionToX0AndEpsilon(from, modelOutput, sample, alphaBar);
  return x0AndEpsilonToPrediction(to, x0, epsilon, alphaBar);
}

/**
 * The score ∇ log q_t(x_t) = −ε/√(1−ᾱ_t) implied by a noise prediction (denoising score
 * matching, Vincent 2011; the ε ↔ score link is Ho et al. 2020, §3.2).
 */
export function scoreFromEpsilon(epsilon: Readable, alphaBar: number, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(epsilon.length);
  const factor = -1 / Math.sqrt(1 - alphaBar);
  for (let i = 0; i < epsilon.length; i++) result[i] = factor * epsilon[i]!;
  return result;
}
