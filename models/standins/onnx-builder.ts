/**
 * A minimal ONNX ModelProto writer, so tests and the stand-in generators (models/standins/) build
 * small models byte by byte instead of trusting a file produced by the code under test. Field
 * numbers from onnx/onnx.proto (IR v8). Pure TS (no Node APIs): fixture pages use it in the browser.
 * (Moved here from tests/unit/runtime/onnx-builder.ts, which re-exports it.)
 */

/**
 * Bytes as a list of chunks: nested messages are appended by reference and copied once, at the
 * end, so multi-megabyte initializers cost one copy instead of one per nesting level.
 */
class Bytes {
  private readonly chunks: (Uint8Array | number[])[] = [];
  private small: number[] = [];
  length = 0;

  push(byte: number): void {
    this.small.push(byte);
    this.length++;
  }

  append(other: Bytes | Uint8Array): void {
    this.flush();
    if (other instanceof Uint8Array) this.chunks.push(other);
    else {
      other.flush();
      for (const c of other.chunks) this.chunks.push(c);
    }
    this.length += other.length;
  }

  toUint8Array(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private flush(): void {
    if (this.small.length === 0) return;
    this.chunks.push(this.small);
    this.small = [];
  }
}

function varint(value: number | bigint, out: Bytes): void {
  let v = BigInt.asUintN(64, BigInt(value));
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
}

function key(field: number, wire: number, out: Bytes): void {
  varint((field << 3) | wire, out);
}

function lengthDelimited(field: number, payload: Bytes | Uint8Array, out: Bytes): void {
  key(field, 2, out);
  varint(payload.length, out);
  out.append(payload);
}

function str(field: number, s: string, out: Bytes): void {
  lengthDelimited(field, new TextEncoder().encode(s), out);
}

function int(field: number, v: number | bigint, out: Bytes): void {
  key(field, 0, out);
  varint(v, out);
}

function fixed32Float(field: number, v: number, out: Bytes): void {
  key(field, 5, out);
  out.append(new Uint8Array(new Float32Array([v]).buffer));
}

export const ONNX_DTYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;
export type OnnxDType = keyof typeof ONNX_DTYPE;

export interface ValueSpec {
  name: string;
  dtype: OnnxDType;
  /** numbers are fixed sizes, strings symbolic dimensions */
  shape: ReadonlyArray<number | string>;
}

export type AttributeValue = number | number[] | { float: number } | { floats: number[] } | string;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dtype: 'float32' | 'int64' | 'float16' | 'int32' | 'bool';
  dims: number[];
  /** float32, int64, int32: numbers; float16: raw uint16 bit patterns; bool: 0/1 */
  values: ArrayLike<number>;
}

export interface GraphSpec {
  /** The graph's name (shows in Netron and ORT messages). */
  name?: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
  opset?: number;
}

function valueInfo(spec: ValueSpec): Bytes {
  const shape = new Bytes();
  for (const d of spec.shape) {
    const dim = new Bytes();
    if (typeof d === 'number') int(1, d, dim);
    else str(2, d, dim);
    lengthDelimited(1, dim, shape);
  }
  const tensorType = new Bytes();
  int(1, ONNX_DTYPE[spec.dtype], tensorType);
  lengthDelimited(2, shape, tensorType);
  const type = new Bytes();
  lengthDelimited(1, tensorType, type);
  const out = new Bytes();
  str(1, spec.name, out);
  lengthDelimited(2, type, out);
  return out;
}

function attribute(name: string, value: AttributeValue): Bytes {
  const out = new Bytes();
  str(1, name, out);
  if (typeof value === 'number') {
    int(3, value, out);
    int(20, 2, out);
  } else if (typeof value === 'string') {
    str(4, value, out);
    int(20, 3, out);
  } else if (Array.isArray(value)) {
    for (const v of value) int(8, v, out);
    int(20, 7, out);
  } else if ('float' in value) {
    fixed32Float(2, value.float, out);
    int(20, 1, out);
  } else {
    for (const v of value.floats) fixed32Float(7, v, out);
    int(20, 6, out);
  }
  return out;
}

