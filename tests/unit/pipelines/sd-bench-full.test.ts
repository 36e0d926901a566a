import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdStandins, SD_STANDIN_IDS } from '../../../models/standins/sd-standins';
import { SD_PAD_TOKENS, sdTokenizerStandins } from '../../../models/standins/sd-tokenizer-standins';
import { entry } from './sd-helpers';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const mirror = join(root, '.cache/standins/bench-mirror');

interface BenchJson {
  model: string;
  backend: string;
  previewDecoder: string;
  files: { role: string; bytes: number; loadMs: number; createMs: number }[];
  runs: { textEncoderMs: number; unetMs: number[]; previewMs: number[]; vaeDecoderMs: number; totalMs: number }[];
  stepTimesteps: number[];
  tokenizer: string;
  peakBrowserRssBytes: number | null;
}

async function bench(...args: string[]): Promise<BenchJson> {
  const { stdout } = await run('npm', ['run', '--silent', 'bench:full', '--', ...args, '--json'], {
    cwd: root,
    timeout: 150_000,
    maxBuffer: 1 << 24,
  });
  return JSON.parse(stdout.slice(stdout.indexOf('{')));
}

describe('npm run bench:full on a mirror folder of stand-ins laid out like the real repositories (headless Chromium)', () => {
  beforeAll(() => {
    rmSync(mirror, { recursive: true, force: true });
    for (const id of SD_STANDIN_IDS) {
      const files = [
        ...sdStandins(entry(id)).values(),
        ...(SD_PAD_TOKENS[id] ? sdTokenizerStandins(entry(id)).values() : []),
      ];
      for (const { path, bytes } of files) {
        const file = join(mirror, id, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, bytes);
      }
    }
  });

  it('times SD-Turbo per component on WASM: files fetched whole, cold then warm runs, one UNet and TAESD time per step', async () => {
    const report = await bench(mirror, '--backend', 'wasm', '--steps', '2', '--runs', '2', '--no-memory');
    expect(report.model).toBe('sd-turbo');
    expect(report.backend).toBe('wasm');
    expect(report.previewDecoder).toBe('taesd');
    expect(report.stepTimesteps).toEqual([999, 499]);
    expect(report.tokenizer).toBe("the folder's tokenizer.json");
    const onDisk = (role: string) =>
      role === 'taesd'
        ? statSync(join(mirror, 'taesd/vae_decoder/model.onnx')).size
        : statSync(join(mirror, 'sd-turbo', role, 'model.onnx')).size;
    expect(report.files.map((f) => [f.role, f.bytes])).toEqual(
      ['text_encoder', 'unet', 'vae_decoder', 'taesd'].map((r) => [r, onDisk(r)]),
    );
    expect(report.files.every((f) => f.createMs > 0)).toBe(true);
    expect(report.runs).toHaveLength(2);
    for (const r of report.runs) {
      expect(r.unetMs).toHaveLength(2);
      expect(r.previewMs).toHaveLength(2);
      expect(r.textEncoderMs).toBeGreaterThan(0);
      expect(r.vaeDecoderMs).toBeGreaterThan(0);
      expect(r.totalMs).toBeGreaterThanOrEqual(r.textEncoderMs + r.vaeDecoderMs);
    }
    if (process.platform === 'linux') expect(report.peakBrowserRssBytes).toBeGreaterThan(10_000_000);
  }, 160_000);

  it('finds SD 1.5 in one model folder and runs its batch-2 float16 pipeline without previews', async () => {
    const report = await bench(
      join(mirror, 'sd15-webnn-fp16'),
      '--model',
      'sd15-webnn-fp16',
      '--backend',
      'wasm',
      '--steps',
      '2',
      '--runs',
      '1',
      '--no-previews',
      '--no-memory',
    );
    expect(report.model).toBe('sd15-webnn-fp16');
    expect(report.previewDecoder).toBe('none');
    expect(report.stepTimesteps).toEqual([999, 0]);
    expect(report.runs[0]!.unetMs).toHaveLength(2);
    expect(report.runs[0]!.previewMs).toEqual([]);
  }, 160_000);

  it('refuses a folder without a complete model, saying what it expected', async () => {
    const empty = join(mirror, 'empty');
    mkdirSync(empty, { recursive: true });
    await expect(bench(empty)).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /no complete model in .*sd-turbo\/\{text_encoder\/model\.onnx,unet\/model\.onnx,vae_decoder\/model\.onnx,tokenizer\.json,tokenizer\/tokenizer_config\.json\}/,
      ),
    });
  }, 60_000);
});
