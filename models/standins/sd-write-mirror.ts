// node scripts/run-ts.mjs models/standins/sd-write-mirror.ts <folder>
// Writes the SD stand-ins laid out like a `npm run models:pull` mirror of the real repositories:
// <folder>/sd-turbo/{text_encoder,unet,vae_decoder}/model.onnx, <folder>/sd15-webnn-fp16/<its three files>,
// <folder>/taesd/vae_decoder/model.onnx, plus each SD model's tokenizer/tokenizer.json and
// tokenizer_config.json (the stand-in CLIP tokenizer, padding as the real one does). For the
// pipelines' end-to-end checks and for proving `npm run bench:full` on a machine without the real files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../src/lib/runtime/manifest';
import { sdStandins, SD_STANDIN_IDS } from './sd-standins';
import { clipStandinTokenizer } from './tokenizers';

const target = process.argv[2];
if (!target) {
  console.error('usage: node scripts/run-ts.mjs models/standins/sd-write-mirror.ts <folder>');
  process.exit(2);
}
const folder = resolve(target);
const entries = parseManifest(JSON.parse(readFileSync(`${process.cwd()}/models/manifest.json`, 'utf8')));
const tokenizer = clipStandinTokenizer();
// SD 2.x (SD-Turbo) pads with "!", SD 1.5 with <|endoftext|>.
const padTokens: Record<string, string> = { 'sd-turbo': '!', 'sd15-webnn-fp16': '<|endoftext|>' };
for (const id of SD_STANDIN_IDS) {
  const entry = entries.get(id)!;
  for (const [role, { path, bytes }] of sdStandins(entry)) {
    const file = join(folder, id, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    console.log(`${id} ${role}: ${file} (${bytes.byteLength} bytes)`);
  }
  const pad = padTokens[id];
  if (pad) {
    mkdirSync(join(folder, id, 'tokenizer'), { recursive: true });
    writeFileSync(join(folder, id, 'tokenizer', 'tokenizer.json'), JSON.stringify(tokenizer.tokenizer));
    writeFileSync(join(folder, id, 'tokenizer', 'tokenizer_config.json'), JSON.stringify({ ...tokenizer.config, pad_token: pad }));
  }
}
