// The models:pin command line, run as npm runs it (node scripts/run-ts.mjs scripts/models-pin.ts),
// against a fake Hub on 127.0.0.1 and a temporary manifest.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadability, parseManifest } from '../../../src/lib/runtime/manifest';
import { FakeHub } from './fake-hub';
import { COMMIT, fakeRepos, HUB, manifestText, sha256, TOKEN, tokenizerConfig } from './fixture';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const hub = new FakeHub(fakeRepos());
let dir: string;
let manifest: string;
const original = manifestText();

async function pinCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = {
    cwd: repoRoot,
    timeout: 60_000,
    env: { ...process.env, DSBS_HUB_URL: hub.base, DSBS_MANIFEST: manifest, HF_TOKEN: '', ...env },
  };
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['scripts/run-ts.mjs', 'scripts/models-pin.ts', ...args],
      options,
    );
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failure = e as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  await hub.start();
  dir = mkdtempSync(join(tmpdir(), 'dsbs-pin-'));
  manifest = join(dir, 'manifest.json');
});
beforeEach(() => writeFileSync(manifest, original));
afterAll(async () => {
  await hub.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run models:pin', () => {
  it('without --write prints the pins and what would change, and leaves the manifest as it was', async () => {
    const { code, stdout } = await pinCli(['test-sd']);
    expect(code).toBe(0);
    expect(stdout).toContain(`test-sd: owner/sd-test@main is commit ${COMMIT.sdMain}`);
    expect(stdout).toMatch(
      /unet\s+unet\/model\.onnx\s+owner\/sd-test@aaaaaaaaaaaa…\s+1731234567\s+[0-9a-f]{12}…\s+\+0\.7 %/,
    );
    expect(stdout).toMatch(/text_encoder\s+text_encoder\.onnx\s+other\/clip-test@cccccccccccc…\s+492265879/);
    expect(stdout).toContain(`models.test-sd.hub.revision: null → "${COMMIT.sdMain}"`);
    expect(stdout).toContain(`models.test-sd.files.unet.bytes: null → 1731234567`);
    expect(stdout).toContain(`models.test-sd.files.unet.sha256: null → "${HUB.unet.sha256}"`);
    expect(stdout).toContain(`models.test-sd.files.text_encoder.hub.revision: null → "${COMMIT.clipMain}"`);
    // The only file more than 10 % off its published size.
    expect(stdout).toMatch(
      /warning: test-sd\.text_encoder is 492265879 bytes \(492 MB\), \+23\.1 % from its bytesApprox 400000000 .*may be wrong \(pinned anyway/,
    );
    expect(stdout.match(/^warning:/gm)).toHaveLength(1);
    expect(stdout).toContain('Dry run');
    expect(stdout).toContain('npm run models:pull -- test-sd');
    expect(readFileSync(manifest, 'utf8')).toBe(original);
    // Sizes and digests of the large files come from the listing; only the small config is downloaded.
    expect(hub.downloadsOf('unet/model.onnx')).toBe(0);
    expect(hub.downloadsOf('text_encoder.onnx')).toBe(0);
    expect(hub.downloadsOf('tokenizer/tokenizer_config.json')).toBeGreaterThan(0);
  }, 60_000);

  it('--write pins revisions, exact bytes and SHA-256, changing nothing else in the file', async () => {
    const { code, stdout } = await pinCli(['test-sd', '--write']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote 8 values to ${manifest}.`);
    expect(stdout).toContain('Next: `npm run models:pull -- test-sd`');
    const written = readFileSync(manifest, 'utf8');

    const entry = parseManifest(JSON.parse(written)).get('test-sd')!;
    expect(loadability(entry)).toEqual({ loadable: true });
    const byRole = Object.fromEntries(entry.files.map((f) => [f.role, f]));
    expect(byRole['unet']).toMatchObject({
      bytes: HUB.unet.size,
      sha256: HUB.unet.sha256,
      hub: { repo: 'owner/sd-test', revision: COMMIT.sdMain },
    });
    expect(byRole['text_encoder']).toMatchObject({
      bytes: HUB.textEncoder.size,
      sha256: HUB.textEncoder.sha256,
      hub: { repo: 'other/clip-test', revision: COMMIT.clipMain },
    });
    // The non-LFS file's digest is the SHA-256 of its bytes (the listing only has its git SHA-1).
    expect(byRole['tokenizer_config']).toMatchObject({
      bytes: tokenizerConfig.length,
      sha256: sha256(tokenizerConfig),
    });

    // Same lines, same order; only the eight pinned values differ, each from null.
    const before = original.split('\n');
    const after = written.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line.trim(), after[i]!.trim()]]));
    expect(changed).toHaveLength(8);
    for (const [was] of changed) expect(was).toMatch(/^"(revision|bytes|sha256)": null,?$/);
    expect(written).toContain('"accuracy": 1.0,');
    expect(written).toContain('"tiny": 2.5e-07');
    expect(written.endsWith('}\n')).toBe(true);
    expect(readdirSync(dir)).toEqual(['manifest.json']);
  }, 60_000);

  it('refuses unknown and pocket ids, listing the full-size ids, before asking the Hub anything', async () => {
    const asked = hub.requests.length;
    const { code, stderr } = await pinCli(['no-such-model', 'pocket-a', '--write']);
    expect(code).toBe(2);
    expect(stderr).toContain(`no-such-model: not in ${manifest}.`);
    expect(stderr).toMatch(/pocket-a: a pocket model/);
    expect(stderr).toContain('full-size models that can be pinned: test-sd, test-gpt');
    expect(hub.requests.length).toBe(asked);
    expect(readFileSync(manifest, 'utf8')).toBe(original);
  }, 60_000);

  it('a gated repository answers 401 without HF_TOKEN (the message says to set it); with the token the entry is pinned', async () => {
    const refused = await pinCli(['test-gpt', '--write']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /gated\/gpt-test@main: the Hub refused access \(401\)\. The repository may be gated or private: .*set HF_TOKEN/,
    );
    expect(refused.stderr).toContain('Could not pin test-gpt; nothing was written.');
    expect(readFileSync(manifest, 'utf8')).toBe(original);

    const allowed = await pinCli(['test-gpt', '--write'], { HF_TOKEN: TOKEN });
    expect(allowed.code).toBe(0);
    expect(hub.requests.filter((r) => r.path.includes('gated/gpt-test')).at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    const entry = parseManifest(JSON.parse(readFileSync(manifest, 'utf8'))).get('test-gpt')!;
    expect(entry.files[0]).toMatchObject({
      bytes: HUB.gated.size,
      sha256: HUB.gated.sha256,
      hub: { revision: COMMIT.gatedMain },
    });
  }, 60_000);
});
