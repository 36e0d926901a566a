import type { ModelEntry } from '../model-entry';

/** Downloads above this many bytes (50 MB, decimal) need the reader's explicit agreement. */
export const CONSENT_THRESHOLD_BYTES = 50_000_000;

/** Whether fetching this model (all of its files) needs consent; pass the bytes already stored to count only the rest. */
export function needsConsent(entry: ModelEntry, alreadyStoredBytes = 0): boolean {
  return entry.totalBytes - alreadyStoredBytes > CONSENT_THRESHOLD_BYTES;
}
