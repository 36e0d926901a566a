/**
 * Stand-ins for Xenova/clip-vit-base-patch32's `text_model.onnx` and `vision_model.onnx`: the
 * real IO (from the manifest), tiny random weights, and computations a test can check.
 *
 * Text tower: token + position embeddings → causal running mean over positions → tanh → the
 * hidden state at the first occurrence of the largest id (EOS, as CLIP pools: Radford et al. 2021
 * §2.4, "the activations of the highest layer of the transformer at the [EOS] token") → linear
 * projection. Because the mixing is causal and pooling stops at EOS, whatever follows EOS (pad
 * tokens of any id) cannot change the embedding — the property the pipeline's padding relies on.
 *
 * Vision tower: 32×32 patch embedding with stride 32 (ViT-B/32's patchify, Dosovitskiy et al. 2021
 * eq. 1) → tanh → mean over patches → linear projection.
 */
import {
  buildModel,
  fixedDim,
  required,
  seededValues,
  valueSpec,
  type NodeSpec,
  type StandinContract,
} from './onnx-builder';

export const CLIP_STANDIN_WIDTH = 16;
const VOCAB = 49408;
const POSITIONS = 77;
const PATCH = 32;

export interface ClipStandinOptions {
  seed?: number;
  width?: number;
  /**
   * Text tower only: also take the contract's optional `attention_mask` input and pool at the last
   * position it marks (as exports that take a mask do) instead of at the largest id.
   */
  attentionMask?: boolean;
}

/** `text_model.onnx` stand-in for a contract with one id input and one embedding output [batch, E]. */
export function clipTextStandin(contract: StandinContract, options: ClipStandinOptions = {}): Uint8Array {
  const [[idsName, idsSpec]] = required(contract.inputs);
  const maskSpec = options.attentionMask ? contract.inputs['attention_mask'] : undefined;
  if (options.attentionMask && !maskSpec)
    throw new Error('CLIP text stand-in: the contract has no attention_mask input.');
  const outs = required(contract.outputs);
  if (outs.length !== 1)
    throw new Error(`CLIP text stand-in: expected one required output, the contract has ${outs.length}.`);
  const [embedName, embedSpec] = outs[0]!;
  const embed = fixedDim(embedSpec, -1, `output "${embedName}"`);
  const d = options.width ?? CLIP_STANDIN_WIDTH;
  const seed = options.seed ?? 11;
  const nodes: NodeSpec[] = [
    { op: 'Gather', inputs: ['token_embedding', idsName], outputs: ['tok'], attributes: { axis: 0 } },
    { op: 'Shape', inputs: [idsName], outputs: ['ids_shape'] },
    { op: 'Gather', inputs: ['ids_shape', 'one_i64'], outputs: ['seq_len'], attributes: { axis: 0 } },
    { op: 'Range', inputs: ['zero_i64', 'seq_len', 'one_i64'], outputs: ['positions'] },
    { op: 'Gather', inputs: ['position_embedding', 'positions'], outputs: ['pos'], attributes: { axis: 0 } },
    { op: 'Add', inputs: ['tok', 'pos'], outputs: ['h0'] },
    // Causal running mean: c_s = (1/(s+1)) Σ_{r≤s} h_r.
    { op: 'CumSum', inputs: ['h0', 'one_i64'], outputs: ['cum'] },
    { op: 'Cast', inputs: ['positions'], outputs: ['positions_f'], attributes: { to: 1 } },
    { op: 'Add', inputs: ['positions_f', 'one_f'], outputs: ['counts'] },
    { op: 'Unsqueeze', inputs: ['counts', 'last_axis'], outputs: ['counts_col'] },
    { op: 'Div', inputs: ['cum', 'counts_col'], outputs: ['mean'] },
    { op: 'Tanh', inputs: ['mean'], outputs: ['hidden'] },
    ...(maskSpec
      ? // Pool at the last position the mask keeps: Σ mask − 1.
        ([
          { op: 'ReduceSum', inputs: ['attention_mask', 'one_i64_1d'], outputs: ['kept'], attributes: { keepdims: 1 } },
          { op: 'Sub', inputs: ['kept', 'one_i64'], outputs: ['eos_at'] },
        ] satisfies NodeSpec[])
      : // Pool at the first largest id (EOS 49407 is the largest id in CLIP's vocabulary).
        ([
          { op: 'Cast', inputs: [idsName], outputs: ['ids_f'], attributes: { to: 1 } },
          { op: 'ArgMax', inputs: ['ids_f'], outputs: ['eos_at'], attributes: { axis: 1, keepdims: 1 } },
        ] satisfies NodeSpec[])),
    { op: 'Equal', inputs: ['positions', 'eos_at'], outputs: ['is_eos'] },
    { op: 'Cast', inputs: ['is_eos'], outputs: ['eos_onehot'], attributes: { to: 1 } },
    { op: 'Unsqueeze', inputs: ['eos_onehot', 'one_i64_1d'], outputs: ['eos_row'] },
    { op: 'MatMul', inputs: ['eos_row', 'hidden'], outputs: ['pooled3'] },
    { op: 'Reshape', inputs: ['pooled3', 'pooled_shape'], outputs: ['pooled'] },
    { op: 'MatMul', inputs: ['pooled', 'text_projection'], outputs: [embedName] },
  ];
  return buildModel({
    name: 'clip_text_standin',
    inputs: [valueSpec(idsName, idsSpec), ...(maskSpec ? [valueSpec('attention_mask', maskSpec)] : [])],
    outputs: [valueSpec(embedName, embedSpec)],
    nodes,
    initializers: [
      { name: 'token_embedding', dtype: 'float32', dims: [VOCAB, d], values: seededValues(VOCAB * d, seed, 1) },
      {
        name: 'position_embedding',
        dtype: 'float32',
        dims: [POSITIONS, d],
        values: seededValues(POSITIONS * d, seed + 1, 0.5),
      },
      {
        name: 'text_projection',
        dtype: 'float32',
        dims: [d, embed],
        values: seededValues(d * embed, seed + 2, 1 / Math.sqrt(d)),
      },
      { name: 'zero_i64', dtype: 'int64', dims: [], values: [0] },
      { name: 'one_i64', dtype: 'int64', dims: [], values: [1] },
      { name: 'one_i64_1d', dtype: 'int64', dims: [1], values: [1] },
      { name: 'last_axis', dtype: 'int64', dims: [1], values: [-1] },
      { name: 'one_f', dtype: 'float32', dims: [], values: [1] },
      { name: 'pooled_shape', dtype: 'int64', dims: [2], values: [-1, d] },
    ],
  });
}

