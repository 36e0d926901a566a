/**
 * Stand-in for Xenova/gpt2's `decoder_model_merged.onnx`: the real IO (from the manifest: ids,
 * attention mask, optional position ids, 12 layers of past keys/values with 12 heads of 64,
 * use_cache_branch; logits over 50257 tokens and the present keys/values), tiny random weights,
 * and real causal self-attention with a KV cache, so stepping with the cache must reproduce a full
 * forward pass — the property the pipeline is tested on.
 *
 * Per layer ℓ (Vaswani et al. 2017, eq. 1, without MLPs or layer norms inside the stack):
 *   q, k, v = h W_q, h W_k, h W_v (split into heads);  K = [past_k ; k], V = [past_v ; v]
 *   h ← h + softmax(q Kᵀ/√64 + mask) V W_o
 * mask: a key is visible if its position ≤ the query's and its attention_mask entry is 1.
 * Input embedding h = wte[ids] + wpe[positions]; logits = LayerNorm(h) wteᵀ (tied, as in GPT-2).
 * use_cache_branch = false ignores the past (the merged export's no-cache branch).
 */
import {
  buildModel,
  fixedDim,
  required,
  seededValues,
  valueSpec,
  type InitializerSpec,
  type NodeSpec,
  type StandinContract,
} from './onnx-builder';

export const GPT2_STANDIN_WIDTH = 16;
const MAX_POSITIONS = 1024;

