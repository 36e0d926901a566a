/**
 * Token-by-token generation with GPT-2 that shows its work: after the prompt and after every
 * token, the next-token distribution (temperature / top-k / top-p applied) is available, with its
 * most probable tokens; `step()` draws one token (or takes the reader's choice) and feeds it
 * through the KV cache. The draw at step n uses its own seeded stream (seed, n), so changing an
 * earlier choice does not reshuffle the randomness of later steps.
 */
import {
  nextTokenDistribution,
  rankByProbability,
  sampleToken,
  topTokens,
  type SamplingOptions,
} from '../../autoregressive/sampling';
import { createRng, deriveSeed } from '../../rng';
import type { Gpt2Tokenizer } from '../tokenizers/gpt2';
import { Gpt2Decoder, type KvCache } from './decoder';

export interface TokenChoice {
  id: number;
  /** As the reader should see it (" cat"). */
  text: string;
  probability: number;
}

export interface GenerationStep {
  index: number;
  token: TokenChoice;
  /** The reader picked it instead of sampling. */
  chosen: boolean;
  /** The distribution it was drawn from: its top tokens. */
  top: TokenChoice[];
  /** Wall time of the decoder call that fed this token. */
  decoderMs: number;
}

export interface GenerationOptions extends SamplingOptions {
  seed: number;
  /** How many top tokens to expose per step (default 10). */
  topN?: number;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Gpt2Generation {
  readonly promptIds: number[];
  readonly tokens: number[] = [];
  readonly steps: GenerationStep[] = [];
  private cache: KvCache;
  private lastLogits: Float32Array;
  private probs!: Float64Array;
  private order!: Uint32Array;

  private constructor(
    readonly decoder: Gpt2Decoder,
    readonly tokenizer: Gpt2Tokenizer,
    promptIds: number[],
    first: { last: Float32Array; cache: KvCache },
    private options: GenerationOptions,
  ) {
    this.promptIds = promptIds;
    this.cache = first.cache;
    this.lastLogits = Float32Array.from(first.last);
    this.refresh();
  }

  /** Encode the prompt (empty: start from <|endoftext|>, as GPT-2 does unconditionally) and run it. */
  static async start(
    decoder: Gpt2Decoder,
    tokenizer: Gpt2Tokenizer,
    prompt: string,
    options: GenerationOptions,
  ): Promise<Gpt2Generation> {
    const ids = prompt === '' ? [tokenizer.eosId] : tokenizer.encode(prompt).ids;
    const first = await decoder.forward(ids);
    return new Gpt2Generation(decoder, tokenizer, ids, first, options);
  }

  /** The distribution the next token will be drawn from. */
  get distribution(): Float64Array {
    return this.probs;
  }

  /** Its most probable tokens. */
  top(n = this.options.topN ?? 10): TokenChoice[] {
    return topTokens(this.probs, n, this.order).map((t) => this.choice(t.id, t.probability));
  }

  /** Change temperature / top-k / top-p / seed: the pending distribution is recomputed, the past kept. */
  setOptions(options: Partial<GenerationOptions>): void {
    this.options = { ...this.options, ...options };
    this.refresh();
  }

  get done(): boolean {
    return this.tokens.at(-1) === this.tokenizer.eosId || this.promptIds.length + this.tokens.length >= 1024;
  }

  /** Draw (or take `choose`) the next token, feed it, and prepare the following distribution. */
  async step(choose?: number): Promise<GenerationStep> {
    if (this.done) throw new Error('Generation has ended (end of text or 1024 tokens).');
    const index = this.steps.length;
    const top = this.top();
    let id: number;
    if (choose !== undefined) {
      if (!Number.isInteger(choose) || choose < 0 || choose >= this.probs.length)
        throw new Error(`Token id ${choose} is outside the vocabulary.`);
      id = choose;
    } else {
      id = sampleToken(this.probs, createRng(deriveSeed(this.options.seed, index)));
    }
    const token = this.choice(id, this.probs[id]!);
    const start = now();
    const next = await this.decoder.forward([id], this.cache);
    const decoderMs = now() - start;
    this.cache = next.cache;
    this.lastLogits = Float32Array.from(next.last);
    this.tokens.push(id);
    this.refresh();
    const step: GenerationStep = { index, token, chosen: choose !== undefined, top, decoderMs };
    this.steps.push(step);
    return step;
  }

  /** Prompt + generated text. */
  text(): string {
    return this.tokenizer.decode(
      [...(this.promptIds[0] === this.tokenizer.eosId ? this.promptIds.slice(1) : this.promptIds), ...this.tokens],
      { skipSpecial: true },
    );
  }

  private choice(id: number, probability: number): TokenChoice {
    return { id, text: this.tokenizer.display(id), probability };
  }

  private refresh(): void {
    this.probs = nextTokenDistribution(this.lastLogits, this.options);
    this.order = rankByProbability(this.probs);
  }
}
