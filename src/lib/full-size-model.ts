/**
 * The text → image widget's "full-size model" choice, as pure decisions: which manifest entries are
 * offered, the manifest's JSON turned into a ModelEntry without a schema library (browser bundles
 * must not carry zod; tests check this against src/lib/runtime/manifest.ts), sizes and needs in
 * words, whether a model can be offered here and why not, and the sampling settings per model.
 */
import type { BackendChoice } from './runtime/backend-choice';
import { formatBytes } from './runtime/download/format';
import { loadability, type ModelEntry } from './runtime/model-entry';
export { fullEntryFromJson, type FullEntryJson } from './runtime/model-entry';

export const MODEL_CHOICES = ['pocket', 'sd15', 'sd-turbo'] as const;
export type ModelChoice = (typeof MODEL_CHOICES)[number];
export type FullSizeChoice = Exclude<ModelChoice, 'pocket'>;

/** Manifest ids of the full-size choices. */
export const FULL_SIZE_IDS: Record<FullSizeChoice, string> = { sd15: 'sd15-webnn-fp16', 'sd-turbo': 'sd-turbo' };
/** Roles a full entry must list for the prompt to be encoded with the model's own tokenizer. */
export const TOKENIZER_ROLES = { tokenizer: 'tokenizer', config: 'tokenizer_config' } as const;
/** SD-Turbo is distilled for 1–4 steps (Sauer et al. 2023, adversarial diffusion distillation). */
export const TURBO_MIN_STEPS = 1;
export const TURBO_MAX_STEPS = 4;

/** `t2i.model` from the link: unknown values fall back to the pocket model with a note. */
export function parseModelChoice(raw: string | null): { model: ModelChoice; note: string | null } {
  if (raw === null) return { model: 'pocket', note: null };
  if ((MODEL_CHOICES as readonly string[]).includes(raw)) return { model: raw as ModelChoice, note: null };
  return {
    model: 'pocket',
    note: `The link asks for a model "${raw}" that this widget does not know; showing the pocket model.`,
  };
}

/** "2.07 GB", or "about 2.07 GB" while some file's exact size is unknown. */
export function downloadSizeText(entry: ModelEntry): string {
  const exact = entry.files.every((f) => f.bytes !== null);
  return `${exact ? '' : 'about '}${formatBytes(entry.totalBytes)}`;
}

/** What the browser must offer, in words. */
export function needsText(entry: Pick<ModelEntry, 'requiredFeatures'>): string {
  const f = entry.requiredFeatures;
  if (f.includes('shader-f16')) return 'WebGPU with 16-bit float shaders (the adapter feature “shader-f16”)';
  if (f.includes('webgpu')) return 'WebGPU';
  return 'nothing special (runs on WASM or WebGPU)';
}

export type Readiness = { ready: true; reason: string } | { ready: false; reason: string };

/**
 * Whether the switch can be offered: the browser must run it (chooseFor's decision), the manifest
 * must pin every file (a download that cannot be verified is not offered), and the entry must list
 * its tokenizer (the prompt is encoded with the model's own vocabulary and padding).
 */
export function readiness(entry: ModelEntry, choice: BackendChoice): Readiness {
  if (!choice.runnable) return { ready: false, reason: `${choice.reason} The pocket model stays in use.` };
  if (choice.backend !== 'webgpu')
    return {
      ready: false,
      reason: `${entry.title} runs on WebGPU only, and this page would use ${choice.backend}. The pocket model stays in use.`,
    };
  const verdict = loadability(entry);
  if (!verdict.loadable)
    return { ready: false, reason: `Your browser could run it, but ${verdict.reason} The pocket model stays in use.` };
  if (!entry.files.some((f) => f.role === TOKENIZER_ROLES.tokenizer)) {
    return {
      ready: false,
      reason: `Your browser could run it, but models/manifest.json does not list ${entry.title}'s tokenizer files yet, so a prompt cannot be encoded. The pocket model stays in use.`,
    };
  }
  return {
    ready: true,
    reason: `${choice.reason}. It needs a download of ${downloadSizeText(entry)}, which starts only after you agree.`,
  };
}

/** Settings for the SD pipelines from the widget's own: the caption is the prompt, w the guidance weight. */
export function fullSizeSettings(
  model: FullSizeChoice,
  widget: { caption: string; w: number; steps: number; seed: number },
): { prompt: string; guidanceWeight: number; steps: number; seed: number } {
  const steps =
    model === 'sd-turbo'
      ? Math.min(TURBO_MAX_STEPS, Math.max(TURBO_MIN_STEPS, Math.round(widget.steps)))
      : Math.max(1, Math.round(widget.steps));
  return { prompt: widget.caption, guidanceWeight: widget.w, steps, seed: widget.seed };
}
