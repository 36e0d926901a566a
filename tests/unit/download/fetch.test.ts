import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFile } from '../../../src/lib/runtime/manifest';
import { DownloadError } from '../../../src/lib/runtime/download/errors';
import { type FetchDeps, fetchVerifiedFile } from '../../../src/lib/runtime/download/fetch-file';
import { ProgressMeter, type DownloadProgress } from '../../../src/lib/runtime/download/progress';
import { FaultServer, makeFile, serveFile, serveSlowly, serveTruncated } from './server';

const good = makeFile(300_000);
const other = makeFile(300_000);
const server = new FaultServer();

const HTML = Buffer.from('\n  <!doctype html><html><body>Sign in to continue</body></html>');

beforeAll(async () => {
  server
    .route('/good.onnx', serveFile(good))
    .route('/truncated.onnx', serveTruncated(good, 100_000))
    .route('/html.onnx', (_q, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML))
    // Mislabelled: binary content type, no length, an HTML body — caught by sniffing the first bytes.
    .route('/html-sniff.onnx', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(HTML);
    })
    .route('/wrong-sha.onnx', serveFile(other))
    .route('/wrong-size.onnx', serveFile(makeFile(1234)))
    .route('/longer.onnx', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked, no length
      res.end(Buffer.concat([good.bytes, Buffer.from([1, 2, 3])]));
    })
    .route('/flaky.onnx', (req, res, hit) =>
      hit <= 2 ? res.writeHead(503, { 'content-type': 'text/plain' }).end('busy') : serveFile(good)(req, res, hit),
    )
    .route('/reset.onnx', (req, res, hit) => (hit <= 2 ? res.socket?.destroy() : serveFile(good)(req, res, hit)))
    .route('/gone.onnx', (_q, res) => res.writeHead(404, { 'content-type': 'text/plain' }).end('gone'))
    .route('/slow.onnx', serveSlowly(good, 16_384, 15))
    .route(`/models-mirror/m/onnx/model.onnx`, serveFile(good))
    .route(`/hub/owner/repo/resolve/${'c'.repeat(40)}/onnx/model.onnx`, serveFile(good))
    .route(`/hub/owner/repo/resolve/${'c'.repeat(40)}/onnx/absent.onnx`, serveFile(good));
  await server.start();
});
afterAll(() => server.stop());

const siteFile = (path: string, f = good): ModelFile => ({
  role: 'model',
  sitePath: path,
  bytes: f.bytes.length,
  bytesApprox: f.bytes.length,
  sha256: f.sha256,
  io: { inputs: {}, outputs: {} },
});
const hubFile = (path: string): ModelFile => ({
  ...siteFile(`/models-mirror/m/${path}`),
  hub: { repo: 'owner/repo', revision: 'c'.repeat(40), path },
});

function deps(overrides: Partial<FetchDeps> = {}): FetchDeps & { delays: number[] } {
  const delays: number[] = [];
  return {
    fetch: (...a) => fetch(...a),
    network: { onLine: () => true },
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 40 },
    siteBase: server.base,
    hubBase: `${server.base}/hub`,
    onRetry: (_e, ms) => delays.push(ms),
    delays,
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<DownloadError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DownloadError);
  return e as DownloadError;
}

