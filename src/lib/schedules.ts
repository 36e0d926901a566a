/**
 * Noise schedules β_1..β_T and everything derived from them, with diffusers' `beta_schedule`
 * names and defaults. Index convention (diffusers): array index i ∈ [0, T−1] holds the paper's
 * timestep t = i + 1, so `alphasCumprod[0]` = ᾱ_1 = 1 − β_1.
 *
 * Values are computed in float64 (diffusers uses float32 tensors, so its numbers agree with ours
 * to float32 precision, about 1e-7 relative).
 */
import { assertBoolean, assertInteger, assertKnownKeys, assertNumberInRange, assertOneOf } from './options.ts';

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export type BetaScheduleName = (typeof BETA_SCHEDULES)[number];

/** diffusers option → ours: num_train_timesteps, beta_start, beta_end, beta_schedule, trained_betas, rescale_betas_zero_snr. */
export interface ScheduleOptions {
  numTrainTimesteps?: number;
  betaStart?: number;
  betaEnd?: number;
  betaSchedule?: BetaScheduleName;
  /** Explicit β values; overrides betaSchedule/betaStart/betaEnd (diffusers `trained_betas`). */
  trainedBetas?: ArrayLike<number>;
  /** Rescale to zero terminal SNR (Lin et al. 2024, Algorithm 1). */
  rescaleBetasZeroSnr?: boolean;
}

export const SCHEDULE_OPTION_KEYS = [
  'numTrainTimesteps',
  'betaStart',
  'betaEnd',
  'betaSchedule',
  'trainedBetas',
  'rescaleBetasZeroSnr',
] as const;

/** The schedule part of a larger options object (e.g. a sampler's). */
export function pickScheduleOptions(options: ScheduleOptions): ScheduleOptions {
  const picked: Record<string, unknown> = {};
  for (const key of SCHEDULE_OPTION_KEYS) {
    if (options[key] !== undefined) picked[key] = options[key];
  }
  return picked as ScheduleOptions;
}

/** diffusers' defaults (DDPMScheduler/DDIMScheduler/EulerDiscreteScheduler all share them). */
export const DEFAULT_SCHEDULE_OPTIONS = {
  numTrainTimesteps: 1000,
  betaStart: 0.0001,
  betaEnd: 0.02,
  betaSchedule: 'linear',
  rescaleBetasZeroSnr: false,
} as const satisfies ScheduleOptions;

export interface NoiseSchedule {
  readonly config: Readonly<Required<Omit<ScheduleOptions, 'trainedBetas'>>> & { trainedBetas?: readonly number[] };
  readonly numTrainTimesteps: number;
  /** β_t. */
  readonly betas: Float64Array;
  /** α_t = 1 − β_t. */
  readonly alphas: Float64Array;
  /** ᾱ_t = Π_{s≤t} α_s (Ho et al. 2020, notation above eq. 4). */
  readonly alphasCumprod: Float64Array;
  /** SNR(t) = ᾱ_t / (1 − ᾱ_t) (Kingma et al. 2021, eq. 2 with α² = ᾱ, σ² = 1 − ᾱ). */
  readonly snr: Float64Array;
  /** log SNR(t) (Kingma et al. 2021's λ). −∞ where ᾱ_t = 0. */
  readonly logSnr: Float64Array;
}

/** Nichol & Dhariwal 2021's s = 0.008 offset in the cosine schedule (eq. 17). */
export const COSINE_OFFSET = 0.008;
/** Largest β of the cosine schedule (Nichol & Dhariwal 2021, §3.2; diffusers max_beta = 0.999). */
export const COSINE_MAX_BETA = 0.999;

/** `count` evenly spaced values from `start` to `end` inclusive (numpy/torch linspace). */
export function linspace(start: number, end: number, count: number): Float64Array {
  const values = new Float64Array(count);
  if (count === 1) {
    values[0] = start;
    return values;
  }
  const step = (end - start) / (count - 1);
  for (let i = 0; i < count; i++) values[i] = start + i * step;
  values[count - 1] = end;
  return values;
}

