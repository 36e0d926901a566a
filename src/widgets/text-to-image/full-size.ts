/**
 * Glue for the full-size choice of the text → image widget: the SD entries of models/manifest.json
 * (plain JSON, converted without a schema library), the backend decision for each, the
 * `t2i.model` URL key, and one generation with the SD pipelines in the runtime worker.
 */
import manifest from '../../../models/manifest.json';
import {
  FULL_SIZE_IDS,
  fullEntryFromJson,
  fullSizeSettings,
  parseModelChoice,
  TOKENIZER_ROLES,
  type FullEntryJson,
  type FullSizeChoice,
  type ModelChoice,
} from '../../lib/full-size-model';
import { generateSd15, generateSdTurbo, openSdComponents, type SdResult, type SdStep } from '../../lib/pipelines/stable-diffusion';
import { releaseAll, workerOpener, type WorkerComponent } from '../../lib/pipelines/stable-diffusion/worker-sessions';
import { ClipTokenizer } from '../../lib/pipelines/tokenizers/clip';
import type { BackendChoice } from '../../lib/runtime/backend-choice';
import type { LoadedModel } from '../../lib/runtime/download';
import type { ModelEntry } from '../../lib/runtime/model-entry';
import { chooseFor, pageRuntime } from '../../lib/runtime/worker/page-runtime';

const models = manifest.models as unknown as Record<string, FullEntryJson>;

export const FULL_SIZE_ENTRIES: Record<FullSizeChoice, ModelEntry> = {
  sd15: fullEntryFromJson(models[FULL_SIZE_IDS.sd15]!),
  'sd-turbo': fullEntryFromJson(models[FULL_SIZE_IDS['sd-turbo']]!),
};

export function chooseFullSizeBackend(entry: ModelEntry): Promise<BackendChoice> {
  return chooseFor({ requiredFeatures: entry.requiredFeatures });
}

export const MODEL_KEY = 't2i.model';

export function readModelChoice(search: string): { model: ModelChoice; note: string | null } {
  return parseModelChoice(new URLSearchParams(search).get(MODEL_KEY));
}

/** Writes `t2i.model` (omitted for the default, pocket) and leaves every other key as it is. */
export function writeModelChoice(model: ModelChoice): void {
  const params = new URLSearchParams(window.location.search);
  if (model === 'pocket') params.delete(MODEL_KEY);
  else params.set(MODEL_KEY, model);
  const query = params.toString();
  const { pathname, hash } = window.location;
  try {
    window.history.replaceState(window.history.state, '', `${pathname}${query ? `?${query}` : ''}${hash}`);
  } catch {
    // Throttled replaceState (SecurityError); the next change writes again.
  }
}

/**
 * One image with the downloaded files, on WebGPU in the runtime worker. Previews of x̂₀ come from
 * the model's own VAE at every step; the sessions are released afterwards.
 */
export async function generateFullSize(
  model: FullSizeChoice,
  loaded: LoadedModel,
  widget: { caption: string; w: number; steps: number; seed: number },
  options: { signal: AbortSignal; onStep: (step: SdStep, total: number) => void },
): Promise<SdResult> {
  const tokenizerJson = loaded.files.get(TOKENIZER_ROLES.tokenizer);
  if (!tokenizerJson) throw new Error(`${loaded.entry.title} has no tokenizer file in the manifest.`);
  const config = loaded.files.get(TOKENIZER_ROLES.config);
  const tokenizer = ClipTokenizer.from(tokenizerJson, config ? { config } : {});
  const tokenize = (text: string) => tokenizer.encode(text).ids;
  const { client } = await pageRuntime();
  const opened: WorkerComponent[] = [];
  try {
    // A copy per session: the bytes are transferred to the worker.
    const components = await openSdComponents(loaded.entry, workerOpener(client, 'webgpu', async (_entry, file) => loaded.files.get(file.role)!.slice(), opened));
    const settings = { ...fullSizeSettings(model, widget), signal: options.signal, onStep: options.onStep };
    return model === 'sd-turbo' ? await generateSdTurbo(components, tokenize, settings) : await generateSd15(components, tokenize, settings);
  } finally {
    releaseAll(opened);
  }
}
