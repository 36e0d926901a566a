/**
 * Stand-ins for the full-size Stable Diffusion exports (SD-Turbo, SD 1.5 WebNN fp16) and the TAESD
 * decoder: small random-weight ONNX graphs whose input and output names, dtypes and shapes are
 * the manifest's contracts (models/manifest.json), symbolic dimensions included. They compute for
 * real (every output depends on every input), cheaply: a 1×1 convolution where the real model has
 * a UNet, sinusoidal token features where it has a transformer, a 1×1 convolution and an 8× resize
 * where it has a VAE decoder. Pure TS, so tests, the browser fixture page and the bench all build
 * them the same way; nothing here is trained or meaningful beyond the contract.
 */
import type { IoContract, ModelEntry, TensorSpec } from '../../src/lib/runtime/model-entry.ts';
import { buildModel, seededValues, type InitializerSpec, type NodeSpec, type ValueSpec } from './onnx-builder.ts';

export type StandinKind = 'text-encoder' | 'unet' | 'vae-decoder' | 'taesd-decoder';

/** Latent channels of every SD 1.x/2.x VAE and of TAESD. */
export const LATENT_CHANNELS = 4;
/** Pixels per latent along each side (the VAE's downsampling factor). */
export const VAE_FACTOR = 8;

const ONNX_FLOAT = 1;
const ONNX_FLOAT16 = 10;
// JSEP's Conv reads every attribute, so the defaults are spelled out.
const CONV_1X1 = { pads: [0, 0, 0, 0], dilations: [1, 1], kernel_shape: [1, 1], strides: [1, 1], group: 1 };

function values(io: Record<string, TensorSpec>): ValueSpec[] {
  return Object.entries(io).map(([name, spec]) => ({ name, dtype: spec.dtype, shape: spec.shape }));
}

function fixedDim(spec: ValueSpec, axis: number, what: string): number {
  const d = spec.shape[axis];
  if (typeof d !== 'number')
    throw new Error(`Stand-in: ${spec.name} dimension ${axis} (${what}) must be a fixed size, got "${String(d)}".`);
  return d;
}

function expectCount(kind: string, side: string, list: ValueSpec[], min: number, max: number): void {
  if (list.length < min || list.length > max)
    throw new Error(
      `Stand-in ${kind}: expected ${min === max ? min : `${min}–${max}`} ${side}, the contract has ${list.length}.`,
    );
}

class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: InitializerSpec[] = [];
  private next = 0;
  constructor(private seed: number) {}

  tmp(stem: string): string {
    return `${stem}_${this.next++}`;
  }
  op(op: string, inputs: string[], attributes?: NodeSpec['attributes'], output?: string): string {
    const out = output ?? this.tmp(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], ...(attributes ? { attributes } : {}) });
    return out;
  }
  weight(stem: string, dims: number[], scale: number, offset?: (i: number) => number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    // Hash the running seed: the LCG's first draws from neighbouring seeds are nearly equal.
    const random = seededValues(count, Math.imul(this.seed++, 0x9e3779b1) ^ 0x5bd1e995, scale);
    const name = this.tmp(stem);
    this.initializers.push({
      name,
      dtype: 'float32',
      dims,
      values: offset ? random.map((v, i) => v + offset(i)) : random,
    });
    return name;
  }
  constant(stem: string, dims: number[], data: number[]): string {
    const name = this.tmp(stem);
    this.initializers.push({ name, dtype: 'float32', dims, values: data });
    return name;
  }
  axes(values: number[]): string {
    const name = this.tmp('axes');
    this.initializers.push({ name, dtype: 'int64', dims: [values.length], values });
    return name;
  }
  /** Any numeric input as float32. */
  toFloat(input: ValueSpec): string {
    return this.op('Cast', [input.name], { to: ONNX_FLOAT });
  }
  /** A float32 value written to a declared output (cast when the contract says float16). */
  emit(value: string, output: ValueSpec): void {
    if (output.dtype === 'float16') this.op('Cast', [value], { to: ONNX_FLOAT16 }, output.name);
    else if (output.dtype === 'float32') this.op('Identity', [value], undefined, output.name);
    else
      throw new Error(
        `Stand-in: output ${output.name} is ${output.dtype}; only float32/float16 outputs are generated.`,
      );
  }
}

