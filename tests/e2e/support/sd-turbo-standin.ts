/**
 * SD-Turbo's manifest entry with every file replaced by its stand-in and pinned (exact bytes,
 * SHA-256, a made-up revision), so that the text → image widget's full-size path runs for real:
 * consent, download from the local mirror, verification, Cache Storage, generation in the worker.
 * Built from the same generators at page build time (tests/fixtures/pages/text-to-image-full-size.astro)
 * and in the spec that serves the files. The stand-ins compute in float32, so this entry needs
 * WebGPU but not shader-f16, unlike the real one.
 */
import { createHash } from 'node:crypto';
import { sdStandins } from '../../../models/standins/sd-standins';
import { sdTokenizerStandins } from '../../../models/standins/sd-tokenizer-standins';
import { parseManifest } from '../../../src/lib/runtime/manifest';
import type { ModelEntry } from '../../../src/lib/runtime/model-entry';

export interface StandinSdTurbo {
  entry: ModelEntry;
  /** Site path (under /models-mirror/sd-turbo/) → the file's bytes. */
  files: Map<string, Uint8Array>;
}

export function standinSdTurbo(manifestJson: unknown): StandinSdTurbo {
  const real = parseManifest(manifestJson).get('sd-turbo')!;
  const bytesByRole = new Map(
    [...sdStandins(real), ...sdTokenizerStandins(real)].map(([role, { bytes }]) => [role, bytes]),
  );
  const files = new Map<string, Uint8Array>();
  const pinned = real.files.map((file) => {
    const bytes = bytesByRole.get(file.role);
    if (!bytes) throw new Error(`No stand-in for sd-turbo's ${file.role}.`);
    files.set(file.sitePath, bytes);
    return {
      ...file,
      hub: { ...file.hub!, revision: 'e'.repeat(40) },
      bytes: bytes.byteLength,
      bytesApprox: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  });
  const entry: ModelEntry = {
    ...real,
    title: 'SD-Turbo stand-in',
    requiredFeatures: ['webgpu'],
    files: pinned,
    totalBytes: pinned.reduce((sum, f) => sum + f.bytes, 0),
  };
  return { entry, files };
}