export interface Gpt2StandinOptions {
  seed?: number;
  width?: number;
  /** Include the contract's optional position_ids input (default true). */
  positionIds?: boolean;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

export function gpt2DecoderStandin(contract: StandinContract, options: Gpt2StandinOptions = {}): Uint8Array {
  const withPositions = options.positionIds ?? true;
  const inputs = required(contract.inputs, withPositions ? ['position_ids'] : []);
  const outputs = required(contract.outputs);
  const names = new Set(inputs.map(([n]) => n));
  for (const n of ['input_ids', 'attention_mask', 'use_cache_branch'])
    if (!names.has(n)) throw new Error(`GPT-2 stand-in: the contract has no "${n}" input.`);
  const pastNames = inputs.filter(([n]) => PAST.test(n));
  const layers = pastNames.length / 2;
  const firstPast = pastNames[0]?.[1];
  if (!firstPast || !Number.isInteger(layers))
    throw new Error('GPT-2 stand-in: past_key_values.{i}.key/value pairs expected.');
  const heads = fixedDim(firstPast, 1, 'past_key_values heads');
  const headDim = fixedDim(firstPast, 3, 'past_key_values head size');
  const logitsSpec = contract.outputs['logits'];
  if (!logitsSpec) throw new Error('GPT-2 stand-in: the contract has no "logits" output.');
  const vocab = fixedDim(logitsSpec, -1, 'logits vocabulary');
  const d = options.width ?? GPT2_STANDIN_WIDTH;
  const inner = heads * headDim;
  let seed = options.seed ?? 101;

  const nodes: NodeSpec[] = [];
  const node = (op: string, ins: string[], outs: string[], attributes?: NodeSpec['attributes']) =>
    nodes.push({ op, inputs: ins, outputs: outs, attributes });
  const inits: InitializerSpec[] = [
    { name: 'wte', dtype: 'float32', dims: [vocab, d], values: seededValues(vocab * d, seed++, 1) },
    { name: 'wpe', dtype: 'float32', dims: [MAX_POSITIONS, d], values: seededValues(MAX_POSITIONS * d, seed++, 0.5) },
    { name: 'ln_scale', dtype: 'float32', dims: [d], values: new Array(d).fill(1) },
    { name: 'ln_bias', dtype: 'float32', dims: [d], values: new Array(d).fill(0) },
    { name: 'i0', dtype: 'int64', dims: [], values: [0] },
    { name: 'i1', dtype: 'int64', dims: [], values: [1] },
    { name: 'i2', dtype: 'int64', dims: [], values: [2] },
    { name: 'axes0', dtype: 'int64', dims: [1], values: [0] },
    { name: 'axes1', dtype: 'int64', dims: [1], values: [1] },
    { name: 'axes2', dtype: 'int64', dims: [1], values: [2] },
    { name: 'axes12', dtype: 'int64', dims: [2], values: [1, 2] },
    { name: 'zero_1d', dtype: 'int64', dims: [1], values: [0] },
    { name: 'f_one', dtype: 'float32', dims: [], values: [1] },
    { name: 'f_big', dtype: 'float32', dims: [], values: [1e9] },
    { name: 'f_scale', dtype: 'float32', dims: [], values: [1 / Math.sqrt(headDim)] },
    { name: 'heads_shape', dtype: 'int64', dims: [4], values: [0, 0, heads, headDim] },
    { name: 'merge_shape', dtype: 'int64', dims: [3], values: [0, 0, inner] },
  ];

  // Past length actually used: P·use_cache_branch (the no-cache branch ignores the past).
  node('Shape', [pastNames[0]![0]], ['past_shape']);
  node('Gather', ['past_shape', 'i2'], ['past_len'], { axis: 0 });
  node('Gather', ['use_cache_branch', 'i0'], ['ucb']);
  node('Cast', ['ucb'], ['ucb_i'], { to: 7 });
  node('Mul', ['past_len', 'ucb_i'], ['past_eff']);
  node('Unsqueeze', ['past_eff', 'axes0'], ['past_eff_1d']);
  node('Shape', ['input_ids'], ['ids_shape']);
  node('Gather', ['ids_shape', 'i1'], ['seq_len'], { axis: 0 });
  node('Add', ['past_eff', 'seq_len'], ['total_len']);
  node('Range', ['past_eff', 'total_len', 'i1'], ['q_pos']);
  node('Range', ['i0', 'total_len', 'i1'], ['k_pos']);

  // Embeddings.
  node('Gather', ['wte', 'input_ids'], ['tok'], { axis: 0 });
  if (withPositions) node('Gather', ['wpe', 'position_ids'], ['pos'], { axis: 0 });
  else node('Gather', ['wpe', 'q_pos'], ['pos'], { axis: 0 });
  node('Add', ['tok', 'pos'], ['h_0']);

  // Additive mask [B, 1, S, T]: 0 where visible, −1e9 elsewhere.
  node('Unsqueeze', ['k_pos', 'axes0'], ['k_row']);
  node('Unsqueeze', ['q_pos', 'axes1'], ['q_col']);
  node('LessOrEqual', ['k_row', 'q_col'], ['causal']);
  node('Cast', ['causal'], ['causal_f'], { to: 1 });
  node('Cast', ['attention_mask'], ['am_f'], { to: 1 });
  node('Unsqueeze', ['am_f', 'axes12'], ['am_4d']);
  node('Mul', ['causal_f', 'am_4d'], ['visible']);
  node('Sub', ['visible', 'f_one'], ['hidden_neg']);
  node('Mul', ['hidden_neg', 'f_big'], ['mask']);

  for (let l = 0; l < layers; l++) {
    const w = (name: string, rows: number, cols: number, scale: number) => {
      inits.push({
        name: `h.${l}.${name}`,
        dtype: 'float32',
        dims: [rows, cols],
        values: seededValues(rows * cols, seed++, scale),
      });
      return `h.${l}.${name}`;
    };
    const h = `h_${l}`;
    const heads4 = (x: string) => {
      node('Reshape', [x, 'heads_shape'], [`${x}_r`]);
      node('Transpose', [`${x}_r`], [`${x}_t`], { perm: [0, 2, 1, 3] });
      return `${x}_t`;
    };
    node('MatMul', [h, w('q', d, inner, 1 / Math.sqrt(d))], [`q${l}`]);
    node('MatMul', [h, w('k', d, inner, 1 / Math.sqrt(d))], [`k${l}`]);
    node('MatMul', [h, w('v', d, inner, 1 / Math.sqrt(d))], [`v${l}`]);
    const q = heads4(`q${l}`);
    const k = heads4(`k${l}`);
    const v = heads4(`v${l}`);
    for (const [kind, fresh] of [
      ['key', k],
      ['value', v],
    ] as const) {
      node('Slice', [`past_key_values.${l}.${kind}`, 'zero_1d', 'past_eff_1d', 'axes2'], [`past${l}${kind}`]);
      node('Concat', [`past${l}${kind}`, fresh], [`present.${l}.${kind}`], { axis: 2 });
    }
    node('Transpose', [`present.${l}.key`], [`kt${l}`], { perm: [0, 1, 3, 2] });
    node('MatMul', [q, `kt${l}`], [`s${l}`]);
    node('Mul', [`s${l}`, 'f_scale'], [`ss${l}`]);
    node('Add', [`ss${l}`, 'mask'], [`sm${l}`]);
    node('Softmax', [`sm${l}`], [`a${l}`], { axis: -1 });
    node('MatMul', [`a${l}`, `present.${l}.value`], [`c${l}`]);
    node('Transpose', [`c${l}`], [`ct${l}`], { perm: [0, 2, 1, 3] });
    node('Reshape', [`ct${l}`, 'merge_shape'], [`cm${l}`]);
    node('MatMul', [`cm${l}`, w('o', inner, d, 0.5 / Math.sqrt(inner))], [`o${l}`]);
    node('Add', [h, `o${l}`], [`h_${l + 1}`]);
  }
  node('LayerNormalization', [`h_${layers}`, 'ln_scale', 'ln_bias'], ['h_ln'], { axis: -1, epsilon: { float: 1e-5 } });
  node('Transpose', ['wte'], ['wte_t'], { perm: [1, 0] });
  node('MatMul', ['h_ln', 'wte_t'], ['logits']);

  const known = new Set(['logits', ...pastNames.map(([n]) => n.replace('past_key_values', 'present'))]);
  for (const [n] of outputs) if (!known.has(n)) throw new Error(`GPT-2 stand-in: cannot compute output "${n}".`);
  return buildModel({
    name: 'gpt2_decoder_merged_standin',
    inputs: inputs.map(([n, s]) => valueSpec(n, s)),
    outputs: outputs.map(([n, s]) => valueSpec(n, s)),
    nodes,
    initializers: inits,
  });
}
