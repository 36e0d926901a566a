/**
 * CLIP's text tokenizer as the CLIP text towers (and the SD text encoders) expect it: lower-cased
 * byte-level BPE with "</w>" word ends, `<|startoftext|>` … `<|endoftext|>`, then padded to a fixed
 * 77 positions with the model's pad token (Radford et al. 2021, §2.4: "max sequence length was
 * capped at 76" plus BOS/EOS). Padding to the longest prompt in a batch — transformers.js's
 * `padding: true` — would feed the encoders a different sequence length than they were trained on.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { buildTokenizer, parseJsonSource, requireId, tokenContent, TokenizerLoadError, type JsonSource } from './load';

export const CLIP_MAX_LENGTH = 77;

export interface ClipTokenizerOptions {
  /** tokenizer_config.json (or special_tokens_map.json): pad_token and model_max_length are read from it. */
  config?: JsonSource;
  /** Overrides the config's model_max_length (77 for every CLIP text tower). */
  maxLength?: number;
}

export interface ClipEncoding {
  /** maxLength ids: BOS, the text's tokens, EOS, then the pad id. */
  ids: Int32Array;
  /** Positions up to and including EOS (the rest is padding). */
  length: number;
  /** Token strings of the first `length` positions, for display. */
  tokens: string[];
  /** The text did not fit: it was cut so that EOS still ends the sequence. */
  truncated: boolean;
}

export interface ClipBatch {
  /** batch × maxLength ids, row-major. */
  ids: Int32Array;
  lengths: number[];
  dims: [number, number];
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    ids: { bos: number; eos: number; pad: number },
    maxLength: number,
  ) {
    this.bosId = ids.bos;
    this.eosId = ids.eos;
    this.padId = ids.pad;
    this.maxLength = maxLength;
  }

  /** Build from the model's own tokenizer.json (bytes, text or parsed JSON). */
  static from(tokenizerJson: JsonSource, options: ClipTokenizerOptions = {}): ClipTokenizer {
    const json = parseJsonSource(tokenizerJson, 'CLIP tokenizer.json');
    const config = options.config === undefined ? {} : parseJsonSource(options.config, 'CLIP tokenizer_config.json');
    const tokenizer = buildTokenizer(json, config, 'CLIP tokenizer.json');
    const post = json.post_processor as { cls?: [string, number]; sep?: [string, number] } | null | undefined;
    const bosToken = tokenContent(config.bos_token) ?? post?.cls?.[0] ?? '<|startoftext|>';
    const eosToken = tokenContent(config.eos_token) ?? post?.sep?.[0] ?? '<|endoftext|>';
    const bos = requireId(tokenizer, bosToken, 'CLIP tokenizer');
    const eos = requireId(tokenizer, eosToken, 'CLIP tokenizer');
    // SD 2.x / SD-Turbo tokenizers pad with "!" (id 0), SD 1.x and OpenAI CLIP with EOS: read it.
    const padToken = tokenContent(config.pad_token);
    const pad = padToken === undefined ? eos : requireId(tokenizer, padToken, 'CLIP tokenizer');
    const configured =
      typeof config.model_max_length === 'number' && config.model_max_length < 1e6
        ? config.model_max_length
        : CLIP_MAX_LENGTH;
    const maxLength = options.maxLength ?? configured;
    if (!Number.isInteger(maxLength) || maxLength < 2)
      throw new TokenizerLoadError(`CLIP tokenizer: max length must be an integer ≥ 2, got ${maxLength}.`);
    return new ClipTokenizer(tokenizer, { bos, eos, pad }, maxLength);
  }

  /** BOS + tokens + EOS, padded (or truncated, keeping EOS last) to exactly maxLength ids. */
  encode(text: string): ClipEncoding {
    const { ids, tokens } = this.tokenizer.encode(text, { add_special_tokens: true });
    if (ids[0] !== this.bosId || ids[ids.length - 1] !== this.eosId) {
      throw new TokenizerLoadError('CLIP tokenizer.json does not wrap text in BOS … EOS (post_processor missing?).');
    }
    const truncated = ids.length > this.maxLength;
    const kept = truncated ? [...ids.slice(0, this.maxLength - 1), this.eosId] : ids;
    const keptTokens = truncated ? [...tokens.slice(0, this.maxLength - 1), tokens[tokens.length - 1]] : tokens;
    const out = new Int32Array(this.maxLength).fill(this.padId);
    out.set(kept);
    return { ids: out, length: kept.length, tokens: keptTokens, truncated };
  }

  /** Several prompts as one [batch, maxLength] tensor's data. */
  encodeBatch(texts: readonly string[]): ClipBatch {
    const ids = new Int32Array(texts.length * this.maxLength);
    const lengths: number[] = [];
    texts.forEach((t, i) => {
      const e = this.encode(t);
      ids.set(e.ids, i * this.maxLength);
      lengths.push(e.length);
    });
    return { ids, lengths, dims: [texts.length, this.maxLength] };
  }

  /** Text back from ids (special tokens and padding dropped). */
  decode(ids: ArrayLike<number>): string {
    return this.tokenizer.decode(Array.from(ids), { skip_special_tokens: true }).trim();
  }
}

/** int32 ids → int64, for exports whose input_ids are int64 (the Xenova CLIP towers). */
export function toInt64(ids: Int32Array): BigInt64Array {
  return BigInt64Array.from(ids, (v) => BigInt(v));
}
