/**
 * GPT-2's byte-level BPE (Radford et al. 2019, §2.2): every byte is a base symbol, so any text
 * encodes without unknown tokens; a leading space belongs to the word ("Ġcat"). Exposes the token
 * strings as a reader should see them (bytes decoded, partial UTF-8 shown as such).
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import { buildTokenizer, parseJsonSource, requireId, tokenContent, type JsonSource } from './load';

export interface Gpt2Encoding {
  ids: number[];
  /** Raw vocabulary strings ("Ġcat"). */
  tokens: string[];
}

export class Gpt2Tokenizer {
  readonly eosId: number;
  readonly vocabSize: number;
  private readonly displayCache = new Map<number, string>();

  private constructor(
    private readonly tokenizer: Tokenizer,
    eosId: number,
  ) {
    this.eosId = eosId;
    this.vocabSize = tokenizer.get_vocab(true).size;
  }

  static from(tokenizerJson: JsonSource, config?: JsonSource): Gpt2Tokenizer {
    const json = parseJsonSource(tokenizerJson, 'GPT-2 tokenizer.json');
    const cfg = config === undefined ? {} : parseJsonSource(config, 'GPT-2 tokenizer_config.json');
    const tokenizer = buildTokenizer(json, cfg, 'GPT-2 tokenizer.json');
    const eos = requireId(tokenizer, tokenContent(cfg.eos_token) ?? '<|endoftext|>', 'GPT-2 tokenizer');
    return new Gpt2Tokenizer(tokenizer, eos);
  }

  /** GPT-2 adds no BOS/EOS: the ids are the text's tokens only. */
  encode(text: string): Gpt2Encoding {
    const { ids, tokens } = this.tokenizer.encode(text, { add_special_tokens: false });
    return { ids, tokens };
  }

  decode(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): string {
    return this.tokenizer.decode(Array.from(ids), {
      skip_special_tokens: options.skipSpecial ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  /** The vocabulary string of one id ("Ġcat"), or undefined outside the vocabulary. */
  token(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** One token as text for display (" cat"); a byte that is only part of a character shows as U+FFFD. */
  display(id: number): string {
    let text = this.displayCache.get(id);
    if (text === undefined) {
      text = this.decode([id]);
      this.displayCache.set(id, text);
    }
    return text;
  }
}
