/**
 * The few Hugging Face Hub API calls pinning needs: resolve a revision to its commit, list a folder
 * of a commit (sizes and, for LFS files, SHA-256), and hash a small non-LFS file from its bytes.
 * Every failure becomes a PinError whose message tells the reader what to do.
 */
import { createHash } from 'node:crypto';

export class PinError extends Error {
  override name = 'PinError';
}

export interface HubOptions {
  /** https://huggingface.co, or a test server / mirror of the Hub's API. */
  hubBase: string;
  /** Sent as `Authorization: Bearer …` (gated repositories). */
  token?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** One entry of `GET /api/models/{repo}/tree/{revision}/{dir}`. */
export interface TreeItem {
  type: 'file' | 'directory';
  /** Git object id: for non-LFS files the blob's SHA-1, not a SHA-256. */
  oid: string;
  size: number;
  /** From the repository root. */
  path: string;
  lfs?: { oid: string; size: number; pointerSize?: number };
}

/** Without LFS metadata the API gives no SHA-256, so such files are downloaded and hashed; only small ones. */
export const MAX_HASHED_DOWNLOAD = 50 * 1024 * 1024;
const COMMIT = /^[0-9a-f]{40}$/;

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export class HubApi {
  private readonly base: string;
  private readonly revisions = new Map<string, Promise<string>>();
  private readonly folders = new Map<string, Promise<TreeItem[]>>();

  constructor(private readonly options: HubOptions) {
    this.base = options.hubBase.replace(/\/+$/, '');
  }

  /** The 40-hex commit that `revision` (branch, tag or commit) names in `repo`. */
  resolveRevision(repo: string, revision: string): Promise<string> {
    const cacheKey = `${repo}@${revision}`;
    let pending = this.revisions.get(cacheKey);
    if (!pending) {
      pending = this.fetchRevision(repo, revision);
      this.revisions.set(cacheKey, pending);
    }
    return pending;
  }

  /** The files and folders directly inside `dir` ('' for the root) at `commit`. */
  listFolder(repo: string, commit: string, dir: string): Promise<TreeItem[]> {
    const cacheKey = `${repo}@${commit}:${dir}`;
    let pending = this.folders.get(cacheKey);
    if (!pending) {
      pending = this.fetchFolder(repo, commit, dir);
      this.folders.set(cacheKey, pending);
    }
    return pending;
  }

  /** Downloads a small file at `commit` and returns its SHA-256; it must be exactly `bytes` long. */
  async sha256OfFile(repo: string, commit: string, path: string, bytes: number): Promise<string> {
    const label = `${repo}@${commit.slice(0, 12)}/${path}`;
    if (bytes > MAX_HASHED_DOWNLOAD) {
      throw new PinError(
        `${label}: ${bytes} bytes without LFS metadata, so the Hub states no SHA-256 for it, and pinning downloads at most ` +
          `${MAX_HASHED_DOWNLOAD} bytes to hash a file; pin it by hand (models:pull prints the digest it finds).`,
      );
    }
    const url = `${this.base}/${repo}/resolve/${commit}/${encodePath(path)}`;
    const response = await this.request(url, label, `${label}: not found (404); check the path in the manifest.`);
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length !== bytes)
      throw new PinError(`${label}: downloaded ${body.length} bytes, the Hub's file listing states ${bytes}.`);
    return createHash('sha256').update(body).digest('hex');
  }

  private async fetchRevision(repo: string, revision: string): Promise<string> {
    const url = `${this.base}/api/models/${repo}/revision/${encodeURIComponent(revision)}`;
    const label = `${repo}@${revision}`;
    const response = await this.request(
      url,
      label,
      `${label}: the Hub has no repository "${repo}" or no revision "${revision}" in it (404).`,
    );
    const info = await readJson(response, url, label);
    const sha = (info as { sha?: unknown } | null)?.sha;
    if (typeof sha !== 'string' || !COMMIT.test(sha))
      throw new PinError(`${label}: the Hub's answer from ${url} holds no 40-hex commit id ("sha").`);
    return sha;
  }

  private async fetchFolder(repo: string, commit: string, dir: string): Promise<TreeItem[]> {
    const label = `${repo}@${commit.slice(0, 12)}/${dir}`;
    const items: TreeItem[] = [];
    // The Hub pages long listings and names the next page in a Link header.
    let url: string | null = `${this.base}/api/models/${repo}/tree/${commit}/${encodePath(dir)}`;
    for (let page = 0; url !== null; page += 1) {
      if (page >= 100) throw new PinError(`${label}: the folder listing goes on for more than 100 pages.`);
      const response: Response = await this.request(
        url,
        label,
        `${label}: the folder "${dir}" is not in ${repo} at ${commit} (404); check the path in the manifest.`,
      );
      const json = await readJson(response, url, label);
      if (!Array.isArray(json))
        throw new PinError(`${label}: the Hub's answer from ${url} is not a file listing (expected a JSON array).`);
      items.push(...(json as TreeItem[]));
      url = nextPage(response.headers.get('link'), url);
    }
    return items;
  }

  private async request(url: string, label: string, notFound: string): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.token) headers['authorization'] = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      const why = timedOut
        ? `no answer within ${(this.options.timeoutMs ?? 60_000) / 1000} s`
        : (cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)));
      throw new PinError(
        `${label}: cannot reach the Hub at ${this.base} (${why}). Pinning needs the Hub's API: run it on a machine with internet access, or point DSBS_HUB_URL at a mirror of the Hub.`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      const tokenNote = this.options.token
        ? 'the HF_TOKEN sent was not accepted for it'
        : 'set HF_TOKEN to a Hub access token';
      throw new PinError(
        `${label}: the Hub refused access (${response.status}). The repository may be gated or private: accept its terms on the Hub with your account, and ${tokenNote}. ` +
          '(The Hub also answers 401 for a repository that does not exist: check the repo name in the manifest.)',
      );
    }
    if (response.status === 404) {
      const code = response.headers.get('x-error-code');
      throw new PinError(code ? `${notFound} [Hub: ${code}]` : notFound);
    }
    if (!response.ok)
      throw new PinError(`${label}: the Hub answered ${response.status} ${response.statusText} for ${url}.`);
    if (/text\/html/i.test(response.headers.get('content-type') ?? '')) {
      throw new PinError(
        `${label}: ${url} answered with a web page, not the Hub's API; is DSBS_HUB_URL (${this.base}) the Hub?`,
      );
    }
    return response;
  }
}

async function readJson(response: Response, url: string, label: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new PinError(`${label}: the answer from ${url} is not JSON (it starts "${text.slice(0, 60)}").`);
  }
}

/** The `rel="next"` target of a Link header, resolved against the current URL. */
function nextPage(link: string | null, current: string): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return new URL(m[1]!, current).href;
  }
  return null;
}
