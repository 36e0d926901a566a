/** Why a model file could not be obtained; `message` is written for the reader, not the console. */
export type DownloadErrorKind =
  | 'offline' // the browser reports no network, or lost it mid-download
  | 'network' // the request failed for another reason (DNS, reset, CORS)
  | 'http' // the server answered with an error status
  | 'html' // a web page came back instead of a model (a login wall, a 404 page served with 200)
  | 'truncated' // the body ended before the expected size
  | 'size' // the server announced or sent a different size than the manifest states
  | 'integrity' // the SHA-256 of the bytes differs from the manifest
  | 'consent' // a large download was not agreed to
  | 'unpinned' // the manifest does not know the file's size and digest
  | 'aborted'; // cancelled by the reader or the page

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    /** Whether trying again on its own (backoff) can help. */
    readonly retryable = false,
    readonly status?: number,
  ) {
    super(message);
  }
}

export function isDownloadError(e: unknown, kind?: DownloadErrorKind): e is DownloadError {
  return e instanceof DownloadError && (kind === undefined || e.kind === kind);
}
