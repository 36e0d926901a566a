import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/lib/runtime/manifest';
import { pullModel, PullError } from '../../../scripts/models-pull/pull';
import { FaultServer, makeFile } from './server';

const run = promisify(execFile);
const REV = 'd'.repeat(40);
const unet = makeFile(400_000);
const vae = makeFile(120_000);
const server = new FaultServer();
const ranges: (string | undefined)[] = [];
let dir: string;

/** Serves a file with HTTP Range support; the first GET of `/cut/` paths drops the connection half-way. */
function hubRoute(file: { bytes: Buffer }, cutFirst: boolean) {
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, hit: number) => {
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const body = file.bytes.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
      ...(m ? { 'content-range': `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}` } : {}),
    });
    // The pause gives the client time to write what it received before the connection drops.
    if (cutFirst && hit === 1) res.write(body.subarray(0, 150_000), () => setTimeout(() => res.socket?.destroy(), 250));
    else res.end(body);
  };
}

function manifestDoc(overrides: { unetSha?: string } = {}) {
  const doc = JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8'));
  const turbo = doc.models['sd-turbo'];
  turbo.hub = { repo: 'owner/sd-test', revision: REV };
  turbo.files = {
    unet: {
      ...turbo.files.unet,
      path: 'unet/model.onnx',
      bytes: unet.bytes.length,
      sha256: overrides.unetSha ?? unet.sha256,
    },
    vae_decoder: {
      ...turbo.files.vae_decoder,
      path: 'vae_decoder/model.onnx',
      bytes: vae.bytes.length,
      sha256: vae.sha256,
    },
  };
  return doc;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsbs-pull-'));
  server
    .route(`/owner/sd-test/resolve/${REV}/unet/model.onnx`, hubRoute(unet, true))
    .route(`/owner/sd-test/resolve/${REV}/vae_decoder/model.onnx`, hubRoute(vae, false))
    .route(`/html/owner/sd-test/resolve/${REV}/unet/model.onnx`, (_q, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>'),
    );
  await server.start();
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('models:pull', () => {
  it('npm run models:pull mirrors a pinned model from the Hub, resuming a dropped connection with a Range request', async () => {
    const manifest = join(dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify(manifestDoc()));
    const mirror = join(dir, 'mirror');
    const env = {
      ...process.env,
      DSBS_HUB_URL: server.base,
      DSBS_MANIFEST: manifest,
      DSBS_MIRROR_DIR: mirror,
      DSBS_PULL_BACKOFF_MS: '10',
    };
    const { stdout } = await run('npm', ['run', '--silent', 'models:pull', '--', 'sd-turbo'], { env, timeout: 60_000 });
    expect(readFileSync(join(mirror, 'sd-turbo/unet/model.onnx')).equals(unet.bytes)).toBe(true);
    expect(readFileSync(join(mirror, 'sd-turbo/vae_decoder/model.onnx')).equals(vae.bytes)).toBe(true);
    expect(existsSync(join(mirror, 'sd-turbo/unet/model.onnx.part'))).toBe(false);
    expect(stdout).toMatch(/sd-turbo\/unet\/model\.onnx: interrupted at \d[\d.]* kB .*resuming/);
    expect(stdout).toContain('sd-turbo: complete.');
    // The second request asks only for the rest of the file.
    expect(ranges[0]).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(150_000);

    // A second run verifies what is there and downloads nothing.
    const before = server.hitCount(`/owner/sd-test/resolve/${REV}/unet/model.onnx`);
    const again = await run('npm', ['run', '--silent', 'models:pull', '--', 'sd-turbo'], { env, timeout: 60_000 });
    expect(again.stdout).toMatch(/unet\/model\.onnx: already in the mirror, verified/);
    expect(server.hitCount(`/owner/sd-test/resolve/${REV}/unet/model.onnx`)).toBe(before);
  }, 90_000);

  it('the CLI refuses an unpinned model with the manifest reason and a non-zero exit', async () => {
    const env = { ...process.env, DSBS_HUB_URL: server.base, DSBS_MIRROR_DIR: join(dir, 'unused') };
    const err = await run('npm', ['run', '--silent', 'models:pull', '--', 'gpt2'], { env, timeout: 60_000 }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/GPT-2 .* is listed but not pinned yet/);
    expect(existsSync(join(dir, 'unused'))).toBe(false);
  }, 60_000);

  it('deletes a file whose SHA-256 differs, and rejects an HTML page', async () => {
    const entries = parseManifest(manifestDoc({ unetSha: 'e'.repeat(64) }));
    const mirror = join(dir, 'bad');
    const opts = { mirrorDir: mirror, hubBase: server.base, baseDelayMs: 10 };
    await expect(pullModel(entries.get('sd-turbo')!, opts)).rejects.toThrow(
      /SHA-256 [0-9a-f]{64} differs from the manifest's e{64}; the file was deleted/,
    );
    expect(existsSync(join(mirror, 'sd-turbo/unet/model.onnx'))).toBe(false);
    expect(existsSync(join(mirror, 'sd-turbo/unet/model.onnx.part'))).toBe(false);
    const good = parseManifest(manifestDoc()).get('sd-turbo')!;
    const e = await pullModel(good, { ...opts, hubBase: `${server.base}/html` }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PullError);
    expect((e as Error).message).toMatch(/sent a web page instead of the file/);
  });
});
