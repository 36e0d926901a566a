/**
 * The numbers a Stable Diffusion pipeline needs besides the ONNX files, each with its source.
 * The files' IO contracts live in models/manifest.json (entries sd-turbo, sd15-webnn-fp16, taesd).
 */
import { createSampler, type Sampler } from '../../samplers/index.ts';
import type { ScheduleOptions } from '../../schedules.ts';

/**
 * Both models were trained on the same 1000-step scaled-linear schedule, β from 0.00085 to 0.012
 * (scheduler_config.json of runwayml/stable-diffusion-v1-5 and of stabilityai/sd-turbo /
 * sdxl-turbo: beta_schedule "scaled_linear", beta_start 0.00085, beta_end 0.012).
 */
export const SD_SCHEDULE: ScheduleOptions = {
  numTrainTimesteps: 1000,
  betaSchedule: 'scaled_linear',
  betaStart: 0.00085,
  betaEnd: 0.012,
};

/** Latents are the VAE encoder's output times this (Rombach et al. 2022, §4.3.2 "rescale the latent"); decode latents ÷ 0.18215. */
export const VAE_SCALING_FACTOR = 0.18215;
/** TAESD reads the diffusion latents as they are: its latent scale factor is 1 (madebyollin/taesd README). */
export const TAESD_SCALING_FACTOR = 1;

export const LATENT_CHANNELS = 4;
export const VAE_DOWNSAMPLING = 8;
/** Every SD 1.x/2.x text encoder reads 77 CLIP tokens. */
export const TEXT_LENGTH = 77;

export const SD_TURBO = {
  id: 'sd-turbo',
  hiddenSize: 1024,
  /** 512×512 images (sd-turbo's training resolution), 64×64 latents. */
  latentSize: 64,
  /**
   * SD 2.x tokenizers (and so SD-Turbo's) pad with "!", id 0 (their special_tokens_map pad_token);
   * the public ORT demo sets `pad_token_id = 0` for the same reason.
   */
  padTokenId: 0,
  /** The distillation targets 1–4 steps (Sauer et al. 2023, "Adversarial Diffusion Distillation", §4). */
  maxSteps: 4,
} as const;

export const SD15 = {
  id: 'sd15-webnn-fp16',
  hiddenSize: 768,
  latentSize: 64,
  /** OpenAI CLIP's tokenizer (SD 1.x) pads with <|endoftext|>; the WebNN demo fills with 49407. */
  padTokenId: 49407,
  /** The UNet export is fixed to batch 2: [unconditional, conditional] rows in one call. */
  unetBatch: 2,
} as const;

/**
 * SD-Turbo's sampler: diffusers' EulerAncestralDiscreteScheduler with timestep_spacing "trailing"
 * and steps_offset 1 (the scheduler_config.json of stabilityai/sdxl-turbo, distilled the same way),
 * so one step is t = 999 with σ ≈ 14.6146 (the σ the ORT demo hard-codes) and four steps are
 * 999, 749, 499, 249. With one step Euler and Euler ancestral coincide (σ_next = 0, no noise).
 */
export function sdTurboSampler(): Sampler {
  return createSampler('euler-ancestral', { ...SD_SCHEDULE, timestepSpacing: 'trailing', stepsOffset: 1 });
}

export const SD15_SAMPLERS = ['euler', 'euler-ancestral', 'ddim'] as const;
export type Sd15SamplerName = (typeof SD15_SAMPLERS)[number];

/**
 * SD 1.5's samplers as diffusers builds them from its scheduler_config.json (steps_offset 1,
 * set_alpha_to_one false, clip_sample false; no timestep_spacing key, so each scheduler's default:
 * 'linspace' for the Euler ones, whose 25-step grid 999, 957.375, … 0 the WebNN demo hard-codes,
 * and 'leading' for DDIM).
 */
export function sd15Sampler(name: Sd15SamplerName, eta = 0): Sampler {
  switch (name) {
    case 'euler':
      return createSampler('euler', { ...SD_SCHEDULE, timestepSpacing: 'linspace', stepsOffset: 1 });
    case 'euler-ancestral':
      return createSampler('euler-ancestral', { ...SD_SCHEDULE, timestepSpacing: 'linspace', stepsOffset: 1 });
    case 'ddim':
      return createSampler('ddim', {
        ...SD_SCHEDULE,
        timestepSpacing: 'leading',
        stepsOffset: 1,
        setAlphaToOne: false,
        clipSample: false,
        eta,
      });
  }
}

/**
 * ORT `freeDimensionOverrides` per file: the symbolic dimensions fixed when the session is created,
 * as the public demos do, so ORT can plan memory and WebGPU can reuse its pipelines. Batch sizes
 * that change with guidance (SD-Turbo's text encoder and UNet: 1 without, 2 with) stay free, and so
 * does SD-Turbo's text sequence length in the text encoder (the ORT demo notes that fixing it there
 * "produces a bad image"). Names are the exports' own (see models/manifest.json).
 */
export function dimensionOverrides(entryId: string, role: string, latentSize = 64): Record<string, number> | undefined {
  const latent = { num_channels_latent: LATENT_CHANNELS, height_latent: latentSize, width_latent: latentSize };
  if (entryId === SD_TURBO.id && role === 'unet')
    return { num_channels: LATENT_CHANNELS, height: latentSize, width: latentSize, sequence_length: TEXT_LENGTH };
  if (entryId === SD_TURBO.id && role === 'vae_decoder') return { batch_size: 1, ...latent };
  if (entryId === 'taesd' && role === 'vae_decoder') return { batch_size: 1, ...latent };
  if (entryId === SD15.id && role === 'text_encoder') return { batch: SD15.unetBatch, sequence: TEXT_LENGTH };
  return undefined;
}
