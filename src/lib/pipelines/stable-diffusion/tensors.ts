/**
 * Plain-data tensors in and out of the SD components: float32/float16 conversion at the model
 * boundary (the manifest says which each file wants), int64 timesteps, and decoded images.
 */
import type { TensorData, TensorDType } from '../../runtime/ort.ts';
import type { IoContract, TensorSpec } from '../../runtime/model-entry.ts';
import { fromFloat16, toFloat16 } from '../float16.ts';

export type FloatDType = 'float32' | 'float16';

/** The manifest's spec for a tensor the pipeline relies on; a clear error if the contract lacks it. */
export function tensorSpec(io: IoContract, side: 'inputs' | 'outputs', name: string, what: string): TensorSpec {
  const spec = io[side][name];
  if (!spec)
    throw new Error(
      `${what}: the manifest contract has no ${side.slice(0, -1)} "${name}" (it has ${Object.keys(io[side]).join(', ')}).`,
    );
  return spec;
}

export function floatDType(spec: TensorSpec, name: string): FloatDType {
  if (spec.dtype !== 'float32' && spec.dtype !== 'float16')
    throw new Error(`"${name}" is ${spec.dtype}; expected float32 or float16.`);
  return spec.dtype;
}

/** Float32 values as a feed of the contract's float dtype. */
export function floatFeed(values: Float32Array, dims: readonly number[], dtype: FloatDType): TensorData {
  return dtype === 'float16'
    ? { dtype: 'float16', data: toFloat16(values), dims }
    : { dtype: 'float32', data: values, dims };
}

/**
 * A model output as float32 values (float16 decoded exactly). In browsers with a native
 * Float16Array (Chromium ≥ 135), ORT-web hands float16 outputs over as Float16Array values, not
 * Uint16Array bit patterns; both are read here.
 */
export function floatValues(tensor: TensorData | undefined, name: string): Float32Array {
  if (!tensor) throw new Error(`The model returned no output "${name}".`);
  if (tensor.dtype === 'float32') return tensor.data as Float32Array;
  if (tensor.dtype === 'float16') {
    const data = tensor.data as unknown as ArrayLike<number>;
    return data instanceof Uint16Array ? fromFloat16(data) : Float32Array.from(data);
  }
  throw new Error(`Output "${name}" is ${tensor.dtype}; expected float32 or float16.`);
}

/** A float tensor in another float dtype (no copy when it already matches). */
export function castFloat(tensor: TensorData, dtype: FloatDType, name: string): TensorData {
  if (tensor.dtype === dtype) return tensor;
  return floatFeed(floatValues(tensor, name), tensor.dims, dtype);
}

export function int64Feed(values: readonly number[]): TensorData<'int64'> {
  return { dtype: 'int64', data: BigInt64Array.from(values, (v) => BigInt(v)), dims: [values.length] };
}

export function int32Feed(rows: readonly Int32Array[]): TensorData<'int32'> {
  const width = rows[0]?.length ?? 0;
  const data = new Int32Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new Error(`Token rows differ in length (${row.length} ≠ ${width}).`);
    data.set(row, r * width);
  });
  return { dtype: 'int32', data, dims: [rows.length, width] };
}

/** `copies` copies of `values`, one after another (a batch of identical rows). */
export function repeat(values: Float32Array, copies: number): Float32Array {
  const out = new Float32Array(values.length * copies);
  for (let c = 0; c < copies; c++) out.set(values, c * values.length);
  return out;
}

export function scaled(values: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! * factor;
  return out;
}

export interface RgbaImage {
  width: number;
  height: number;
  /** Row-major RGBA bytes (canvas ImageData layout). */
  data: Uint8ClampedArray;
}

/**
 * The first image of a decoder output [n, 3, H, W] (planar, values in [−1, 1]) as RGBA bytes:
 * byte = round((clip(v, −1, 1) + 1) / 2 · 255), NaN → 0 (as diffusers' postprocess, then ×255).
 */
export function planarToRgba(tensor: TensorData, name: string): RgbaImage {
  const dims = tensor.dims;
  if (dims.length !== 4 || dims[1] !== 3)
    throw new Error(`Decoder output "${name}" has dims [${dims.join(', ')}]; expected [n, 3, H, W].`);
  const height = dims[2]!;
  const width = dims[3]!;
  const values = floatValues(tensor, name);
  const plane = width * height;
  const data = new Uint8ClampedArray(plane * 4);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = values[c * plane + p]!;
      const clipped = Number.isNaN(v) ? -1 : Math.min(1, Math.max(-1, v));
      data[p * 4 + c] = Math.round(((clipped + 1) / 2) * 255);
    }
    data[p * 4 + 3] = 255;
  }
  return { width, height, data };
}

export function isFloat(dtype: TensorDType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float16';
}
