/**
 * Stable Diffusion 1.5 on the fp16 WebNN/WebGPU export microsoft/stable-diffusion-v1.5-webnn.
 * Its UNet is fixed to a batch of 2, which is exactly classifier-free guidance in one call: row 0
 * the unconditional (empty or negative) prompt, row 1 the prompt, ε̃ = (1 + w)·ε_c − w·ε_u
 * (Ho & Salimans 2022, eq. 6; diffusers' guidance_scale is 1 + w, the demo's 7.5 is w = 6.5).
 * Steps, sampler (Euler, Euler ancestral, DDIM) and w are free. Every tensor crossing the model
 * boundary is float16 (converted with round-to-nearest-even, see ../float16.ts); the sampler works
 * in float32.
 */
import type { SdComponents } from './components.ts';
import { LATENT_CHANNELS, SD15, sd15Sampler, type Sd15SamplerName } from './config.ts';
import { decodeWithVae, previewFunction } from './decode.ts';
import { denoise, type SdStep } from './denoise.ts';
import type { SdResult } from './sd-turbo.ts';
import { encodeTokens, tokenizeChecked, type Tokenize } from './text.ts';
import { castFloat } from './tensors.ts';
import { unetContract, unetPredictor } from './unet.ts';

export interface Sd15Options {
  prompt: string;
  negativePrompt?: string;
  /** Default 25 (the demo's count). */
  steps?: number;
  /** Default 'euler' (the demo's sampler). */
  sampler?: Sd15SamplerName;
  /** DDIM's η (Song et al. 2021, eq. 16); default 0. */
  eta?: number;
  /** Ho & Salimans' w; default 6.5 (guidance_scale 7.5). 0 = the conditional prediction alone. */
  guidanceWeight?: number;
  seed: number;
  previews?: boolean;
  signal?: AbortSignal;
  onStep?: (step: SdStep, total: number) => void;
}

export const SD15_DEFAULT_STEPS = 25;
export const SD15_DEFAULT_WEIGHT = 6.5;

export async function generateSd15(
  components: SdComponents,
  tokenize: Tokenize,
  options: Sd15Options,
): Promise<SdResult> {
  const started = performance.now();
  const steps = options.steps ?? SD15_DEFAULT_STEPS;
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000)
    throw new Error(`Steps must be an integer from 1 to 1000; got ${steps}.`);
  const weight = options.guidanceWeight ?? SD15_DEFAULT_WEIGHT;
  if (!Number.isFinite(weight)) throw new Error(`Guidance weight must be a finite number; got ${weight}.`);
  const { unet } = components;
  const { sampleType, contextType, batch } = unetContract(unet);
  if (batch !== SD15.unetBatch)
    throw new Error(`The SD 1.5 UNet contract has batch ${String(batch)}; this pipeline needs the batch-2 export.`);
  const size = SD15.latentSize;
  const latentDims: [number, number, number] = [LATENT_CHANNELS, size, size];
  const latentLength = LATENT_CHANNELS * size * size;

  const conditional = tokenizeChecked(tokenize, options.prompt);
  const unconditional = tokenizeChecked(tokenize, options.negativePrompt ?? '');
  const t0 = performance.now();
  const hidden = await encodeTokens(components.textEncoder, [unconditional, conditional]);
  const textEncoderMs = performance.now() - t0;
  // float16 straight from the text encoder into the UNet: no round trip through float32.
  const context = castFloat(hidden, contextType, 'last_hidden_state');

  const preview = previewFunction(components, latentDims, options.previews ?? true);
  const { steps: kept, latents } = await denoise({
    sampler: sd15Sampler(options.sampler ?? 'euler', options.eta ?? 0),
    steps,
    latentLength,
    seed: options.seed,
    signal: options.signal,
    onStep: options.onStep,
    preview: preview.decode,
    predict: unetPredictor(unet, { rows: 2, latentDims, context, weight, sampleType }),
  });
  const t1 = performance.now();
  const image = await decodeWithVae(components.vaeDecoder, latents, latentDims);
  const vaeDecoderMs = performance.now() - t1;
  return {
    model: SD15.id,
    steps: kept,
    latents,
    latentDims,
    image,
    previewDecoder: preview.decoder,
    tokens: { conditional, unconditional },
    timings: {
      textEncoderMs,
      unetMs: kept.map((s) => s.unetMs),
      previewMs: kept.flatMap((s) => (s.previewMs === undefined ? [] : [s.previewMs])),
      vaeDecoderMs,
      totalMs: performance.now() - started,
    },
  };
}
