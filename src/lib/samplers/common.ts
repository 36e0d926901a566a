/** Pieces shared by the DDPM and DDIM samplers: x̂₀ clipping and dynamic thresholding. */
import { quantile } from '../tensor.ts';
import { assertBoolean, assertInteger, assertNumberInRange } from '../options.ts';
import { SCHEDULE_OPTION_KEYS } from '../schedules.ts';

export interface X0ProcessingOptions {
  /** Clip x̂₀ to [−clipSampleRange, clipSampleRange] (diffusers `clip_sample`, default true). */
  clipSample?: boolean;
  /** diffusers `clip_sample_range`, default 1. */
  clipSampleRange?: number;
  /** Dynamic thresholding of x̂₀ (Saharia et al. 2022, §2.3); takes precedence over clipSample. */
  thresholding?: boolean;
  /** Percentile p of |x̂₀| per sample (diffusers `dynamic_thresholding_ratio`, default 0.995). */
  dynamicThresholdingRatio?: number;
  /** Upper bound for the threshold s (diffusers `sample_max_value`, default 1). */
  sampleMaxValue?: number;
  /** Elements per batch item (for thresholding); default: the whole array is one item. */
  sampleSize?: number;
}

export const X0_PROCESSING_OPTION_KEYS = [
  'clipSample',
  'clipSampleRange',
  'thresholding',
  'dynamicThresholdingRatio',
  'sampleMaxValue',
  'sampleSize',
] as const;

export interface ResolvedX0Processing {
  clipSample: boolean;
  clipSampleRange: number;
  thresholding: boolean;
  dynamicThresholdingRatio: number;
  sampleMaxValue: number;
  sampleSize: number | undefined;
}

export function resolveX0Processing(options: X0ProcessingOptions): ResolvedX0Processing {
  return {
    clipSample: assertBoolean('clipSample', options.clipSample ?? true),
    clipSampleRange: assertNumberInRange('clipSampleRange', options.clipSampleRange ?? 1, 0, Infinity, {
      minExclusive: true,
    }),
    thresholding: assertBoolean('thresholding', options.thresholding ?? false),
    dynamicThresholdingRatio: assertNumberInRange(
      'dynamicThresholdingRatio',
      options.dynamicThresholdingRatio ?? 0.995,
      0,
      1,
    ),
    sampleMaxValue: assertNumberInRange('sampleMaxValue', options.sampleMaxValue ?? 1, 0, Infinity, {
      minExclusive: true,
    }),
    sampleSize: options.sampleSize === undefined ? undefined : assertInteger('sampleSize', options.sampleSize, 1),
  };
}

/**
 * Dynamic thresholding (Saharia et al. 2022, §2.3; diffusers `_threshold_sample`), in place:
 * for each batch item, s = quantile(|x̂₀|, ratio) clamped to [1, sampleMaxValue], then
 * x̂₀ ← clamp(x̂₀, −s, s)/s. Items are consecutive runs of `sampleSize` elements.
 */
export function dynamicThreshold(
  x0: Float32Array,
  ratio: number,
  sampleMaxValue: number,
  sampleSize = x0.length,
): Float32Array {
  if (x0.length % sampleSize !== 0) {
    throw new Error(`Thresholding: sample length ${x0.length} is not a multiple of sampleSize ${sampleSize}.`);
  }
  for (let start = 0; start < x0.length; start += sampleSize) {
    const item = x0.subarray(start, start + sampleSize);
    const s = Math.min(Math.max(quantile(item.map(Math.abs), ratio), 1), sampleMaxValue);
    for (let i = 0; i < item.length; i++) item[i] = Math.min(Math.max(item[i]!, -s), s) / s;
  }
  return x0;
}

/** Step "clip or threshold x̂₀" of DDPMScheduler/DDIMScheduler.step, in place. */
export function processX0(x0: Float32Array, options: ResolvedX0Processing): Float32Array {
  if (options.thresholding) {
    return dynamicThreshold(
      x0,
      options.dynamicThresholdingRatio,
      options.sampleMaxValue,
      options.sampleSize ?? x0.length,
    );
  }
  if (options.clipSample) {
    const r = options.clipSampleRange;
    for (let i = 0; i < x0.length; i++) x0[i] = Math.min(Math.max(x0[i]!, -r), r);
  }
  return x0;
}

export function checkStepArrays(
  name: string,
  modelOutput: Float32Array,
  sample: Float32Array,
  noise?: Float32Array,
): void {
  if (modelOutput.length !== sample.length) {
    throw new Error(`${name}.step: modelOutput length ${modelOutput.length} ≠ sample length ${sample.length}.`);
  }
  if (noise !== undefined && noise.length !== sample.length) {
    throw new Error(`${name}.step: noise length ${noise.length} ≠ sample length ${sample.length}.`);
  }
}

/** Python-style indexing (negative wraps from the end), as diffusers' tensor lookups do. */
export function pyIndex<T>(values: ArrayLike<T>, index: number): T {
  const resolved = index < 0 ? values.length + index : index;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= values.length) {
    throw new Error(`Index ${index} out of range for length ${values.length}.`);
  }
  return values[resolved]!;
}

/**
 * Every option any sampler accepts. A sampler ignores the others' options (diffusers'
 * `from_config` likewise ignores config keys a scheduler does not use) but rejects unknown keys.
 */
export const ANY_SAMPLER_OPTION_KEYS = [
  ...SCHEDULE_OPTION_KEYS,
  ...X0_PROCESSING_OPTION_KEYS,
  'varianceType',
  'predictionType',
  'timestepSpacing',
  'stepsOffset',
  'eta',
  'setAlphaToOne',
  'useClippedModelOutput',
  'interpolationType',
  'finalSigmasType',
  'sChurn',
  'sTmin',
  'sTmax',
  'sNoise',
] as const;
