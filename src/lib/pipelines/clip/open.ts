/**
 * A ClipPipeline from a model's files — the verified downloads of the manifest entry
 * `clip-vit-b32` (or stand-ins with the same contracts): the two towers become sessions checked
 * against their contracts, and the tokenizer is built from the repository's own tokenizer.json.
 */
import { fileBytes, type ContractEntry, type SessionOpener } from '../model-session';
import { ClipTokenizer } from '../tokenizers/clip';
import type { JsonSource } from '../tokenizers/load';
import { ClipPipeline, clipNames } from './pipeline';

export interface ClipFiles {
  /** Verified bytes by file role: text_model, vision_model. */
  files: ReadonlyMap<string, Uint8Array>;
  /** tokenizer.json (and tokenizer_config.json) of the same repository. */
  tokenizer: JsonSource;
  tokenizerConfig?: JsonSource;
}

export async function openClip(entry: ContractEntry, source: ClipFiles, open: SessionOpener): Promise<ClipPipeline> {
  const io = (role: string) => {
    const file = entry.files.find((f) => f.role === role);
    if (!file) throw new Error(`${entry.id}: the manifest lists no "${role}" file.`);
    return file.io;
  };
  const tokenizer = ClipTokenizer.from(source.tokenizer, { config: source.tokenizerConfig });
  const text = await open('text_model', fileBytes(source.files, 'text_model', entry.id), io('text_model'));
  try {
    const vision = await open('vision_model', fileBytes(source.files, 'vision_model', entry.id), io('vision_model'));
    return new ClipPipeline(text, vision, tokenizer, clipNames(io('text_model'), io('vision_model')));
  } catch (error) {
    await text.close();
    throw error;
  }
}
