/**
 * A small stand-in for the Hugging Face Hub on 127.0.0.1 (random port), answering the calls
 * models:pin makes with the Hub's JSON shapes: /api/models/{repo}/revision/{rev} (→ sha),
 * /api/models/{repo}/tree/{sha}/{dir} (paged with a Link header) and /{repo}/resolve/{sha}/{path}.
 * Large files exist only as LFS metadata: a download of one is answered 500 and recorded.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer, type LocalServer } from '../support/local-server';

export interface FakeFile {
  path: string;
  /** Content of a small non-LFS file (its `oid` is then the git blob SHA-1). */
  bytes?: Buffer;
  /** A non-LFS file listed with this size but never served. */
  size?: number;
  /** An LFS file: listed with this size and SHA-256, never served. */
  lfs?: { size: number; sha256: string };
}

export interface FakeRepo {
  /** Branch or tag → commit. */
  refs: Record<string, string>;
  commits: Record<string, FakeFile[]>;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

const gitBlobSha1 = (bytes: Buffer) => createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
const fakeOid = (text: string) => createHash('sha1').update(text).digest('hex');

export class FakeHub {
  /** Every request's path and Authorization header, in order. */
  readonly requests: { path: string; authorization?: string }[] = [];
  private server!: LocalServer;
  base = '';

  constructor(
    private readonly repos: Record<string, FakeRepo>,
    private readonly pageSize = 1000,
  ) {}

  async start(): Promise<this> {
    this.server = await startLocalServer((req, res) => this.handle(req, res));
    this.base = this.server.base;
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  downloadsOf(path: string): number {
    return this.requests.filter((r) => r.path.includes('/resolve/') && r.path.endsWith(`/${path}`)).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ path: url.pathname, authorization: req.headers.authorization });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
        .end(JSON.stringify(body));
    };
    const missing = (code: string, message: string): void => json(404, { error: message }, { 'x-error-code': code });

    if (url.pathname.startsWith('/html/')) {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>Hugging Face</title>');
      return;
    }
    const m = /^\/(?:api\/models\/)?([^/]+\/[^/]+)\/(revision|tree|resolve)\/([^/]+)\/?(.*)$/.exec(url.pathname);
    const api = url.pathname.startsWith('/api/models/');
    if (!m || api === (m[2] === 'resolve')) return missing('EntryNotFound', 'no such route');
    const [, repoName, kind, rawRevision, rest] = m as unknown as [string, string, string, string, string];
    const repo = this.repos[repoName];
    if (!repo) return missing('RepoNotFound', `Repository ${repoName} not found`);
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      return json(
        401,
        { error: 'Access to model is restricted. You must have access to it and be authenticated.' },
        { 'x-error-code': 'GatedRepo' },
      );
    }
    const revision = decodeURIComponent(rawRevision);
    const sha = repo.commits[revision] ? revision : repo.refs[revision];
    if (!sha) return missing('RevisionNotFound', `Invalid rev id: ${revision}`);
    const files = repo.commits[sha]!;
    const path = rest.split('/').map(decodeURIComponent).join('/');

    if (kind === 'revision') {
      return json(200, {
        _id: fakeOid(repoName),
        id: repoName,
        sha,
        siblings: files.map((f) => ({ rfilename: f.path })),
      });
    }
    if (kind === 'resolve') {
      const file = files.find((f) => f.path === path);
      if (!file) return missing('EntryNotFound', `${path} does not exist on "${revision}"`);
      if (!file.bytes)
        return void res.writeHead(500, { 'content-type': 'text/plain' }).end('the test forbids downloading this file');
      return void res
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes.length) })
        .end(file.bytes);
    }
    const items = this.listing(files, path);
    if (items.length === 0) return missing('EntryNotFound', `${path} does not exist on "${revision}"`);
    const from = Number(url.searchParams.get('cursor') ?? 0);
    const page = items.slice(from, from + this.pageSize);
    const more = from + this.pageSize < items.length;
    const link = more
      ? { link: `<${this.base}${url.pathname}?cursor=${from + this.pageSize}>; rel="next"` }
      : undefined;
    return json(200, page, link);
  }

  /** Tree items directly inside `dir`: folders first, then files, each sorted by path (as the Hub lists them). */
  private listing(files: FakeFile[], dir: string): unknown[] {
    const prefix = dir ? `${dir}/` : '';
    const inside = files.filter((f) => f.path.startsWith(prefix));
    const folders = [
      ...new Set(
        inside
          .map((f) => f.path.slice(prefix.length))
          .filter((p) => p.includes('/'))
          .map((p) => prefix + p.split('/')[0]),
      ),
    ].sort();
    const direct = inside
      .filter((f) => !f.path.slice(prefix.length).includes('/'))
      .sort((a, b) => a.path.localeCompare(b.path));
    return [
      ...folders.map((p) => ({ type: 'directory', oid: fakeOid(p), size: 0, path: p })),
      ...direct.map((f) => {
        if (f.lfs)
          return {
            type: 'file',
            oid: fakeOid(f.path),
            size: f.lfs.size,
            path: f.path,
            lfs: { oid: f.lfs.sha256, size: f.lfs.size, pointerSize: 134 },
          };
        return {
          type: 'file',
          oid: f.bytes ? gitBlobSha1(f.bytes) : fakeOid(f.path),
          size: f.bytes?.length ?? f.size ?? 0,
          path: f.path,
        };
      }),
    ];
  }
}
