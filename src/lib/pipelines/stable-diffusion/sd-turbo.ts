/**
 * SD-Turbo (Sauer et al. 2023, adversarial diffusion distillation of SD 2.1) on the public ONNX
 * export schmuell/sd-turbo-ort-web: prompt → 77 CLIP tokens → text encoder → 1–4 Euler ancestral
 * steps on 64×64×4 latents → latents ÷ 0.18215 → VAE decoder → 512×512 RGBA.
 *
 * Guidance is optional (SD-Turbo is trained to run without it): with weight w ≠ 0 the UNet sees a
 * batch of 2, [unconditional (empty or negative prompt), conditional], and ε̃ = (1 + w)·ε_c − w·ε_u
 * (Ho & Salimans 2022, eq. 6); with w = 0 only the conditional row is computed.
 */
import type { SdComponents } from './components.ts';
import { LATENT_CHANNELS, SD_TURBO, sdTurboSampler } from './config.ts';
import { decodeWithVae, previewFunction, type PreviewDecoder } from './decode.ts';
import { denoise, type SdStep } from './denoise.ts';
import { encodeTokens, tokenizeChecked, type Tokenize } from './text.ts';
import { castFloat, type RgbaImage } from './tensors.ts';
import { unetContract, unetPredictor } from './unet.ts';

export interface SdTurboOptions {
  prompt: string;
  /** The unconditional prompt when guidance is on (default ''). */
  negativePrompt?: string;
  /** 1–4 (default 1). */
  steps?: number;
  /** Ho & Salimans' w (0 = no guidance, one UNet row; diffusers' guidance_scale is 1 + w). */
  guidanceWeight?: number;
  seed: number;
  /** Latent side (image side ÷ 8); the export's spatial dims are symbolic. Default 64 (512 px). */
  latentSize?: number;
  /** Decode x̂₀ at every step (TAESD if present, else the VAE). Default true. */
  previews?: boolean;
  signal?: AbortSignal;
  onStep?: (step: SdStep, total: number) => void;
}

export interface SdTimings {
  textEncoderMs: number;
  /** One entry per UNet call. */
  unetMs: number[];
  previewMs: number[];
  vaeDecoderMs: number;
  totalMs: number;
}

export interface SdResult {
  model: string;
  steps: SdStep[];
  /** The final latents x_0 (before ÷ 0.18215). */
  latents: Float32Array;
  latentDims: [number, number, number];
  image: RgbaImage;
  previewDecoder: PreviewDecoder;
  tokens: { conditional: Int32Array; unconditional?: Int32Array };
  timings: SdTimings;
}

export function checkTurboSteps(steps: number): number {
  if (!Number.isInteger(steps) || steps < 1 || steps > SD_TURBO.maxSteps)
    throw new Error(`SD-Turbo runs 1–${SD_TURBO.maxSteps} steps; got ${steps}.`);
  return steps;
}

export async function generateSdTurbo(
  components: SdComponents,
  tokenize: Tokenize,
  options: SdTurboOptions,
): Promise<SdResult> {
  const started = performance.now();
  const steps = checkTurboSteps(options.steps ?? 1);
  const weight = options.guidanceWeight ?? 0;
  if (!Number.isFinite(weight)) throw new Error(`Guidance weight must be a finite number; got ${weight}.`);
  const guided = weight !== 0;
  const size = options.latentSize ?? SD_TURBO.latentSize;
  const latentDims: [number, number, number] = [LATENT_CHANNELS, size, size];
  const latentLength = LATENT_CHANNELS * size * size;
  const { unet } = components;
  const { sampleType, contextType } = unetContract(unet);

  const conditional = tokenizeChecked(tokenize, options.prompt);
  const unconditional = guided ? tokenizeChecked(tokenize, options.negativePrompt ?? '') : undefined;
  const t0 = performance.now();
  const hidden = await encodeTokens(
    components.textEncoder,
    unconditional ? [unconditional, conditional] : [conditional],
  );
  const textEncoderMs = performance.now() - t0;
  const context = castFloat(hidden, contextType, 'last_hidden_state');
  const rows: 1 | 2 = guided ? 2 : 1;

  const preview = previewFunction(components, latentDims, options.previews ?? true);
  const { steps: kept, latents } = await denoise({
    sampler: sdTurboSampler(),
    steps,
    latentLength,
    seed: options.seed,
    signal: options.signal,
    onStep: options.onStep,
    preview: preview.decode,
    predict: unetPredictor(unet, { rows, latentDims, context, weight, sampleType }),
  });
  const t1 = performance.now();
  const image = await decodeWithVae(components.vaeDecoder, latents, latentDims);
  const vaeDecoderMs = performance.now() - t1;
  return {
    model: SD_TURBO.id,
    steps: kept,
    latents,
    latentDims,
    image,
    previewDecoder: preview.decoder,
    tokens: { conditional, ...(unconditional ? { unconditional } : {}) },
    timings: {
      textEncoderMs,
      unetMs: kept.map((s) => s.unetMs),
      previewMs: kept.flatMap((s) => (s.previewMs === undefined ? [] : [s.previewMs])),
      vaeDecoderMs,
      totalMs: performance.now() - started,
    },
  };
}