describe('fetchVerifiedFile against a real HTTP server', () => {
  it('returns the verified bytes of a good file, reporting every byte', async () => {
    let counted = 0;
    const out = await fetchVerifiedFile(siteFile('/good.onnx'), 'good', deps(), { onChunk: (n) => (counted += n) });
    expect(Buffer.from(out.bytes).equals(good.bytes)).toBe(true);
    expect(out.source).toBe('site');
    expect(counted).toBe(good.bytes.length);
  });

  it('rejects a truncated body (Content-Length larger than the body, connection closed), retrying it first', async () => {
    const d = deps();
    let discarded = 0;
    const e = await failure(
      fetchVerifiedFile(siteFile('/truncated.onnx'), 'cut', d, { onDiscard: (n) => (discarded += n) }),
    );
    expect(e.kind).toBe('truncated');
    expect(e.message).toMatch(/^cut: the connection closed after .* of 300 kB/);
    expect(server.hitCount('/truncated.onnx')).toBe(3);
    expect(d.delays).toEqual([5, 10]);
    expect(discarded).toBeGreaterThan(0);
  });

  it('rejects an HTML page served with 200, without retrying', async () => {
    const e = await failure(fetchVerifiedFile(siteFile('/html.onnx'), 'page', deps()));
    expect(e.kind).toBe('html');
    expect(e.message).toContain('a web page instead of the model file');
    expect(server.hitCount('/html.onnx')).toBe(1);
  });

  it('rejects an HTML body even when the content type claims binary', async () => {
    const e = await failure(fetchVerifiedFile(siteFile('/html-sniff.onnx'), 'sniff', deps()));
    expect(e.kind).toBe('html');
  });

  it('rejects a body whose SHA-256 differs from the manifest', async () => {
    const e = await failure(fetchVerifiedFile(siteFile('/wrong-sha.onnx'), 'sha', deps()));
    expect(e.kind).toBe('integrity');
    expect(e.message).toContain(good.sha256.slice(0, 12));
    expect(e.message).toContain(other.sha256.slice(0, 12));
    expect(server.hitCount('/wrong-sha.onnx')).toBe(1);
  });

  it('rejects a wrong announced size before reading, and an overlong unannounced body', async () => {
    const e = await failure(fetchVerifiedFile(siteFile('/wrong-size.onnx'), 'size', deps()));
    expect(e.kind).toBe('size');
    expect(e.message).toContain('(1234 bytes)');
    const e2 = await failure(fetchVerifiedFile(siteFile('/longer.onnx'), 'long', deps()));
    expect(e2.kind).toBe('size');
  });

  it('retries a server that fails twice with 503, with exponential backoff, then succeeds', async () => {
    const d = deps();
    const out = await fetchVerifiedFile(siteFile('/flaky.onnx'), 'flaky', d);
    expect(Buffer.from(out.bytes).equals(good.bytes)).toBe(true);
    expect(server.hitCount('/flaky.onnx')).toBe(3);
    expect(d.delays).toEqual([5, 10]);
  });

  it('retries connection resets (fetch TypeError while online), then succeeds', async () => {
    const out = await fetchVerifiedFile(siteFile('/reset.onnx'), 'reset', deps());
    expect(out.bytes.length).toBe(good.bytes.length);
    expect(server.hitCount('/reset.onnx')).toBe(3);
  });

  it('does not retry a 404 and says what the server answered', async () => {
    const e = await failure(fetchVerifiedFile(siteFile('/gone.onnx'), 'gone', deps()));
    expect(e.kind).toBe('http');
    expect(e.status).toBe(404);
    expect(server.hitCount('/gone.onnx')).toBe(1);
  });

  it('reports offline without making a request, and classifies a fetch TypeError while offline as offline', async () => {
    const before = server.hitCount('/good.onnx');
    const e = await failure(
      fetchVerifiedFile(siteFile('/good.onnx'), 'off', deps({ network: { onLine: () => false } })),
    );
    expect(e.kind).toBe('offline');
    expect(e.message).toMatch(/you are offline.*Retry/);
    expect(server.hitCount('/good.onnx')).toBe(before);
    let online = true;
    const dropping = deps({
      network: { onLine: () => online },
      fetch: () => {
        online = false;
        return Promise.reject(new TypeError('Failed to fetch'));
      },
    });
    const e2 = await failure(fetchVerifiedFile(siteFile('/good.onnx'), 'drop', dropping));
    expect(e2.kind).toBe('offline');
  });

  it('streams a slow response with monotonic progress whose bytes add up, rate and time left', async () => {
    const events: DownloadProgress[] = [];
    const meter = new ProgressMeter(good.bytes.length);
    await fetchVerifiedFile(siteFile('/slow.onnx'), 'slow', deps(), {
      onChunk: (n) => events.push(meter.add(n, 'model', 'site')),
    });
    expect(events.length).toBeGreaterThan(5);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.loaded).toBeGreaterThan(events[i - 1]!.loaded);
    expect(events.at(-1)!.loaded).toBe(good.bytes.length);
    expect(events.at(-1)!.secondsLeft).toBe(0);
    const mid = events[Math.floor(events.length / 2)]!;
    // The server sends chunk k (of 16 384 bytes) no earlier than (k − 1) × 15 ms after the first:
    // the measured rate can never beat that, and time left must be consistent with it.
    const chunksSent = Math.ceil(mid.loaded / 16_384);
    expect(mid.bytesPerSecond).toBeGreaterThan(0);
    expect(mid.bytesPerSecond!).toBeLessThanOrEqual(mid.loaded / ((chunksSent - 1) * 0.015));
    expect(mid.secondsLeft!).toBeCloseTo((mid.total - mid.loaded) / mid.bytesPerSecond!, 6);
  });

  it('prefers the local mirror when a HEAD shows it holds the file, else the Hub at the pinned revision', async () => {
    const mirrored = await fetchVerifiedFile(hubFile('onnx/model.onnx'), 'mirror', deps());
    expect(mirrored.source).toBe('mirror');
    expect(server.hitCount('/models-mirror/m/onnx/model.onnx')).toBe(2); // HEAD + GET
    expect(server.hitCount(`/hub/owner/repo/resolve/${'c'.repeat(40)}/onnx/model.onnx`)).toBe(0);
    const fromHub = await fetchVerifiedFile(hubFile('onnx/absent.onnx'), 'hub', deps());
    expect(fromHub.source).toBe('hub');
    expect(Buffer.from(fromHub.bytes).equals(good.bytes)).toBe(true);
  });

  it('refuses a file without pinned size and digest', async () => {
    const e = await failure(fetchVerifiedFile({ ...siteFile('/good.onnx'), sha256: null }, 'unpinned', deps()));
    expect(e.kind).toBe('unpinned');
  });
});
