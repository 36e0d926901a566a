export {
  CACHE_NAME,
  CACHE_PREFIX,
  MODELS_CHANGED_EVENT,
  browserStorage,
  deleteStored,
  listStored,
  purgeOldBuckets,
  readCached,
  storeCached,
} from './cache';
export type { StorageDeps, StoredModel } from './cache';
export { CONSENT_THRESHOLD_BYTES, needsConsent } from './consent';
export { DownloadError, isDownloadError } from './errors';
export type { DownloadErrorKind } from './errors';
export { browserFetchDeps, chooseSource, fetchVerifiedFile } from './fetch-file';
export type { FetchDeps, Source } from './fetch-file';
export { formatBytes, formatDuration, formatRate } from './format';
export { loadModel } from './load-model';
export type { LoadedModel, LoadOptions } from './load-model';
export { ProgressMeter } from './progress';
export type { DownloadProgress } from './progress';
export { DEFAULT_RETRY, backoffDelay, withRetries } from './retry';
export type { RetryPolicy } from './retry';
export { looksLikeHtml, readVerified, sha256Hex } from './verify';