/**
 * CLIP text encoder stand-in: token features sin(id·f + φ) per position, mixed with their mean over
 * the sequence (so each position depends on the whole prompt, as attention makes it), →
 * last_hidden_state [batch, sequence, d]; the optional second output is the mean over positions.
 */
function textEncoder(io: IoContract, seed: number): Uint8Array {
  const inputs = values(io.inputs);
  const outputs = values(io.outputs);
  expectCount('text encoder', 'inputs', inputs, 1, 1);
  expectCount('text encoder', 'outputs', outputs, 1, 2);
  const [ids] = inputs as [ValueSpec];
  const [last, pooled] = outputs as [ValueSpec, ValueSpec | undefined];
  const d = fixedDim(last, 2, 'hidden size');
  const g = new Graph(seed);
  const idsF = g.toFloat(ids);
  const column = g.op('Unsqueeze', [idsF, g.axes([2])]);
  const phase = g.op('Add', [g.op('Mul', [column, g.weight('freq', [d], 0.02)]), g.weight('phase', [d], Math.PI)]);
  const token = g.op('Sin', [phase]);
  const context = g.op('ReduceMean', [token], { axes: [1], keepdims: 1 });
  const hidden = g.op('Add', [token, g.op('Mul', [context, g.weight('mix', [d], 1)])]);
  g.emit(hidden, last);
  if (pooled) g.emit(g.op('ReduceMean', [hidden], { axes: [1], keepdims: 0 }), pooled);
  return buildModel({ name: 'standin_text_encoder', inputs, outputs, nodes: g.nodes, initializers: g.initializers });
}

/**
 * UNet stand-in (ε-prediction shaped): a 1×1 convolution of the sample (close to the identity, as
 * an ε-predictor on nearly pure noise is), plus a per-channel projection of the mean text
 * embedding, plus a sinusoidal function of the timestep. Inputs in contract order: sample,
 * timestep, encoder_hidden_states.
 */
function unet(io: IoContract, seed: number): Uint8Array {
  const inputs = values(io.inputs);
  const outputs = values(io.outputs);
  expectCount('UNet', 'inputs', inputs, 3, 3);
  expectCount('UNet', 'outputs', outputs, 1, 1);
  const [sample, timestep, context] = inputs as [ValueSpec, ValueSpec, ValueSpec];
  const d = fixedDim(context, 2, 'text embedding size');
  const c = LATENT_CHANNELS;
  const g = new Graph(seed);
  const x = g.toFloat(sample);
  const conv = g.op(
    'Conv',
    [x, g.weight('conv_w', [c, c, 1, 1], 0.15, (i) => (i % (c + 1) === 0 ? 0.8 : 0)), g.weight('conv_b', [c], 0.05)],
    CONV_1X1,
  );
  const text = g.op('ReduceMean', [g.toFloat(context)], { axes: [1], keepdims: 0 });
  const textTerm = g.op('Unsqueeze', [
    g.op('MatMul', [text, g.weight('text_w', [d, c], 1.5 / Math.sqrt(d))]),
    g.axes([2, 3]),
  ]);
  const t = g.op('Unsqueeze', [g.toFloat(timestep), g.axes([1, 2, 3])]);
  const timeTerm = g.op('Mul', [
    g.op('Sin', [g.op('Mul', [t, g.constant('omega', [1], [0.0123])])]),
    g.weight('time_w', [c, 1, 1], 0.3),
  ]);
  g.emit(g.op('Add', [g.op('Add', [conv, textTerm]), timeTerm]), outputs[0]!);
  return buildModel({ name: 'standin_unet', inputs, outputs, nodes: g.nodes, initializers: g.initializers });
}

