/**
 * Downloads a full-size model's files from the Hugging Face Hub into the local mirror
 * (public/models-mirror/<id>/<path>), verified against models/manifest.json: exact bytes and
 * SHA-256. Interrupted downloads resume from `<file>.part` with an HTTP Range request.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hubUrl, loadability, type ModelEntry, type ModelFile } from '../../src/lib/runtime/manifest';
import { formatBytes } from '../../src/lib/runtime/download/format';

export interface PullOptions {
  /** Folder that holds one folder per model id (the site serves it at /models-mirror/). */
  mirrorDir: string;
  hubBase: string;
  token?: string;
  attempts?: number;
  baseDelayMs?: number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export class PullError extends Error {
  override name = 'PullError';
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** Pulls every file of `entry`; returns the verified paths. Throws PullError with a reader-facing message. */
export async function pullModel(entry: ModelEntry, options: PullOptions): Promise<string[]> {
  if (entry.tier !== 'full')
    throw new PullError(`${entry.id} is a pocket model: the site already serves it; nothing to pull.`);
  const verdict = loadability(entry);
  if (!verdict.loadable) throw new PullError(verdict.reason);
  const paths: string[] = [];
  for (const file of entry.files) paths.push(await pullFile(entry, file, options));
  return paths;
}

async function pullFile(entry: ModelEntry, file: ModelFile, options: PullOptions): Promise<string> {
  const log = options.log ?? (() => undefined);
  const bytes = file.bytes!;
  const sha256 = file.sha256!;
  const dest = join(options.mirrorDir, entry.id, file.hub!.path);
  const part = `${dest}.part`;
  const label = `${entry.id}/${file.hub!.path}`;
  if (existsSync(dest)) {
    if (sizeOf(dest) === bytes && (await sha256OfFile(dest)) === sha256) {
      log(`${label}: already in the mirror, verified (${formatBytes(bytes)}).`);
      return dest;
    }
    log(`${label}: the mirrored copy fails verification; downloading it again.`);
    rmSync(dest);
  }
  mkdirSync(dirname(dest), { recursive: true });
  const url = hubUrl(file, options.hubBase);
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await downloadInto(part, url, bytes, label, options);
      break;
    } catch (e) {
      const retryable = !(e instanceof PullError);
      if (!retryable || attempt >= attempts)
        throw e instanceof PullError
          ? e
          : new PullError(
              `${label}: ${e instanceof Error ? e.message : String(e)} (after ${attempt} attempts; run again to resume from ${formatBytes(sizeOf(part))}).`,
            );
      const delay = (options.baseDelayMs ?? 1000) * 2 ** (attempt - 1);
      log(
        `${label}: interrupted at ${formatBytes(sizeOf(part))} (${e instanceof Error ? e.message : String(e)}); resuming in ${delay} ms.`,
      );
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  const have = sizeOf(part);
  if (have !== bytes) {
    rmSync(part, { force: true });
    throw new PullError(`${label}: got ${have} bytes, the manifest states ${bytes}; the partial file was deleted.`);
  }
  const digest = await sha256OfFile(part);
  if (digest !== sha256) {
    rmSync(part, { force: true });
    throw new PullError(`${label}: SHA-256 ${digest} differs from the manifest's ${sha256}; the file was deleted.`);
  }
  renameSync(part, dest);
  log(`${label}: ${formatBytes(bytes)}, SHA-256 verified → ${dest}`);
  return dest;
}

/** Appends to `part` from where it stopped (Range request); a server without ranges restarts it. */
async function downloadInto(
  part: string,
  url: string,
  bytes: number,
  label: string,
  options: PullOptions,
): Promise<void> {
  let offset = sizeOf(part);
  if (offset > bytes) {
    rmSync(part);
    offset = 0;
  }
  if (offset === bytes) return;
  const headers: Record<string, string> = {};
  if (offset > 0) headers['range'] = `bytes=${offset}-`;
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const response = await (options.fetch ?? fetch)(url, { headers, redirect: 'follow' });
  if (response.status === 401 || response.status === 403)
    throw new PullError(`${label}: the Hub refused access (${response.status}); for a gated repository set HF_TOKEN.`);
  if (response.status === 404)
    throw new PullError(
      `${label}: not found at ${url} (404); check the repository, revision and path in the manifest.`,
    );
  if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
    throw new PullError(`${label}: the server answered ${response.status}.`);
  if (!response.ok) throw new Error(`server answered ${response.status}`);
  if (/text\/html/i.test(response.headers.get('content-type') ?? ''))
    throw new PullError(`${label}: the server sent a web page instead of the file.`);
  let append = false;
  if (offset > 0 && response.status === 206) {
    const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
    append = range !== null && Number(range[1]) === offset;
  }
  if (offset > 0 && !append) log(options, `${label}: the server does not resume; starting again from 0.`);
  const expectedLength = append ? bytes - offset : bytes;
  const length = response.headers.get('content-length');
  if (
    length !== null &&
    (response.headers.get('content-encoding') ?? 'identity') === 'identity' &&
    Number(length) !== expectedLength
  ) {
    throw new PullError(
      `${label}: the server announced ${length} bytes, expected ${expectedLength}; it is not the file the manifest describes.`,
    );
  }
  if (!response.body) throw new Error('empty response');
  let received = append ? offset : 0;
  let lastLog = Date.now();
  const started = Date.now();
  const counter = async function* (source: AsyncIterable<Uint8Array>) {
    for await (const chunk of source) {
      received += chunk.length;
      if (received > bytes)
        throw new PullError(`${label}: the server sent more than the ${bytes} bytes the manifest states.`);
      if (Date.now() - lastLog > 2000) {
        lastLog = Date.now();
        const rate = (received - (append ? offset : 0)) / ((Date.now() - started) / 1000);
        log(options, `${label}: ${formatBytes(received)} of ${formatBytes(bytes)} (${formatBytes(rate)}/s)`);
      }
      yield chunk;
    }
  };
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
    counter,
    createWriteStream(part, { flags: append ? 'a' : 'w' }),
  );
  if (received < bytes) throw new Error(`the connection ended at ${received} of ${bytes} bytes`);
}

function log(options: PullOptions, line: string): void {
  options.log?.(line);
}
