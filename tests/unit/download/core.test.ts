import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../../src/lib/runtime/manifest';
import { CONSENT_THRESHOLD_BYTES, needsConsent } from '../../../src/lib/runtime/download/consent';
import { DownloadError } from '../../../src/lib/runtime/download/errors';
import { formatBytes, formatDuration } from '../../../src/lib/runtime/download/format';
import { loadModel } from '../../../src/lib/runtime/download/load-model';
import { ProgressMeter } from '../../../src/lib/runtime/download/progress';
import { backoffDelay, withRetries } from '../../../src/lib/runtime/download/retry';
import { looksLikeHtml } from '../../../src/lib/runtime/download/verify';

const manifest = parseManifest(
  JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8')),
);

describe('progress meter', () => {
  it('computes rate over time and time left from it', () => {
    let t = 0;
    const meter = new ProgressMeter(10_000, () => t);
    t = 1000;
    const p = meter.add(2000, 'unet', 'hub');
    expect(p).toMatchObject({
      loaded: 2000,
      total: 10_000,
      bytesPerSecond: 2000,
      secondsLeft: 4,
      file: 'unet',
      source: 'hub',
    });
    t = 2000;
    meter.rewind(2000);
    t = 3000;
    expect(meter.add(500, 'unet', 'hub')).toMatchObject({ loaded: 500, bytesPerSecond: 500, secondsLeft: 19 });
  });
});

describe('retry policy', () => {
  it('doubles the delay and caps it', () => {
    const p = { attempts: 6, baseDelayMs: 500, maxDelayMs: 3000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(p, n))).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  it('stops at the first non-retryable error', async () => {
    let calls = 0;
    const err = await withRetries(
      async () => {
        calls += 1;
        throw new DownloadError('integrity', 'bad');
      },
      { attempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect((err as DownloadError).kind).toBe('integrity');
    expect(calls).toBe(1);
  });
});

describe('HTML sniffing and formatting', () => {
  it('sees "<" after a BOM or whitespace, never in an ONNX header', () => {
    expect(looksLikeHtml(new Uint8Array([0xef, 0xbb, 0xbf, 0x20, 0x0a, 0x3c, 0x21]))).toBe(true);
    expect(looksLikeHtml(new Uint8Array([0x08, 0x07, 0x12, 0x07]))).toBe(false);
    expect(looksLikeHtml(new Uint8Array([]))).toBe(false);
  });

  it('formats sizes in decimal units and durations', () => {
    expect(formatBytes(1_730_000_000)).toBe('1.73 GB');
    expect(formatBytes(188_243)).toBe('188 kB');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('consent and unpinned entries', () => {
  it('asks consent above 50 MB only', () => {
    const pocket = manifest.get('mixture2d-mlp')!;
    expect(needsConsent(pocket)).toBe(false);
    expect(needsConsent(manifest.get('sd-turbo')!)).toBe(true);
    const at = { ...pocket, totalBytes: CONSENT_THRESHOLD_BYTES };
    expect(needsConsent(at)).toBe(false);
    expect(needsConsent({ ...at, totalBytes: CONSENT_THRESHOLD_BYTES + 1 })).toBe(true);
    expect(needsConsent({ ...at, totalBytes: CONSENT_THRESHOLD_BYTES + 1 }, 10)).toBe(false);
  });

  it('loadModel refuses an unpinned full-size model with the manifest reason, before any request', async () => {
    let requests = 0;
    const err = await loadModel(manifest.get('gpt2')!, {
      storage: null,
      consent: true,
      fetchDeps: { fetch: async () => (requests++, new Response('')) },
    }).catch((e: unknown) => e);
    expect((err as DownloadError).kind).toBe('unpinned');
    expect((err as Error).message).toMatch(/not pinned yet/);
    expect(requests).toBe(0);
  });

  it('loadModel refuses a pinned large model without consent, before any request', async () => {
    const gpt2 = manifest.get('gpt2')!;
    // The decoder and its two small tokenizer files: 128 MB + 2 × 1 MB.
    const pinned = {
      ...gpt2,
      files: gpt2.files.map((f) => ({
        ...f,
        bytes: f.role === 'decoder' ? 128_000_000 : 1_000_000,
        sha256: 'a'.repeat(64),
        hub: { ...f.hub!, revision: 'b'.repeat(40) },
      })),
    };
    let requests = 0;
    const err = await loadModel(pinned, {
      storage: null,
      fetchDeps: { fetch: async () => (requests++, new Response('')) },
    }).catch((e: unknown) => e);
    expect((err as DownloadError).kind).toBe('consent');
    expect((err as Error).message).toContain('130 MB');
    expect(requests).toBe(0);
  });
});