function node(spec: NodeSpec, index: number): Bytes {
  const out = new Bytes();
  for (const i of spec.inputs) str(1, i, out);
  for (const o of spec.outputs) str(2, o, out);
  str(3, `${spec.op.toLowerCase()}_${index}`, out);
  str(4, spec.op, out);
  for (const [k, v] of Object.entries(spec.attributes ?? {})) lengthDelimited(5, attribute(k, v), out);
  return out;
}

function initializer(spec: InitializerSpec): Bytes {
  const out = new Bytes();
  for (const d of spec.dims) int(1, d, out);
  int(2, ONNX_DTYPE[spec.dtype], out);
  str(8, spec.name, out);
  let raw: Uint8Array;
  if (spec.dtype === 'float32') raw = new Uint8Array(Float32Array.from(spec.values).buffer);
  else if (spec.dtype === 'float16') raw = new Uint8Array(Uint16Array.from(spec.values).buffer);
  else if (spec.dtype === 'int32') raw = new Uint8Array(Int32Array.from(spec.values).buffer);
  else if (spec.dtype === 'bool') raw = Uint8Array.from(spec.values, (v) => (v ? 1 : 0));
  else raw = new Uint8Array(BigInt64Array.from(Array.from(spec.values, (v) => BigInt(v))).buffer);
  lengthDelimited(9, raw, out);
  return out;
}

export function buildModel(spec: GraphSpec): Uint8Array {
  const graph = new Bytes();
  spec.nodes.forEach((n, i) => lengthDelimited(1, node(n, i), graph));
  str(2, spec.name ?? 'test_graph', graph);
  for (const init of spec.initializers ?? []) lengthDelimited(5, initializer(init), graph);
  for (const v of spec.inputs) lengthDelimited(11, valueInfo(v), graph);
  for (const v of spec.outputs) lengthDelimited(12, valueInfo(v), graph);
  const opset = new Bytes();
  str(1, '', opset);
  int(2, spec.opset ?? 17, opset);
  const model = new Bytes();
  int(1, 8, model);
  str(2, 'dsbs-test-builder', model);
  lengthDelimited(7, graph, model);
  lengthDelimited(8, opset, model);
  return model.toUint8Array();
}

/** y = x · W + b, with x: [batch, k] float32 (symbolic batch). */
export function affineModel(weights: number[][], bias: number[]): Uint8Array {
  const k = weights.length;
  const n = bias.length;
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', k] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', n] }],
    initializers: [
      { name: 'W', dtype: 'float32', dims: [k, n], values: weights.flat() },
      { name: 'b', dtype: 'float32', dims: [n], values: bias },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
      { op: 'Add', inputs: ['xw', 'b'], outputs: ['y'] },
    ],
  });
}

/** A model whose IO is float16 (y = x + x): it needs `shader-f16` on WebGPU. */
export function float16DoubleModel(): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float16', shape: ['n'] }],
    outputs: [{ name: 'y', dtype: 'float16', shape: ['n'] }],
    nodes: [{ op: 'Add', inputs: ['x', 'x'], outputs: ['y'] }],
  });
}

