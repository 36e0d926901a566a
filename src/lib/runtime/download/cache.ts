import type { ModelEntry, ModelFile } from '../model-entry';
import { formatBytes } from './format';
import { sha256Hex } from './verify';

/** Bump the version when the stored format changes; older buckets are deleted on first use. */
export const CACHE_PREFIX = 'dsbs-models-';
export const CACHE_NAME = `${CACHE_PREFIX}v1`;
/** Dispatched on window after a model is stored or deleted, so lists refresh. */
export const MODELS_CHANGED_EVENT = 'dsbs:models-changed';

export interface StorageDeps {
  caches: CacheStorage;
  estimate: () => Promise<StorageEstimate | null>;
  siteBase: string;
}

export function browserStorage(): StorageDeps | null {
  if (typeof caches === 'undefined') return null; // insecure context or very old browser
  return {
    caches,
    estimate: async () =>
      typeof navigator !== 'undefined' && navigator.storage?.estimate ? navigator.storage.estimate() : null,
    siteBase: location.origin,
  };
}

export interface StoredModel {
  id: string;
  title: string;
  bytes: number;
  files: { role: string; bytes: number; url: string }[];
}

export type CacheRead =
  { status: 'hit'; bytes: Uint8Array } | { status: 'miss' } | { status: 'purged'; reason: string };
export type CacheWrite = { stored: true } | { stored: false; message: string };

/** The key carries the digest, so a new version of a file never matches an old copy. */
export function cacheKey(file: ModelFile, siteBase: string): string {
  return new URL(`${file.sitePath}?sha256=${file.sha256 ?? 'unpinned'}`, siteBase).href;
}

const HEADER = { model: 'x-dsbs-model', title: 'x-dsbs-title', role: 'x-dsbs-file', sha256: 'x-dsbs-sha256' } as const;

/** Deletes every bucket of ours except the current one; returns their names. */
export async function purgeOldBuckets(storage: StorageDeps): Promise<string[]> {
  const old = (await storage.caches.keys()).filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE_NAME);
  await Promise.all(old.map((n) => storage.caches.delete(n)));
  return old;
}

/** Reads a stored file and checks size and SHA-256 again; a damaged copy is deleted. */
export async function readCached(storage: StorageDeps, file: ModelFile): Promise<CacheRead> {
  const cache = await storage.caches.open(CACHE_NAME);
  const key = cacheKey(file, storage.siteBase);
  const hit = await cache.match(key);
  if (!hit) return { status: 'miss' };
  const bytes = new Uint8Array(await hit.arrayBuffer());
  let reason: string | null = null;
  if (bytes.length !== file.bytes) reason = `stored copy has ${bytes.length} bytes, expected ${file.bytes}`;
  else if ((await sha256Hex(bytes)) !== file.sha256) reason = 'stored copy fails its SHA-256 check';
  if (reason === null) return { status: 'hit', bytes };
  await cache.delete(key);
  return { status: 'purged', reason };
}

function isQuotaError(e: unknown): boolean {
  return (e as { name?: unknown } | null)?.name === 'QuotaExceededError';
}

/** Stores verified bytes; when storage is full, says so with the browser's own figures instead of failing. */
export async function storeCached(
  storage: StorageDeps,
  entry: ModelEntry,
  file: ModelFile,
  bytes: Uint8Array,
): Promise<CacheWrite> {
  const headers = new Headers({
    'content-type': 'application/octet-stream',
    'content-length': String(bytes.length),
    [HEADER.model]: entry.id,
    [HEADER.title]: encodeURIComponent(entry.title),
    [HEADER.role]: file.role,
    [HEADER.sha256]: file.sha256 ?? '',
  });
  try {
    const cache = await storage.caches.open(CACHE_NAME);
    await cache.put(cacheKey(file, storage.siteBase), new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    return { stored: true };
  } catch (e) {
    const estimate = await storage.estimate().catch(() => null);
    const figures =
      estimate && estimate.quota !== undefined && estimate.usage !== undefined
        ? ` The browser allows this site ${formatBytes(estimate.quota)} and ${formatBytes(estimate.usage)} is in use (${formatBytes(Math.max(0, estimate.quota - estimate.usage))} free); this file needs ${formatBytes(bytes.length)}.`
        : '';
    const why = isQuotaError(e)
      ? 'there is not enough storage space'
      : `the browser refused to store it (${e instanceof Error ? e.message : String(e)})`;
    return {
      stored: false,
      message: `${entry.title} runs from memory for this visit but was not kept for next time: ${why}.${figures} Deleting other downloaded models frees space.`,
    };
  }
}

/** What is stored, grouped by model, with sizes from the stored headers (bodies are not read). */
export async function listStored(storage: StorageDeps): Promise<StoredModel[]> {
  const cache = await storage.caches.open(CACHE_NAME);
  const byId = new Map<string, StoredModel>();
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (!response) continue;
    const id = response.headers.get(HEADER.model) ?? new URL(request.url).pathname;
    const bytes = Number(response.headers.get('content-length') ?? 0);
    const model = byId.get(id) ?? {
      id,
      title: decodeURIComponent(response.headers.get(HEADER.title) ?? id),
      bytes: 0,
      files: [],
    };
    model.files.push({ role: response.headers.get(HEADER.role) ?? 'file', bytes, url: request.url });
    model.bytes += bytes;
    byId.set(id, model);
  }
  return [...byId.values()].sort((a, b) => a.title.localeCompare(b.title));
}

/** Deletes every stored file of a model; returns how many were deleted. */
export async function deleteStored(storage: StorageDeps, id: string): Promise<number> {
  const cache = await storage.caches.open(CACHE_NAME);
  let deleted = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    if (response?.headers.get(HEADER.model) === id && (await cache.delete(request))) deleted += 1;
  }
  return deleted;
}
