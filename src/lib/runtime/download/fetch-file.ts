import { hubUrl, type ModelFile } from '../model-entry';
import { DownloadError } from './errors';
import type { DownloadProgress } from './progress';
import { DEFAULT_RETRY, type RetryPolicy, withRetries } from './retry';
import { browserNetwork, errorText, type Expected, type NetworkState, offlineError, readVerified } from './verify';

export interface FetchDeps {
  fetch: typeof fetch;
  network: NetworkState;
  retry: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Base for site and mirror paths (the page's origin in a browser). */
  siteBase: string;
  hubBase: string;
  onRetry?: (error: DownloadError, delayMs: number, attempt: number) => void;
}

export function browserFetchDeps(overrides: Partial<FetchDeps> = {}): FetchDeps {
  return {
    fetch: (...args) => fetch(...args),
    network: browserNetwork(),
    retry: DEFAULT_RETRY,
    siteBase: typeof location === 'undefined' ? 'http://localhost/' : location.origin,
    hubBase: 'https://huggingface.co',
    ...overrides,
  };
}

export type Source = DownloadProgress['source'];

/** Exact size and digest are required to fetch anything (see loadability in the manifest). */
export function expectedOf(file: ModelFile, label: string): Expected {
  if (file.bytes === null || file.sha256 === null) {
    throw new DownloadError(
      'unpinned',
      `${label}: the manifest has no exact size and SHA-256 for this file, so it cannot be verified and is not downloaded.`,
    );
  }
  return { label, bytes: file.bytes, sha256: file.sha256 };
}

/**
 * Where to fetch from: the site for pocket files; for Hub files the local mirror when a HEAD
 * request shows it holds a file of the right size, else the Hub at the pinned revision.
 */
export async function chooseSource(
  file: ModelFile,
  deps: FetchDeps,
  signal?: AbortSignal,
): Promise<{ url: string; source: Source }> {
  const local = new URL(file.sitePath, deps.siteBase).href;
  if (!file.hub) return { url: local, source: 'site' };
  try {
    const head = await deps.fetch(local, { method: 'HEAD', cache: 'no-store', signal });
    const type = head.headers.get('content-type') ?? '';
    if (head.ok && !/text\/html/i.test(type) && Number(head.headers.get('content-length')) === file.bytes)
      return { url: local, source: 'mirror' };
  } catch {
    // No mirror (or no network): the Hub attempt below reports what is wrong.
  }
  return { url: hubUrl(file, deps.hubBase), source: 'hub' };
}

/**
 * Fetches one file and returns its verified bytes. `onChunk` gets each chunk's length;
 * `onDiscard` gets the bytes of a failed attempt before a retry (so progress can take them back).
 */
export async function fetchVerifiedFile(
  file: ModelFile,
  label: string,
  deps: FetchDeps,
  callbacks: {
    onSource?: (s: Source) => void;
    onChunk?: (bytes: number) => void;
    onDiscard?: (bytes: number) => void;
  } = {},
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; source: Source }> {
  const expected = expectedOf(file, label);
  if (!deps.network.onLine()) throw offlineError(label);
  const { url, source } = await chooseSource(file, deps, signal);
  callbacks.onSource?.(source);
  let attemptBytes = 0;
  const bytes = await withRetries(
    async () => {
      if (attemptBytes > 0) callbacks.onDiscard?.(attemptBytes);
      attemptBytes = 0;
      let response: Response;
      try {
        response = await deps.fetch(url, { cache: 'no-store', signal });
      } catch (e) {
        if (signal?.aborted) throw new DownloadError('aborted', `${label}: download cancelled.`);
        if (!deps.network.onLine()) throw offlineError(label);
        throw new DownloadError('network', `${label}: the request failed (${errorText(e)}).`, true);
      }
      return readVerified(
        response,
        expected,
        (n) => {
          attemptBytes += n;
          callbacks.onChunk?.(n);
        },
        { signal, network: deps.network },
      );
    },
    deps.retry,
    { sleep: deps.sleep, signal, onRetry: deps.onRetry },
  ).catch((e: unknown) => {
    if (attemptBytes > 0) callbacks.onDiscard?.(attemptBytes);
    throw e;
  });
  return { bytes, source };
}