/** Deterministic pseudo-random weights (LCG in [-scale, scale]) so builder models are reproducible. */
export function seededValues(count: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/**
 * A small UNet-shaped model: conv down (stride 2) → conv mid → resize up → concat skip → conv out,
 * SiLU-free activations kept to Relu/Sigmoid·x so every op exists on both providers.
 * x: [1, c, size, size] float32 → eps: [1, c, size, size].
 */
export function unetShapedModel(options: { channels: number; width: number; size: number; seed?: number }): Uint8Array {
  const { channels: c, width: w, size } = options;
  let seed = options.seed ?? 1;
  const conv = (name: string, cin: number, cout: number) => {
    const scale = 1 / Math.sqrt(cin * 9);
    return [
      {
        name: `${name}.w`,
        dtype: 'float32' as const,
        dims: [cout, cin, 3, 3],
        values: seededValues(cout * cin * 9, seed++, scale),
      },
      { name: `${name}.b`, dtype: 'float32' as const, dims: [cout], values: seededValues(cout, seed++, 0.1) },
    ];
  };
  // JSEP's Conv reads every attribute, so spell out the defaults.
  const convAttrs = { pads: [1, 1, 1, 1], dilations: [1, 1], kernel_shape: [3, 3], strides: [1, 1], group: 1 };
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', shape: [1, c, size, size] }],
    outputs: [{ name: 'eps', dtype: 'float32', shape: [1, c, size, size] }],
    initializers: [
      ...conv('in', c, w),
      ...conv('down', w, 2 * w),
      ...conv('mid', 2 * w, 2 * w),
      ...conv('up', 3 * w, w),
      ...conv('out', w, c),
      { name: 'scales', dtype: 'float32', dims: [4], values: [1, 1, 2, 2] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'in.w', 'in.b'], outputs: ['h0'], attributes: convAttrs },
      { op: 'Sigmoid', inputs: ['h0'], outputs: ['h0s'] },
      { op: 'Mul', inputs: ['h0', 'h0s'], outputs: ['h1'] },
      {
        op: 'Conv',
        inputs: ['h1', 'down.w', 'down.b'],
        outputs: ['d0'],
        attributes: { ...convAttrs, strides: [2, 2] },
      },
      { op: 'Relu', inputs: ['d0'], outputs: ['d1'] },
      { op: 'Conv', inputs: ['d1', 'mid.w', 'mid.b'], outputs: ['m0'], attributes: convAttrs },
      { op: 'Relu', inputs: ['m0'], outputs: ['m1'] },
      { op: 'Resize', inputs: ['m1', '', 'scales'], outputs: ['u0'], attributes: { mode: 'nearest' } },
      { op: 'Concat', inputs: ['u0', 'h1'], outputs: ['u1'], attributes: { axis: 1 } },
      { op: 'Conv', inputs: ['u1', 'up.w', 'up.b'], outputs: ['u2'], attributes: convAttrs },
      { op: 'Relu', inputs: ['u2'], outputs: ['u3'] },
      { op: 'Conv', inputs: ['u3', 'out.w', 'out.b'], outputs: ['eps'], attributes: convAttrs },
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Graph IO from a manifest IO contract: the stand-in generators take their inputs and outputs
// from models/manifest.json, so a stand-in's names, dtypes and shapes are the real export's by
// construction (and a deliberately altered contract gives a deliberately wrong stand-in).

export interface StandinTensorSpec {
  dtype: string;
  shape: ReadonlyArray<number | string>;
  optional?: boolean;
}
export interface StandinContract {
  inputs: Record<string, StandinTensorSpec>;
  outputs: Record<string, StandinTensorSpec>;
}

const KNOWN: readonly OnnxDType[] = ['float32', 'uint8', 'int8', 'int32', 'int64', 'bool', 'float16', 'float64'];

export function valueSpec(name: string, spec: StandinTensorSpec): ValueSpec {
  if (!KNOWN.includes(spec.dtype as OnnxDType))
    throw new Error(`Stand-in: unsupported dtype ${spec.dtype} for "${name}".`);
  return { name, dtype: spec.dtype as OnnxDType, shape: [...spec.shape] };
}

/** The contract's tensors in order, optional ones only when asked for. */
export function required(
  map: Record<string, StandinTensorSpec>,
  includeOptional: readonly string[] = [],
): [string, StandinTensorSpec][] {
  return Object.entries(map).filter(([name, s]) => !s.optional || includeOptional.includes(name));
}

export function fixedDim(spec: StandinTensorSpec, axis: number, what: string): number {
  const d = spec.shape.at(axis);
  if (typeof d !== 'number')
    throw new Error(
      `Stand-in: ${what} needs a fixed size at axis ${axis}, the contract says ${JSON.stringify(spec.shape)}.`,
    );
  return d;
}
