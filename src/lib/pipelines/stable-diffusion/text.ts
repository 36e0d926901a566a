/** Prompts → CLIP token rows → the text encoder's last_hidden_state (the UNet's encoder_hidden_states). */
import type { TensorData } from '../../runtime/ort.ts';
import type { SdComponent } from './components.ts';
import { TEXT_LENGTH } from './config.ts';
import { int32Feed, tensorSpec } from './tensors.ts';

/** A prompt → 77 CLIP token ids padded with the model's pad token (see src/lib/pipelines/tokenizers/clip.ts). */
export type Tokenize = (text: string) => Int32Array;

export function tokenizeChecked(tokenize: Tokenize, text: string): Int32Array {
  const ids = tokenize(text);
  if (ids.length !== TEXT_LENGTH)
    throw new Error(
      `The tokenizer returned ${ids.length} ids for "${text}"; the text encoder needs exactly ${TEXT_LENGTH}.`,
    );
  return ids;
}

const IDS = 'input_ids';
const HIDDEN = 'last_hidden_state';

/** Runs the text encoder on token rows (one batch) and returns last_hidden_state in the encoder's own dtype. */
export async function encodeTokens(textEncoder: SdComponent, rows: Int32Array[]): Promise<TensorData> {
  const spec = tensorSpec(textEncoder.io, 'inputs', IDS, 'The text encoder');
  tensorSpec(textEncoder.io, 'outputs', HIDDEN, 'The text encoder');
  const ints = int32Feed(rows);
  const feed: TensorData =
    spec.dtype === 'int64'
      ? { dtype: 'int64', data: BigInt64Array.from(ints.data, (v) => BigInt(v)), dims: ints.dims }
      : ints;
  const outputs = await textEncoder.run({ [IDS]: feed });
  const hidden = outputs[HIDDEN];
  if (!hidden) throw new Error(`The text encoder returned no "${HIDDEN}".`);
  return hidden;
}
