/**
 * Stable Diffusion 1.5 on the fp16 WebNN/WebGPU export microsoft/stable-diffusion-v1.5-webnn.
 * Its UNet is fixed to a batch of 2, which is exactly classifier-free guidance in one call: row 0
 * the unconditional (empty or negative) prompt, row 1 the prompt, ε̃ = (1 + w)·ε_c − w·ε_u
 * (Ho & Salimans 2022, eq. 6; diffusers' guidance_scale is 1 + w, the demo's 7.5 is w = 6.5).
 * Steps, sampler (Euler, Euler ancestral, DDIM) and w are free. Every tensor crossing the model
 * boundary is float16 (converted with round-to-nearest-even, see ../float16.ts); the sampler works
 * in float32.
 */
import { guideWithWeight } from '../../guidance.ts';
import type { SdComponents } from './components.ts';
import { LATENT_CHANNELS, SD15, sd15Sampler, type Sd15SamplerName } from './config.ts';
import { decodeWithVae, previewFunction } from './decode.ts';
import { denoise, type SdStep } from './denoise.ts';
import type { SdResult } from './sd-turbo.ts';
import { encodeTokens, tokenizeChecked, type Tokenize } from './text.ts';
import { castFloat, floatDType, floatFeed, floatValues, int64Feed, repeat, tensorSpec } from './tensors.ts';

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

const SAMPLE = 'sample';
const TIMESTEP = 'timestep';
const CONTEXT = 'encoder_hidden_states';
const OUT = 'out_sample';

function fixedBatch(shape: ReadonlyArray<number | string>): number {
  const batch = shape[0];
  if (batch !== SD15.unetBatch) throw new Error(`The SD 1.5 UNet contract has batch ${String(batch)}; this pipeline needs the batch-2 export.`);
  return batch;
}

export async function generateSd15(components: SdComponents, tokenize: Tokenize, options: Sd15Options): Promise<SdResult> {
  const started = performance.now();
  const steps = options.steps ?? SD15_DEFAULT_STEPS;
  if (!Number.isInteger(steps) || steps < 1 || steps > 1000) throw new Error(`Steps must be an integer from 1 to 1000; got ${steps}.`);
  const weight = options.guidanceWeight ?? SD15_DEFAULT_WEIGHT;
  if (!Number.isFinite(weight)) throw new Error(`Guidance weight must be a finite number; got ${weight}.`);
  const { unet } = components;
  const sampleSpec = tensorSpec(unet.io, 'inputs', SAMPLE, 'The UNet');
  const rows = fixedBatch(sampleSpec.shape);
  const sampleType = floatDType(sampleSpec, SAMPLE);
  const contextType = floatDType(tensorSpec(unet.io, 'inputs', CONTEXT, 'The UNet'), CONTEXT);
  tensorSpec(unet.io, 'inputs', TIMESTEP, 'The UNet');
  tensorSpec(unet.io, 'outputs', OUT, 'The UNet');
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
    predict: async (modelInput, modelTimestep) => {
      const out = await unet.run({
        [SAMPLE]: floatFeed(repeat(modelInput, rows), [rows, ...latentDims], sampleType),
        [TIMESTEP]: int64Feed(new Array<number>(rows).fill(modelTimestep)),
        [CONTEXT]: context,
      });
      const eps = floatValues(out[OUT], OUT);
      if (eps.length !== rows * latentLength) throw new Error(`The UNet returned ${eps.length} values; expected ${rows * latentLength}.`);
      const uncond = eps.slice(0, latentLength);
      const cond = eps.slice(latentLength);
      return { epsilon: guideWithWeight(cond, uncond, weight), conditional: cond, unconditional: uncond };
    },
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
