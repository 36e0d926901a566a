/**
 * Painting with image tokens: the pocket DALL·E samples the 64 codes of an 8×8 grid one at a time,
 * in raster order, after the caption (Ramesh et al. 2021, §2.2 — text and image tokens in one
 * stream; the book's stand-in uses the shapes VQ tokenizer's 128 codes).
 *
 *   p(image tokens | caption) = Π_{i=0}^{63} p(u_i | caption, u_0 … u_{i−1})
 *
 * Two graphs carry the same weights (models/train/nets/ar.py):
 * - `shapes-dalle` (full pass): tokens [B, n] → logits for every position and the key/value cache;
 *   row 15 + i is image token i's distribution. Without a cache, every token costs a full pass over
 *   the prefix (O(N²) work for N tokens).
 * - `shapes-dalle-step`: one token and the cache of the P positions before it → the next token's
 *   logits and the cache of P + 1 positions (O(N) work).
 * Token ids: caption words are 0…V−1 and image code k is V + k (`imageTokenOffset` in the manifest).
 */
import type { TensorData } from '../runtime/ort.ts';
import type { ModelRunner } from '../pocket/guided-sampling.ts';
import { createRng, deriveSeed } from '../rng.ts';
import { nextTokenDistribution, sampleIndex, type SamplingOptions } from './sampling.ts';

/** What the manifest says about the pocket DALL·E (models/manifest.json, `shapes-dalle`). */
export interface ImageTokenModelInfo {
  /** Id of image code 0 in the token stream (the caption vocabulary's size). */
  imageTokenOffset: number;
  codebookSize: number;
  /** 16 caption tokens, 64 image tokens. */
  textTokens: number;
  imageTokens: number;
}

export interface ImageTokenModels {
  full: ModelRunner;
  step: ModelRunner;
  info: ImageTokenModelInfo;
}

function float32(outputs: Record<string, TensorData>, name: string): TensorData<'float32'> {
  const out = outputs[name];
  if (out === undefined || out.dtype !== 'float32') throw new Error(`The model returned no float32 output "${name}".`);
  return out as TensorData<'float32'>;
}

/** The uniform draw that picks image token `index` of sample `sample` for a run seeded with `seed`. */
export function tokenDraw(seed: number, sample: number, index: number): number {
  return createRng(deriveSeed(deriveSeed(seed, sample), index)).uniform();
}

function checkCaption(caption: Int32Array, info: ImageTokenModelInfo): void {
  if (caption.length !== info.textTokens)
    throw new Error(`A caption is ${info.textTokens} tokens (BOS … EOS, PAD); got ${caption.length}.`);
  for (const id of caption)
    if (!(id >= 0 && id < info.imageTokenOffset)) throw new Error(`Caption token ${id} is not a word id.`);
}

function checkCode(code: number, info: ImageTokenModelInfo): void {
  if (!Number.isInteger(code) || code < 0 || code >= info.codebookSize)
    throw new RangeError(`Image code ${code} is outside 0…${info.codebookSize - 1}.`);
}

/** The caption followed by the chosen codes as stream ids, for `rows` identical rows. */
function streamIds(caption: Int32Array, codes: readonly number[], info: ImageTokenModelInfo): Int32Array {
  const ids = new Int32Array(caption.length + codes.length);
  ids.set(caption);
  codes.forEach((c, i) => (ids[caption.length + i] = info.imageTokenOffset + c));
  return ids;
}

export interface BatchSampleOptions extends SamplingOptions {
  /** Use the key/value cache (default) or recompute a full pass for every token. */
  cache?: boolean;
  /** Called after each token position with the codes chosen so far ([n × (index + 1)]). */
  onToken?: (index: number) => void | Promise<void>;
}

/**
 * n images' worth of codes for one caption: [n × imageTokens] (raster order), sample s drawing its
 * token i with `tokenDraw(seed, s, i)`. Batched: one model call per token position for all n.
 */
