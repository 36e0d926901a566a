import { loadability, type ModelEntry } from '../model-entry';
import { purgeOldBuckets, readCached, type StorageDeps, storeCached } from './cache';
import { CONSENT_THRESHOLD_BYTES } from './consent';
import { DownloadError } from './errors';
import { browserFetchDeps, fetchVerifiedFile, type FetchDeps, type Source } from './fetch-file';
import { formatBytes } from './format';
import { type DownloadProgress, ProgressMeter } from './progress';

export interface LoadOptions {
  /** The reader agreed to download this model's size (required above 50 MB). */
  consent?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Messages for the reader that do not stop the load (quota, a purged damaged copy). */
  onNotice?: (message: string) => void;
  fetchDeps?: Partial<FetchDeps>;
  /** Cache Storage access; null when unavailable (the model then runs from memory). */
  storage: StorageDeps | null;
  now?: () => number;
}

export interface LoadedModel {
  entry: ModelEntry;
  /** Verified bytes per file role. */
  files: Map<string, Uint8Array>;
  sources: Record<string, Source>;
  /** Whether every file is in Cache Storage now. */
  stored: boolean;
  notices: string[];
}

const purged = new WeakMap<CacheStorage, Promise<string[]>>();

/** Gets every file of a model: from Cache Storage when a verified copy is there, else over the network (verified, then stored). */
export async function loadModel(entry: ModelEntry, options: LoadOptions): Promise<LoadedModel> {
  const verdict = loadability(entry);
  if (!verdict.loadable) throw new DownloadError('unpinned', verdict.reason);
  const deps = browserFetchDeps(options.fetchDeps);
  const storage = options.storage;
  const notices: string[] = [];
  const notice = (m: string) => {
    notices.push(m);
    options.onNotice?.(m);
  };
  if (storage) {
    if (!purged.has(storage.caches))
      purged.set(
        storage.caches,
        purgeOldBuckets(storage).catch(() => []),
      );
    await purged.get(storage.caches);
  }

  const files = new Map<string, Uint8Array>();
  const sources: Record<string, Source> = {};
  const toFetch = [];
  for (const file of entry.files) {
    const cached = storage
      ? await readCached(storage, file).catch(() => ({ status: 'miss' as const }))
      : { status: 'miss' as const };
    if (cached.status === 'hit') {
      files.set(file.role, cached.bytes);
      sources[file.role] = 'cache';
    } else {
      if (cached.status === 'purged')
        notice(
          `${entry.title} · ${file.role}: the stored copy was damaged (${cached.reason}); it was deleted and is downloaded again.`,
        );
      toFetch.push(file);
    }
  }
  const fetchBytes = toFetch.reduce((s, f) => s + (f.bytes ?? 0), 0);
  if (fetchBytes > CONSENT_THRESHOLD_BYTES && !options.consent) {
    throw new DownloadError(
      'consent',
      `${entry.title} needs a download of ${formatBytes(fetchBytes)}. It starts only after you agree.`,
    );
  }

  const meter = new ProgressMeter(entry.totalBytes, options.now);
  for (const role of files.keys()) options.onProgress?.(meter.add(files.get(role)!.length, role, 'cache'));
  let stored = storage !== null;
  for (const file of toFetch) {
    const label = `${entry.title} · ${file.role}`;
    let source: Source = 'site';
    const { bytes } = await fetchVerifiedFile(
      file,
      label,
      deps,
      {
        onSource: (s) => (source = sources[file.role] = s),
        onChunk: (n) => options.onProgress?.(meter.add(n, file.role, source)),
        onDiscard: (n) => meter.rewind(n),
      },
      options.signal,
    );
    files.set(file.role, bytes);
    if (storage) {
      const write = await storeCached(storage, entry, file, bytes);
      if (!write.stored) {
        stored = false;
        notice(write.message);
      }
    } else {
      stored = false;
    }
  }
  if (!storage)
    notice(
      `${entry.title} runs from memory: this browser offers no Cache Storage here, so it is downloaded again next visit.`,
    );
  return { entry, files, sources, stored, notices };
}
