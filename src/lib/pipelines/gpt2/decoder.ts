/**
 * GPT-2's merged decoder (optimum's decoder_model_merged.onnx) with its key/value cache.
 *
 * First call: the whole prompt, use_cache_branch = false, every past_key_values.{i}.key/value fed
 * as an empty [1, heads, 0, head_dim] tensor. Later calls: only the new token(s), the previous
 * call's present.{i}.* as past_key_values.{i}.*, use_cache_branch = true, attention_mask of ones
 * over past + new positions and position_ids continuing from the past length. Attention to
 * earlier positions is then read from the cache instead of being recomputed (what makes each new
 * token cost O(length) instead of O(length²)).
 *
 * Input names are the loaded session's own (position_ids exists in newer exports only), checked
 * against the manifest's contract when the session was opened.
 */
import type { TensorData } from '../../runtime/ort';
import { float32Output, hasInput, type Feeds, type ModelSession } from '../model-session';

/** GPT-2's learned position table has 1024 rows (Radford et al. 2019, §2.3). */
export const GPT2_CONTEXT = 1024;

const PAST = /^past_key_values\.(\d+)\.key$/;

export interface KvCache {
  /** past_key_values.{i}.{key,value} → tensor [1, heads, length, headDim] */
  tensors: Record<string, TensorData>;
  /** Positions held. */
  length: number;
}

export interface DecoderStep {
  /** Logits for every fed position: rows of `vocab` values. */
  logits: Float32Array;
  /** The last position's logits (the next-token prediction). */
  last: Float32Array;
  vocab: number;
  cache: KvCache;
}

function intTensor(dtype: string | null | undefined, values: number[], dims: number[]): TensorData {
  if (dtype === 'int32') return { dtype: 'int32', data: Int32Array.from(values), dims };
  return { dtype: 'int64', data: BigInt64Array.from(values, (v) => BigInt(v)), dims };
}

export class Gpt2Decoder {
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly usesPositionIds: boolean;
  private readonly dtypes = new Map<string, string | null>();

  constructor(readonly session: ModelSession) {
    const pastKeys = session.contract.inputs.filter((d) => PAST.test(d.name));
    if (pastKeys.length === 0)
      throw new Error('This GPT-2 decoder has no past_key_values inputs: a merged decoder with KV cache is expected.');
    this.layers = pastKeys.length;
    const shape = pastKeys[0]!.shape;
    const heads = shape?.[1];
    const headDim = shape?.[3];
    if (typeof heads !== 'number' || typeof headDim !== 'number')
      throw new Error(`past_key_values shape ${JSON.stringify(shape)}: fixed heads and head size expected.`);
    this.heads = heads;
    this.headDim = headDim;
    this.usesPositionIds = hasInput(session, 'position_ids');
    for (const d of session.contract.inputs) this.dtypes.set(d.name, d.dtype);
  }

  emptyCache(): KvCache {
    const tensors: Record<string, TensorData> = {};
    for (let i = 0; i < this.layers; i++) {
      for (const kind of ['key', 'value'])
        tensors[`past_key_values.${i}.${kind}`] = {
          dtype: 'float32',
          data: new Float32Array(0),
          dims: [1, this.heads, 0, this.headDim],
        };
    }
    return { tensors, length: 0 };
  }

  /** Feed `ids` after the cached positions (none: a fresh start). */
  async forward(ids: readonly number[], cache: KvCache | null = null): Promise<DecoderStep> {
    if (ids.length === 0) throw new Error('No tokens to feed.');
    const past = cache ?? this.emptyCache();
    const total = past.length + ids.length;
    if (total > GPT2_CONTEXT) throw new Error(`GPT-2 reads at most ${GPT2_CONTEXT} tokens; this would be ${total}.`);
    const feeds: Feeds = {
      input_ids: intTensor(this.dtypes.get('input_ids'), [...ids], [1, ids.length]),
      attention_mask: intTensor(this.dtypes.get('attention_mask'), new Array(total).fill(1), [1, total]),
      use_cache_branch: { dtype: 'bool', data: Uint8Array.of(past.length > 0 ? 1 : 0), dims: [1] },
      ...past.tensors,
    };
    if (this.usesPositionIds) {
      feeds['position_ids'] = intTensor(
        this.dtypes.get('position_ids'),
        Array.from(ids, (_, i) => past.length + i),
        [1, ids.length],
      );
    }
    const out = await this.session.run(feeds);
    const logits = float32Output(out, 'logits');
    const vocab = logits.dims.at(-1)!;
    if (logits.dims[1] !== ids.length)
      throw new Error(`logits dims [${logits.dims.join(', ')}] do not match ${ids.length} fed tokens.`);
    const next: Record<string, TensorData> = {};
    for (let i = 0; i < this.layers; i++) {
      for (const kind of ['key', 'value']) {
        const present = out[`present.${i}.${kind}`];
        if (!present) throw new Error(`The decoder returned no present.${i}.${kind}.`);
        if (present.dims[2] !== total)
          throw new Error(`present.${i}.${kind} holds ${present.dims[2]} positions; ${total} expected.`);
        next[`past_key_values.${i}.${kind}`] = present;
      }
    }
    return {
      logits: logits.data,
      last: logits.data.subarray((ids.length - 1) * vocab, ids.length * vocab),
      vocab,
      cache: { tensors: next, length: total },
    };
  }
}
