/**
 * Node-only: the CLIP and GPT-2 stand-ins as files under .cache/standins/ (git-ignored), built on
 * demand from the manifest's contracts and reused while the generator inputs are unchanged.
 * `node scripts/run-ts.mjs models/standins/clip-gpt2-files.ts` writes them all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clipTextStandin, clipVisionStandin } from './clip';
import type { StandinContract } from './onnx-builder';
import { gpt2DecoderStandin } from './gpt2';
import { buildModel } from './onnx-builder';
import { clipStandinTokenizer, gpt2StandinTokenizer } from './tokenizers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STANDIN_DIR = join(ROOT, '.cache', 'standins');
export const MANIFEST_PATH = join(ROOT, 'models', 'manifest.json');

interface FullFileJson extends StandinContract {
  path: string;
}
export function manifestFiles(id: 'clip-vit-b32' | 'gpt2'): Record<string, FullFileJson> {
  const doc = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as {
    models: Record<string, { files: Record<string, FullFileJson> }>;
  };
  const entry = doc.models[id];
  if (!entry) throw new Error(`models/manifest.json has no "${id}" entry.`);
  return entry.files;
}

/** Bytes of `name`, rebuilt when `key` (the contract and the generator's source) changes. */
export function cachedStandin(name: string, key: unknown, build: () => Uint8Array): Uint8Array {
  const digest = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  const file = join(STANDIN_DIR, `${name}.${digest}.onnx`);
  if (existsSync(file)) return new Uint8Array(readFileSync(file));
  const bytes = build();
  mkdirSync(STANDIN_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
  return bytes;
}

export interface TextStandins {
  clipText: Uint8Array;
  clipVision: Uint8Array;
  clipTokenizer: ReturnType<typeof clipStandinTokenizer>;
  gpt2Decoder: Uint8Array;
  gpt2Tokenizer: ReturnType<typeof gpt2StandinTokenizer>;
}

export function textStandins(): TextStandins {
  const clip = manifestFiles('clip-vit-b32');
  const gpt2 = manifestFiles('gpt2');
  return {
    clipText: cachedStandin(
      'clip-text_model',
      [clip.text_model, clipTextStandin.toString(), buildModel.toString()],
      () => clipTextStandin(clip.text_model!),
    ),
    clipVision: cachedStandin(
      'clip-vision_model',
      [clip.vision_model, clipVisionStandin.toString(), buildModel.toString()],
      () => clipVisionStandin(clip.vision_model!),
    ),
    clipTokenizer: clipStandinTokenizer(),
    gpt2Decoder: cachedStandin(
      'gpt2-decoder_model_merged',
      [gpt2.decoder, gpt2DecoderStandin.toString(), buildModel.toString()],
      () => gpt2DecoderStandin(gpt2.decoder!),
    ),
    gpt2Tokenizer: gpt2StandinTokenizer(),
  };
}

if (process.argv[1] && /clip-gpt2-files/.test(process.argv[1])) {
  const s = textStandins();
  mkdirSync(STANDIN_DIR, { recursive: true });
  writeFileSync(join(STANDIN_DIR, 'clip-tokenizer.json'), JSON.stringify(s.clipTokenizer.tokenizer));
  writeFileSync(join(STANDIN_DIR, 'clip-tokenizer_config.json'), JSON.stringify(s.clipTokenizer.config));
  writeFileSync(join(STANDIN_DIR, 'gpt2-tokenizer.json'), JSON.stringify(s.gpt2Tokenizer.tokenizer));
  writeFileSync(join(STANDIN_DIR, 'gpt2-tokenizer_config.json'), JSON.stringify(s.gpt2Tokenizer.config));
  console.log(
    `CLIP and GPT-2 stand-ins in ${STANDIN_DIR}: text ${s.clipText.length} B, vision ${s.clipVision.length} B, GPT-2 decoder ${s.gpt2Decoder.length} B.`,
  );
}