export async function sampleImageTokens(
  models: ImageTokenModels,
  caption: Int32Array,
  n: number,
  seed: number,
  options: BatchSampleOptions,
): Promise<Int32Array> {
  const { info } = models;
  checkCaption(caption, info);
  const K = info.codebookSize;
  const codes = new Int32Array(n * info.imageTokens);
  const text = new Int32Array(n * info.textTokens);
  for (let s = 0; s < n; s++) text.set(caption, s * info.textTokens);
  let past: TensorData | undefined;
  const first = await models.full({ tokens: { dtype: 'int32', data: text, dims: [n, info.textTokens] } });
  const rows = float32(first, 'logits');
  let logits: Float32Array<ArrayBufferLike> = new Float32Array(n * K);
  for (let s = 0; s < n; s++)
    logits.set(
      rows.data.subarray((s * info.textTokens + info.textTokens - 1) * K, (s * info.textTokens + info.textTokens) * K),
      s * K,
    );
  past = first.present;
  const useCache = options.cache ?? true;
  for (let i = 0; i < info.imageTokens; i++) {
    for (let s = 0; s < n; s++) {
      const probs = nextTokenDistribution(logits.subarray(s * K, (s + 1) * K), options);
      codes[s * info.imageTokens + i] = sampleIndex(probs, tokenDraw(seed, s, i));
    }
    await options.onToken?.(i);
    if (i === info.imageTokens - 1) break;
    if (useCache) {
      const token = new Int32Array(n);
      for (let s = 0; s < n; s++) token[s] = info.imageTokenOffset + codes[s * info.imageTokens + i]!;
      const out = await models.step({ token: { dtype: 'int32', data: token, dims: [n, 1] }, past: past! });
      logits = float32(out, 'logits').data;
      past = out.present;
    } else {
      const length = info.textTokens + i + 1;
      const ids = new Int32Array(n * length);
      for (let s = 0; s < n; s++) {
        ids.set(caption, s * length);
        for (let j = 0; j <= i; j++)
          ids[s * length + info.textTokens + j] = info.imageTokenOffset + codes[s * info.imageTokens + j]!;
      }
      const out = float32(await models.full({ tokens: { dtype: 'int32', data: ids, dims: [n, length] } }), 'logits');
      logits = new Float32Array(n * K);
      for (let s = 0; s < n; s++)
        logits.set(out.data.subarray((s * length + length - 1) * K, (s * length + length) * K), s * K);
    }
  }
  return codes;
}

/** One token position of a run: the model's logits, the distribution after the sampling options, the choice. */
export interface TokenStep {
  index: number;
  logits: Float32Array;
  probabilities: Float64Array;
  code: number;
  /** Whether the reader picked the code (true) or the seeded draw did (false). */
  chosen: boolean;
}

/**
 * One image, token by token, for the token painter: `next()` draws (or takes the reader's) code for
 * the next cell, `back()` undoes the last one. The draw for token i is `tokenDraw(seed, 0, i)`, so
 * stepping back and forward again reproduces the same image unless the options change (they reshape
 * the stored logits; no model call). After `back()` the cache is rebuilt with one full pass.
 */
export class ImageTokenRun {
  readonly steps: TokenStep[] = [];
  private logits: Float32Array | null = null;
  private past: TensorData | undefined;

  constructor(
    private readonly models: ImageTokenModels,
    readonly caption: Int32Array,
    readonly seed: number,
    public options: SamplingOptions,
  ) {
    checkCaption(caption, models.info);
  }

  get codes(): number[] {
    return this.steps.map((s) => s.code);
  }

  get done(): boolean {
    return this.steps.length === this.models.info.imageTokens;
  }

  /** The next token's logits and distribution (under the current options), computing them if needed. */
  async upcoming(): Promise<{ logits: Float32Array; probabilities: Float64Array }> {
    if (this.done) throw new Error('All image tokens are chosen.');
    if (this.logits === null) await this.rebuild();
    return { logits: this.logits!, probabilities: nextTokenDistribution(this.logits!, this.options) };
  }

  /** Chooses the next code: the reader's `code`, or the seeded draw from the current distribution. */
  async next(code?: number): Promise<TokenStep> {
    const { logits, probabilities } = await this.upcoming();
    const index = this.steps.length;
    if (code !== undefined) checkCode(code, this.models.info);
    const chosen = code !== undefined;
    const pick = chosen ? code : sampleIndex(probabilities, tokenDraw(this.seed, 0, index));
    const step: TokenStep = { index, logits, probabilities, code: pick, chosen };
    this.steps.push(step);
    if (this.done) {
      this.logits = null;
    } else {
      const out = await this.models.step({
        token: { dtype: 'int32', data: Int32Array.of(this.models.info.imageTokenOffset + pick), dims: [1, 1] },
        past: this.past!,
      });
      this.logits = float32(out, 'logits').data;
      this.past = out.present;
    }
    return step;
  }

  /** Undoes the last token (no model call until the next `upcoming()`). */
  back(): TokenStep | undefined {
    const step = this.steps.pop();
    if (step !== undefined) this.logits = null;
    return step;
  }

  /** The sum of log p(u_i | …) of the chosen tokens under the model (temperature 1, no truncation). */
  logProbability(): number {
    let total = 0;
    for (const s of this.steps) {
      let max = -Infinity;
      for (const z of s.logits) max = Math.max(max, z);
      let sum = 0;
      for (const z of s.logits) sum += Math.exp(z - max);
      total += s.logits[s.code]! - max - Math.log(sum);
    }
    return total;
  }

  /** One full pass over the caption and the codes so far: the next logits and a fresh cache. */
  private async rebuild(): Promise<void> {
    const ids = streamIds(this.caption, this.codes, this.models.info);
    const out = await this.models.full({ tokens: { dtype: 'int32', data: ids, dims: [1, ids.length] } });
    const K = this.models.info.codebookSize;
    this.logits = float32(out, 'logits').data.slice((ids.length - 1) * K, ids.length * K);
    this.past = out.present;
  }
}