/** ᾱ(τ) of the cosine schedule at continuous time τ ∈ [0, 1], before normalisation by f(0): f(τ) = cos²((τ+s)/(1+s)·π/2) (Nichol & Dhariwal 2021, eq. 17). */
export function cosineAlphaBarUnnormalized(tau: number): number {
  return Math.cos(((tau + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
}

/** β_t = min(1 − ᾱ(t/T)/ᾱ((t−1)/T), 0.999) (Nichol & Dhariwal 2021, §3.2; diffusers `betas_for_alpha_bar`). */
export function cosineBetas(numTrainTimesteps: number, maxBeta = COSINE_MAX_BETA): Float64Array {
  const betas = new Float64Array(numTrainTimesteps);
  for (let i = 0; i < numTrainTimesteps; i++) {
    const ratio =
      cosineAlphaBarUnnormalized((i + 1) / numTrainTimesteps) / cosineAlphaBarUnnormalized(i / numTrainTimesteps);
    betas[i] = Math.min(1 - ratio, maxBeta);
  }
  return betas;
}

/**
 * Zero terminal SNR (Lin et al. 2024, Algorithm 1): shift and scale √ᾱ so that √ᾱ_T = 0 while
 * √ᾱ_1 is unchanged, then recover β from the ratios of consecutive ᾱ.
 */
export function rescaleZeroTerminalSnr(betas: ArrayLike<number>): Float64Array {
  const count = betas.length;
  const sqrtAlphaBar = new Float64Array(count);
  let product = 1;
  for (let i = 0; i < count; i++) {
    product *= 1 - betas[i]!;
    sqrtAlphaBar[i] = Math.sqrt(product);
  }
  const first = sqrtAlphaBar[0]!;
  const last = sqrtAlphaBar[count - 1]!;
  const result = new Float64Array(count);
  let previousAlphaBar = 1;
  for (let i = 0; i < count; i++) {
    const rescaled = ((sqrtAlphaBar[i]! - last) * first) / (first - last);
    const alphaBar = rescaled * rescaled;
    result[i] = i === 0 ? 1 - alphaBar : 1 - alphaBar / previousAlphaBar;
    previousAlphaBar = alphaBar;
  }
  return result;
}

export function betasFor(
  schedule: BetaScheduleName,
  numTrainTimesteps: number,
  betaStart: number,
  betaEnd: number,
): Float64Array {
  switch (schedule) {
    case 'linear':
      return linspace(betaStart, betaEnd, numTrainTimesteps);
    case 'scaled_linear':
      // Stable Diffusion's schedule: linear in √β.
      return linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), numTrainTimesteps).map((root) => root * root);
    case 'squaredcos_cap_v2':
      return cosineBetas(numTrainTimesteps);
  }
}

/** Builds a schedule from diffusers-style options (camelCase). Throws, listing valid values, on bad input. */
export function createSchedule(options: ScheduleOptions = {}): NoiseSchedule {
  assertKnownKeys('schedule', options, SCHEDULE_OPTION_KEYS);
  const betaSchedule = assertOneOf(
    'betaSchedule',
    options.betaSchedule ?? DEFAULT_SCHEDULE_OPTIONS.betaSchedule,
    BETA_SCHEDULES,
  );
  const rescale = assertBoolean('rescaleBetasZeroSnr', options.rescaleBetasZeroSnr ?? false);
  let rawBetas: Float64Array;
  let numTrainTimesteps: number;
  const betaStart = options.betaStart ?? DEFAULT_SCHEDULE_OPTIONS.betaStart;
  const betaEnd = options.betaEnd ?? DEFAULT_SCHEDULE_OPTIONS.betaEnd;
  if (options.trainedBetas !== undefined) {
    rawBetas = Float64Array.from(options.trainedBetas);
    numTrainTimesteps = rawBetas.length;
    if (numTrainTimesteps === 0) throw new Error('trainedBetas must not be empty.');
    rawBetas.forEach((beta, i) => assertNumberInRange(`trainedBetas[${i}]`, beta, 0, 1, { minExclusive: true }));
  } else {
    numTrainTimesteps = assertInteger(
      'numTrainTimesteps',
      options.numTrainTimesteps ?? DEFAULT_SCHEDULE_OPTIONS.numTrainTimesteps,
      2,
      100000,
    );
    assertNumberInRange('betaStart', betaStart, 0, 1, { minExclusive: true, maxExclusive: true });
    assertNumberInRange('betaEnd', betaEnd, 0, 1, { minExclusive: true, maxExclusive: true });
    rawBetas = betasFor(betaSchedule, numTrainTimesteps, betaStart, betaEnd);
  }
  const betas = rescale ? rescaleZeroTerminalSnr(rawBetas) : rawBetas;
  return scheduleFromBetas(betas, {
    numTrainTimesteps,
    betaStart,
    betaEnd,
    betaSchedule,
    rescaleBetasZeroSnr: rescale,
    ...(options.trainedBetas !== undefined ? { trainedBetas: Array.from(options.trainedBetas) } : {}),
  });
}

function scheduleFromBetas(betas: Float64Array, config: NoiseSchedule['config']): NoiseSchedule {
  const count = betas.length;
  const alphas = new Float64Array(count);
  const alphasCumprod = new Float64Array(count);
  const snr = new Float64Array(count);
  const logSnr = new Float64Array(count);
  let product = 1;
  for (let i = 0; i < count; i++) {
    alphas[i] = 1 - betas[i]!;
    product *= alphas[i]!;
    alphasCumprod[i] = product;
    snr[i] = product / (1 - product);
    logSnr[i] = Math.log(product) - Math.log1p(-product);
  }
  return { config, numTrainTimesteps: count, betas, alphas, alphasCumprod, snr, logSnr };
}