/** VAE decoder stand-in: 1×1 convolution to RGB, 8× bilinear resize, tanh into [−1, 1]. TAESD's first clamps latents with 3·tanh(x/3), as TAESD does. */
function decoder(io: IoContract, seed: number, taesd: boolean): Uint8Array {
  const inputs = values(io.inputs);
  const outputs = values(io.outputs);
  expectCount('VAE decoder', 'inputs', inputs, 1, 1);
  expectCount('VAE decoder', 'outputs', outputs, 1, 1);
  const g = new Graph(seed);
  let x = g.toFloat(inputs[0]!);
  if (taesd)
    x = g.op('Mul', [
      g.op('Tanh', [g.op('Mul', [x, g.constant('third', [1], [1 / 3])])]),
      g.constant('three', [1], [3]),
    ]);
  // The VAE reads latents ÷ 0.18215 (std ≈ 5), TAESD the latents themselves: weights keep tanh out of saturation.
  const rgb = g.op(
    'Conv',
    [x, g.weight('rgb_w', [3, LATENT_CHANNELS, 1, 1], taesd ? 0.4 : 0.08), g.weight('rgb_b', [3], 0.1)],
    CONV_1X1,
  );
  const up = g.op('Resize', [rgb, '', g.constant('scales', [4], [1, 1, VAE_FACTOR, VAE_FACTOR])], { mode: 'linear' });
  g.emit(g.op('Tanh', [up]), outputs[0]!);
  return buildModel({
    name: taesd ? 'standin_taesd_decoder' : 'standin_vae_decoder',
    inputs,
    outputs,
    nodes: g.nodes,
    initializers: g.initializers,
  });
}

/** A stand-in graph of `kind` with exactly the given contract. */
export function standinModel(kind: StandinKind, io: IoContract, seed = 1): Uint8Array {
  switch (kind) {
    case 'text-encoder':
      return textEncoder(io, seed);
    case 'unet':
      return unet(io, seed);
    case 'vae-decoder':
      return decoder(io, seed, false);
    case 'taesd-decoder':
      return decoder(io, seed, true);
  }
}

/** Which stand-in a manifest file role gets. */
export function standinKind(entryId: string, role: string): StandinKind {
  if (role === 'text_encoder') return 'text-encoder';
  if (role === 'unet') return 'unet';
  if (role === 'vae_decoder') return entryId === 'taesd' ? 'taesd-decoder' : 'vae-decoder';
  throw new Error(`No Stable Diffusion stand-in for ${entryId} file "${role}".`);
}

export const SD_STANDIN_IDS = ['sd-turbo', 'sd15-webnn-fp16', 'taesd'] as const;

/** Every ONNX file of a manifest entry as a stand-in: role → { path in the Hub repository, bytes }. */
export function sdStandins(entry: ModelEntry): Map<string, { path: string; bytes: Uint8Array }> {
  const out = new Map<string, { path: string; bytes: Uint8Array }>();
  entry.files.forEach((file, i) => {
    const path = file.hub?.path ?? file.sitePath;
    // Tokenizer files are not models: clipStandinTokenizer (tokenizers.ts) stands in for them.
    if (!path.endsWith('.onnx')) return;
    out.set(file.role, { path, bytes: standinModel(standinKind(entry.id, file.role), file.io, 101 + 17 * i) });
  });
  return out;
}

/** A copy of a contract with one tensor changed (renamed, retyped or reshaped), keeping the order of the others. */
export function changeContract(
  io: IoContract,
  side: 'inputs' | 'outputs',
  name: string,
  change: { name?: string; dtype?: TensorSpec['dtype']; shape?: (number | string)[] },
): IoContract {
  if (!(name in io[side])) throw new Error(`changeContract: no ${side.slice(0, -1)} "${name}".`);
  const entries = Object.entries(io[side]).map(([n, spec]): [string, TensorSpec] =>
    n === name
      ? [
          change.name ?? n,
          {
            ...spec,
            ...(change.dtype ? { dtype: change.dtype } : {}),
            ...(change.shape ? { shape: change.shape } : {}),
          },
        ]
      : [n, spec],
  );
  return { ...io, [side]: Object.fromEntries(entries) };
}