/** `vision_model.onnx` stand-in for a contract with one image input [batch, 3, H, W] and one embedding output. */
export function clipVisionStandin(contract: StandinContract, options: ClipStandinOptions = {}): Uint8Array {
  const [[pixelsName, pixelsSpec]] = required(contract.inputs);
  const outs = required(contract.outputs);
  if (outs.length !== 1)
    throw new Error(`CLIP vision stand-in: expected one required output, the contract has ${outs.length}.`);
  const [embedName, embedSpec] = outs[0]!;
  const embed = fixedDim(embedSpec, -1, `output "${embedName}"`);
  const d = options.width ?? CLIP_STANDIN_WIDTH;
  const seed = options.seed ?? 23;
  const fanIn = 3 * PATCH * PATCH;
  return buildModel({
    name: 'clip_vision_standin',
    inputs: [valueSpec(pixelsName, pixelsSpec)],
    outputs: [valueSpec(embedName, embedSpec)],
    nodes: [
      {
        op: 'Conv',
        inputs: [pixelsName, 'patch_embedding', 'patch_bias'],
        outputs: ['patches'],
        attributes: {
          kernel_shape: [PATCH, PATCH],
          strides: [PATCH, PATCH],
          pads: [0, 0, 0, 0],
          dilations: [1, 1],
          group: 1,
        },
      },
      { op: 'Tanh', inputs: ['patches'], outputs: ['patches_t'] },
      { op: 'ReduceMean', inputs: ['patches_t'], outputs: ['pooled'], attributes: { axes: [2, 3], keepdims: 0 } },
      { op: 'MatMul', inputs: ['pooled', 'visual_projection'], outputs: [embedName] },
    ],
    initializers: [
      {
        name: 'patch_embedding',
        dtype: 'float32',
        dims: [d, 3, PATCH, PATCH],
        values: seededValues(d * fanIn, seed, 3 / Math.sqrt(fanIn)),
      },
      { name: 'patch_bias', dtype: 'float32', dims: [d], values: seededValues(d, seed + 1, 0.1) },
      {
        name: 'visual_projection',
        dtype: 'float32',
        dims: [d, embed],
        values: seededValues(d * embed, seed + 2, 1 / Math.sqrt(d)),
      },
    ],
  });
}
