import { DownloadError } from './errors';
import { formatBytes } from './format';

export interface Expected {
  /** Human name for messages, e.g. "SD-Turbo · unet". */
  label: string;
  bytes: number;
  sha256: string;
}

export interface NetworkState {
  /** `navigator.onLine` where there is one. */
  onLine(): boolean;
}

export const alwaysOnline: NetworkState = { onLine: () => true };

export function browserNetwork(): NetworkState {
  return { onLine: () => (typeof navigator === 'undefined' ? true : navigator.onLine !== false) };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A model file never starts with "<"; an HTML page (error page, login wall, SPA fallback) does, after optional whitespace or a BOM. */
export function looksLikeHtml(head: Uint8Array): boolean {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i += 1;
  return i < head.length && head[i] === 0x3c;
}

export function htmlError(label: string): DownloadError {
  return new DownloadError(
    'html',
    `${label}: the server sent a web page instead of the model file (often an error or sign-in page). Nothing was kept.`,
  );
}

/** Rejects what cannot be the file before reading the body: error statuses, HTML, a wrong announced size. */
export function checkHeaders(response: Response, expected: Expected): void {
  if (!response.ok) {
    const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
    throw new DownloadError(
      'http',
      `${expected.label}: the server answered ${response.status} ${response.statusText}`.trim() + '.',
      retryable,
      response.status,
    );
  }
  const type = response.headers.get('content-type') ?? '';
  if (/^\s*text\/html\b/i.test(type)) throw htmlError(expected.label);
  const encoding = (response.headers.get('content-encoding') ?? 'identity').toLowerCase();
  const length = response.headers.get('content-length');
  // With a content encoding, Content-Length counts the compressed bytes: only the body can tell.
  if (length !== null && encoding === 'identity' && Number(length) !== expected.bytes) {
    throw new DownloadError(
      'size',
      `${expected.label}: the server announced ${formatBytes(Number(length))} (${length} bytes), the manifest states ${expected.bytes} bytes — a different file. Nothing was kept.`,
    );
  }
}

/**
 * Reads a response body into one buffer of exactly `expected.bytes`, reporting each chunk, then
 * checks its SHA-256. Throws DownloadError for HTML, truncation, overlong bodies, digest mismatch,
 * loss of network and abort.
 */
export async function readVerified(
  response: Response,
  expected: Expected,
  onChunk: (bytes: number) => void,
  options: { signal?: AbortSignal; network?: NetworkState } = {},
): Promise<Uint8Array> {
  checkHeaders(response, expected);
  if (!response.body) throw new DownloadError('network', `${expected.label}: the response has no body.`, true);
  const network = options.network ?? browserNetwork();
  const out = new Uint8Array(expected.bytes);
  const reader = response.body.getReader();
  let received = 0;
  let checkedHead = false;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new DownloadError('aborted', `${expected.label}: download cancelled.`);
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (options.signal?.aborted) throw new DownloadError('aborted', `${expected.label}: download cancelled.`);
        if (!network.onLine()) throw offlineError(expected.label, received, expected.bytes);
        throw new DownloadError(
          'truncated',
          `${expected.label}: the connection closed after ${formatBytes(received)} of ${formatBytes(expected.bytes)} (${errorText(e)}). The partial file was discarded.`,
          true,
        );
      }
      if (chunk.done) break;
      const value = chunk.value;
      if (!checkedHead && value.length > 0) {
        checkedHead = true;
        if (looksLikeHtml(value.subarray(0, 64))) throw htmlError(expected.label);
      }
      if (received + value.length > expected.bytes) {
        throw new DownloadError(
          'size',
          `${expected.label}: the server sent more than the ${expected.bytes} bytes the manifest states — a different file. Nothing was kept.`,
        );
      }
      out.set(value, received);
      received += value.length;
      onChunk(value.length);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  if (received < expected.bytes) {
    throw new DownloadError(
      'truncated',
      `${expected.label}: the download stopped at ${formatBytes(received)} of ${formatBytes(expected.bytes)} (${received} of ${expected.bytes} bytes). The partial file was discarded.`,
      true,
    );
  }
  const digest = await sha256Hex(out);
  if (digest !== expected.sha256) {
    throw new DownloadError(
      'integrity',
      `${expected.label}: the file's SHA-256 (${digest.slice(0, 12)}…) differs from the manifest's (${expected.sha256.slice(0, 12)}…): it is damaged or not the expected version. It was discarded.`,
    );
  }
  return out;
}

export function offlineError(label: string, received?: number, total?: number): DownloadError {
  const where =
    received !== undefined && total !== undefined ? ` after ${formatBytes(received)} of ${formatBytes(total)}` : '';
  return new DownloadError('offline', `${label}: you are offline${where}. Reconnect, then press Retry.`);
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
