// node scripts/run-ts.mjs models/standins/sd-write-mirror.ts <folder>
// Writes the SD stand-ins laid out like a `npm run models:pull` mirror of the real repositories:
// <folder>/sd-turbo/{text_encoder,unet,vae_decoder}/model.onnx, <folder>/sd15-webnn-fp16/<its three files>,
// <folder>/taesd/vae_decoder/model.onnx, plus each SD model's tokenizer files at their manifest
// paths (the stand-in CLIP tokenizer, padding as the real one does). For the
// pipelines' end-to-end checks and for proving `npm run bench:full` on a machine without the real files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../src/lib/runtime/manifest';
import { sdStandins, SD_STANDIN_IDS } from './sd-standins';
import { SD_PAD_TOKENS, sdTokenizerStandins } from './sd-tokenizer-standins';

const target = process.argv[2];
if (!target) {
  console.error('usage: node scripts/run-ts.mjs models/standins/sd-write-mirror.ts <folder>');
  process.exit(2);
}
const folder = resolve(target);
const entries = parseManifest(JSON.parse(readFileSync(`${process.cwd()}/models/manifest.json`, 'utf8')));
for (const id of SD_STANDIN_IDS) {
  const entry = entries.get(id)!;
  const files = [...sdStandins(entry), ...(SD_PAD_TOKENS[id] ? sdTokenizerStandins(entry) : [])];
  for (const [role, { path, bytes }] of files) {
    const file = join(folder, id, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    console.log(`${id} ${role}: ${file} (${bytes.byteLength} bytes)`);
  }
}
