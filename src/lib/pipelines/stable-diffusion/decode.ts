/**
 * Latents → images: the VAE decoder (latents ÷ 0.18215 first) and TAESD (latents as they are).
 * Both return [n, 3, H, W] in [−1, 1]; the first image becomes RGBA.
 */
import { TAESD_SCALING_FACTOR, VAE_SCALING_FACTOR } from './config.ts';
import type { SdComponent } from './components.ts';
import { floatDType, floatFeed, planarToRgba, scaled, tensorSpec, type RgbaImage } from './tensors.ts';

const LATENT_INPUT = 'latent_sample';
const IMAGE_OUTPUT = 'sample';

/** Decode one latent [channels, size, size] (flat) with a decoder whose latents are x·scalingFactor. */
export async function decodeLatents(
  decoder: SdComponent,
  latents: Float32Array,
  latentDims: readonly [number, number, number],
  scalingFactor: number,
  what: string,
): Promise<RgbaImage> {
  const dtype = floatDType(tensorSpec(decoder.io, 'inputs', LATENT_INPUT, what), LATENT_INPUT);
  tensorSpec(decoder.io, 'outputs', IMAGE_OUTPUT, what);
  const outputs = await decoder.run({
    [LATENT_INPUT]: floatFeed(scaled(latents, 1 / scalingFactor), [1, ...latentDims], dtype),
  });
  const image = outputs[IMAGE_OUTPUT];
  if (!image) throw new Error(`${what} returned no "${IMAGE_OUTPUT}".`);
  return planarToRgba(image, IMAGE_OUTPUT);
}

export function decodeWithVae(
  vae: SdComponent,
  latents: Float32Array,
  latentDims: readonly [number, number, number],
): Promise<RgbaImage> {
  return decodeLatents(vae, latents, latentDims, VAE_SCALING_FACTOR, 'The VAE decoder');
}

export function decodeWithTaesd(
  taesd: SdComponent,
  latents: Float32Array,
  latentDims: readonly [number, number, number],
): Promise<RgbaImage> {
  return decodeLatents(taesd, latents, latentDims, TAESD_SCALING_FACTOR, 'The TAESD decoder');
}

export type PreviewDecoder = 'taesd' | 'vae' | 'none';

/** TAESD when present, else the VAE (unless previews are off). */
export function previewFunction(
  components: { vaeDecoder: SdComponent; taesd?: SdComponent },
  latentDims: readonly [number, number, number],
  previews: boolean,
): { decoder: PreviewDecoder; decode?: (x0: Float32Array) => Promise<RgbaImage> } {
  if (!previews) return { decoder: 'none' };
  const taesd = components.taesd;
  if (taesd) return { decoder: 'taesd', decode: (x0) => decodeWithTaesd(taesd, x0, latentDims) };
  return { decoder: 'vae', decode: (x0) => decodeWithVae(components.vaeDecoder, x0, latentDims) };
}
