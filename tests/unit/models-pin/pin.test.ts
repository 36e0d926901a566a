import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FullEntryJson } from '../../../src/lib/runtime/manifest';
import { changesFor, HubApi, pinModel, writeManifest } from '../../../scripts/models-pin/pin';
import { FakeHub } from './fake-hub';
import { COMMIT, fakeRepos, HUB, manifestDocument, manifestText } from './fixture';

const hub = new FakeHub(fakeRepos());
const api = () => new HubApi({ hubBase: hub.base });

/** test-sd from the fixture manifest, with `change` applied to a copy. */
function sdEntry(change: (e: FullEntryJson) => void = () => undefined): FullEntryJson {
  const entry = structuredClone(manifestDocument().models['test-sd']) as unknown as FullEntryJson;
  change(entry);
  return entry;
}

beforeAll(() => hub.start());
afterAll(() => hub.stop());

describe('pinModel', () => {
  it('names the missing path and lists what its folder holds (404 from the listing)', async () => {
    const entry = sdEntry((e) => (e.files['unet']!.path = 'unet/model_fp16.onnx'));
    await expect(pinModel('test-sd', entry, api())).rejects.toThrow(
      `test-sd.unet: not found: "unet/model_fp16.onnx" in owner/sd-test at ${COMMIT.sdMain}; check the path in the manifest. The folder "unet" holds unet/model.onnx.`,
    );
  });

  it('names a missing folder, repository or revision', async () => {
    const noFolder = sdEntry((e) => (e.files['unet']!.path = 'vae_decoder/model.onnx'));
    await expect(pinModel('test-sd', noFolder, api())).rejects.toThrow(
      /the folder "vae_decoder" is not in owner\/sd-test at a{40} \(404\).*\[Hub: EntryNotFound\]/,
    );
    const noRepo = sdEntry((e) => (e.hub.repo = 'owner/no-such-repo'));
    await expect(pinModel('test-sd', noRepo, api())).rejects.toThrow(
      /the Hub has no repository "owner\/no-such-repo" or no revision "main" in it \(404\)\. \[Hub: RepoNotFound\]/,
    );
    await expect(pinModel('test-sd', sdEntry(), api(), 'v9')).rejects.toThrow(
      /owner\/sd-test@v9: .*no revision "v9".*RevisionNotFound/,
    );
  });

  it('reads the repository at --revision, else at the pinned revision; a file with its own hub keeps its own', async () => {
    const atV2 = await pinModel('test-sd', sdEntry(), api(), 'v2');
    expect(atV2.hub).toEqual({ repo: 'owner/sd-test', requested: 'v2', revision: COMMIT.sdV2 });
    const unet = atV2.files.find((f) => f.role === 'unet')!;
    expect(unet).toMatchObject({
      revision: COMMIT.sdV2,
      bytes: HUB.unetV2.size,
      sha256: HUB.unetV2.sha256,
      source: 'lfs',
    });
    expect(atV2.files.find((f) => f.role === 'text_encoder')).toMatchObject({
      repo: 'other/clip-test',
      revision: COMMIT.clipMain,
      ownHub: true,
    });

    const pinned = sdEntry((e) => (e.hub.revision = COMMIT.sdV2));
    const again = await pinModel('test-sd', pinned, api());
    expect(again.hub.revision).toBe(COMMIT.sdV2);
    expect(again.files.find((f) => f.role === 'unet')!.sha256).toBe(HUB.unetV2.sha256);
  });

  it('a pinned entry needs no changes', async () => {
    const entry = sdEntry();
    const pin = await pinModel('test-sd', entry, api());
    expect(changesFor(pin, entry)).toHaveLength(8);
    entry.hub.revision = pin.hub.revision;
    for (const f of pin.files)
      Object.assign(
        entry.files[f.role]!,
        { bytes: f.bytes, sha256: f.sha256 },
        f.ownHub ? { hub: { repo: f.repo, revision: f.revision } } : {},
      );
    expect(changesFor(await pinModel('test-sd', entry, api()), entry)).toEqual([]);
  });

  it('refuses to download a large file that has no LFS metadata', async () => {
    const entry = sdEntry((e) => (e.files['tokenizer_config']!.path = 'big/weights.bin'));
    await expect(pinModel('test-sd', entry, api())).rejects.toThrow(
      /big\/weights\.bin: 60000000 bytes without LFS metadata, so the Hub states no SHA-256/,
    );
    expect(hub.downloadsOf('big/weights.bin')).toBe(0);
  });

  it('follows the Link header through a paged folder listing', async () => {
    // One item per page: the root of other/clip-test lists text_encoder.onnx third.
    const paged = await new FakeHub(fakeRepos(), 1).start();
    try {
      const pin = await pinModel('test-sd', sdEntry(), new HubApi({ hubBase: paged.base }));
      expect(pin.files.find((f) => f.role === 'text_encoder')!.sha256).toBe(HUB.textEncoder.sha256);
      expect(
        paged.requests.filter((r) => r.path === `/api/models/other/clip-test/tree/${COMMIT.clipMain}/`).length,
      ).toBe(3);
    } finally {
      await paged.stop();
    }
  });

  it('says so when the answer is a web page or the Hub cannot be reached', async () => {
    await expect(pinModel('test-sd', sdEntry(), new HubApi({ hubBase: `${hub.base}/html` }))).rejects.toThrow(
      /answered with a web page, not the Hub's API; is DSBS_HUB_URL .*\/html\) the Hub\?/,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(pinModel('test-sd', sdEntry(), new HubApi({ hubBase: `http://127.0.0.1:${port}` }))).rejects.toThrow(
      new RegExp(`cannot reach the Hub at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
  });
});

describe('writeManifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dsbs-pin-write-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes nothing when the result would not pass parseManifest', () => {
    const path = join(dir, 'manifest.json');
    writeFileSync(path, manifestText());
    const bad = [{ path: ['models', 'test-sd', 'files', 'unet', 'sha256'], from: null, value: 'not-a-digest' }];
    expect(() => writeManifest(path, manifestText(), bad)).toThrow(
      /models\.test-sd\.files\.unet\.sha256: SHA-256: 64 lowercase hex digits/,
    );
    expect(readFileSync(path, 'utf8')).toBe(manifestText());
    expect(readdirSync(dir)).toEqual(['manifest.json']);
    expect(existsSync(`${path}.pin-${process.pid}.tmp`)).toBe(false);
  });
});
