/**
 * A GPT-2 decoder + tokenizer from a model's files — the verified downloads of the manifest entry
 * `gpt2` (or a stand-in with the same contract) — ready for Gpt2Generation.start.
 */
import { fileBytes, type ContractEntry, type SessionOpener } from '../model-session';
import { Gpt2Tokenizer } from '../tokenizers/gpt2';
import type { JsonSource } from '../tokenizers/load';
import { Gpt2Decoder } from './decoder';

export interface Gpt2Files {
  /** Verified bytes by file role: decoder. */
  files: ReadonlyMap<string, Uint8Array>;
  tokenizer: JsonSource;
  tokenizerConfig?: JsonSource;
}

export interface Gpt2Model {
  decoder: Gpt2Decoder;
  tokenizer: Gpt2Tokenizer;
  close(): Promise<void>;
}

export async function openGpt2(entry: ContractEntry, source: Gpt2Files, open: SessionOpener): Promise<Gpt2Model> {
  const file = entry.files.find((f) => f.role === 'decoder');
  if (!file) throw new Error(`${entry.id}: the manifest lists no "decoder" file.`);
  const tokenizer = Gpt2Tokenizer.from(source.tokenizer, source.tokenizerConfig);
  const session = await open('decoder', fileBytes(source.files, 'decoder', entry.id), file.io);
  const decoder = new Gpt2Decoder(session);
  const vocab = session.contract.outputs.find((d) => d.name === 'logits')?.shape?.at(-1);
  if (typeof vocab === 'number' && vocab !== tokenizer.vocabSize) {
    await session.close();
    throw new Error(`${entry.id}: the decoder predicts ${vocab} tokens but the tokenizer has ${tokenizer.vocabSize}.`);
  }
  return { decoder, tokenizer, close: () => session.close() };
}
