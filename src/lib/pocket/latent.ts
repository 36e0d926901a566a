/**
 * Latent diffusion with the pocket models (Rombach et al. 2022): the shapes autoencoder maps a
 * 32×32×3 image to a 4×8×8 latent (f = 4) and back; the latent UNet denoises *scaled* latents.
 *
 *   encode:  q(z | x) = N(μ(x), diag σ²(x)),  z = μ + σ ⊙ ε            (the KL-regularised encoder)
 *   scale:   z ↦ c·z with c = 1 / std(z) over the training set           (`scalingFactor`, manifest)
 *   sample:  z_T ~ N(0, I) → DDIM with classifier-free guidance → ẑ₀ (scaled latent space)
 *   decode:  x̂ = D(ẑ₀ / c)
 *
 * Pure: models are `ModelRunner`s (src/lib/runtime/ort.ts in a worker or in Node), like the pixel
 * pipeline in text-to-image.ts, whose guidance and sampler this reuses — only the item shape and
 * x̂₀ clipping differ (latents are not confined to [−1, 1], so nothing is clipped).
 */
import type { TensorData } from '../runtime/ort.ts';
import type { Sampler } from '../samplers/types.ts';
import { classifierFreeGuidance, sampleAsync, type AsyncSamplingOptions, type ModelRunner } from './guided-sampling.ts';
import { createPocketSampler, type PocketSamplerName } from './sampler-config.ts';

export const LATENT_CHANNELS = 4;
export const LATENT_SIDE = 8;
export const LATENT_SHAPE = [LATENT_CHANNELS, LATENT_SIDE, LATENT_SIDE] as const;
/** Values in one latent: 4 × 8 × 8 = 256 (an image has 3 × 32 × 32 = 3072: 12× fewer). */
export const LATENT_LENGTH = LATENT_CHANNELS * LATENT_SIDE * LATENT_SIDE;
const PIXELS = [3, 32, 32] as const;
const PIXEL_LENGTH = 3 * 32 * 32;

function output(outputs: Record<string, TensorData>, name: string, length: number): Float32Array {
  const out = outputs[name];
  if (out === undefined || out.dtype !== 'float32') throw new Error(`The model returned no float32 output "${name}".`);
  if (out.data.length !== length)
    throw new Error(`Output "${name}" holds ${out.data.length} values, expected ${length}.`);
  return out.data as Float32Array;
}

function batch(values: Float32Array, length: number, what: string): number {
  if (values.length === 0 || values.length % length !== 0)
    throw new Error(`${what}: ${values.length} values is not a whole number of items of ${length}.`);
  return values.length / length;
}

/** The encoder's posterior for n images (values in [−1, 1], [n, 3, 32, 32]): μ and log σ², unscaled. */
export async function encodePosterior(
  encoder: ModelRunner,
  images: Float32Array,
): Promise<{ mean: Float32Array; logvar: Float32Array }> {
  const n = batch(images, PIXEL_LENGTH, 'encodePosterior');
  const out = await encoder({ x: { dtype: 'float32', data: images, dims: [n, ...PIXELS] } });
  return { mean: output(out, 'mean', n * LATENT_LENGTH), logvar: output(out, 'logvar', n * LATENT_LENGTH) };
}

/** z = μ + σ ⊙ ε with σ = exp(½ log σ²) (the reparameterised posterior sample), unscaled. */
export function posteriorSample(mean: Float32Array, logvar: Float32Array, noise: Float32Array): Float32Array {
  if (mean.length !== logvar.length || mean.length !== noise.length)
    throw new Error(`posteriorSample: lengths ${mean.length}, ${logvar.length}, ${noise.length} differ.`);
  return mean.map((m, i) => m + Math.exp(0.5 * logvar[i]!) * noise[i]!);
}

/** z ↦ c·z (into the UNet's latent space). */
export function scaleLatent(z: Float32Array, scalingFactor: number): Float32Array {
  return z.map((v) => v * scalingFactor);
}

/** The decoder on scaled latents: x̂ = D(z / c), [n, 3, 32, 32] (not clamped). */
export async function decodeLatents(
  decoder: ModelRunner,
  latents: Float32Array,
  scalingFactor: number,
): Promise<Float32Array> {
  const n = batch(latents, LATENT_LENGTH, 'decodeLatents');
  const z = latents.map((v) => v / scalingFactor);
  return output(
    await decoder({ z: { dtype: 'float32', data: z, dims: [n, ...LATENT_SHAPE] } }),
    'image',
    n * PIXEL_LENGTH,
  );
}

/** The pocket sampler for latents: the pixel pipeline's, without x̂₀ clipping. */
export function createLatentSampler(name: PocketSamplerName, steps: number): Sampler {
  return createPocketSampler(name, steps, { clipSample: false });
}

export interface LatentTextToImageOptions {
  /** Caption and null caption, 16 tokens each (src/lib/shapes-world/caption.ts). */
  tokens: Int32Array;
  nullTokens: Int32Array;
  /** Ho & Salimans' w. */
  weight: number;
  /** n × 256 standard-normal values: z_T of each sample. */
  initialNoise: Float32Array;
  sampler: Sampler;
  onStep?: AsyncSamplingOptions['onStep'];
  stepNoise?: AsyncSamplingOptions['stepNoise'];
}

/** Classifier-free guided sampling in the scaled latent space: the final latents ẑ₀ [n × 256]. */
export async function sampleLatents(unet: ModelRunner, options: LatentTextToImageOptions): Promise<Float32Array> {
  batch(options.initialNoise, LATENT_LENGTH, 'sampleLatents');
  const epsilon = classifierFreeGuidance(unet, {
    itemShape: LATENT_SHAPE,
    conditionInput: 'tokens',
    condition: options.tokens,
    nullCondition: options.nullTokens,
    weight: options.weight,
  });
  return sampleAsync(options.sampler, epsilon, options.initialNoise, {
    onStep: options.onStep,
    stepNoise: options.stepNoise,
  });
}
