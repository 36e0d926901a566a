/**
 * Glue for the full-size choice of the text → image widget: the SD entries of models/manifest.json
 * (plain JSON, converted without a schema library), the backend decision for each, the
 * `t2i.model` URL key. The generation itself is in full-size-generate.ts.
 */
import manifest from '../../../models/manifest.json';
import {
  FULL_SIZE_IDS,
  fullEntryFromJson,
  parseModelChoice,
  type FullEntryJson,
  type FullSizeChoice,
  type ModelChoice,
} from '../../lib/full-size-model';
import type { BackendChoice } from '../../lib/runtime/backend-choice';
import type { ModelEntry } from '../../lib/runtime/model-entry';
import { chooseFor } from '../../lib/runtime/worker/page-runtime';

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
