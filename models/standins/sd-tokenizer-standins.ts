/**
 * The stand-in CLIP tokenizer as the tokenizer files of an SD manifest entry (roles `tokenizer` and
 * `tokenizer_config`, at their manifest paths), padding as the real model's config does: SD 2.x
 * (SD-Turbo) pads with "!", SD 1.5 with <|endoftext|>. Pure TS, for the mirror writer, the widget's
 * test page and the tests alike.
 */
import type { ModelEntry } from '../../src/lib/runtime/model-entry.ts';
import { clipStandinTokenizer } from './tokenizers.ts';

export const SD_PAD_TOKENS: Record<string, string> = { 'sd-turbo': '!', 'sd15-webnn-fp16': '<|endoftext|>' };

export function sdTokenizerStandins(entry: ModelEntry): Map<string, { path: string; bytes: Uint8Array }> {
  const pad = SD_PAD_TOKENS[entry.id];
  if (!pad) throw new Error(`No stand-in tokenizer for ${entry.id}.`);
  const files = clipStandinTokenizer();
  const json = { tokenizer: files.tokenizer, tokenizer_config: { ...files.config, pad_token: pad } };
  const out = new Map<string, { path: string; bytes: Uint8Array }>();
  for (const file of entry.files) {
    if (file.role !== 'tokenizer' && file.role !== 'tokenizer_config') continue;
    out.set(file.role, {
      path: file.hub?.path ?? file.sitePath,
      bytes: new TextEncoder().encode(JSON.stringify(json[file.role])),
    });
  }
  return out;
}
