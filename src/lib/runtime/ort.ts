/**
 * The project's only import of onnxruntime-web. Everything else talks to models through this
 * small, plain-data API (typed arrays + dims in, typed arrays + dims out), so the worker protocol,
 * tests and widgets never see ORT objects.
 *
 * Engine choice: the package's default entry (`onnxruntime-web`). In the browser it resolves to the
 * JSEP build (`ort-wasm-simd-threaded.jsep.{mjs,wasm}`): one engine file that holds both the WASM
 * CPU execution provider and the JavaScript WebGPU execution provider, so a reader who falls back
 * from WebGPU to WASM (or forces WASM) downloads nothing twice. In Node the same specifier resolves
 * to the plain WASM build, which is what unit tests need. `onnxruntime-web/webgpu` (the newer
 * native WebGPU EP, asyncify build) is not used: it would be a second ~27 MB engine for the WASM
 * path or a second engine for the WebGPU path, and its device lifetime is owned inside WASM, where
 * the runtime cannot observe `GPUDevice.lost`, which the device-lost handling relies on.
 */
import * as ort from 'onnxruntime-web';

export type Backend = 'wasm' | 'webgpu';

export interface TensorTypeMap {
  float32: Float32Array;
  float16: Uint16Array;
  float64: Float64Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}
export type TensorDType = keyof TensorTypeMap;
export const TENSOR_DTYPES: readonly TensorDType[] = [
  'float32',
  'float16',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
];

/** A tensor as plain data: what crosses the worker boundary. */
export interface TensorData<D extends TensorDType = TensorDType> {
  dtype: D;
  data: TensorTypeMap[D];
  dims: readonly number[];
}

export interface IoDescription {
  name: string;
  /** null when ORT exposes no metadata for this value (non-tensor values, or an older build). */
  dtype: string | null;
  /** Numbers are fixed sizes, strings are symbolic dimensions; null when unknown. */
  shape: ReadonlyArray<number | string> | null;
}

export interface SessionContract {
  inputs: IoDescription[];
  outputs: IoDescription[];
}

export interface CreateSessionOptions {
  backend: Backend;
  /** WASM threads. Applies only to the first session of this JS realm (ORT initialises once). */
  numThreads?: number;
  /**
   * Fixed sizes for symbolic dimensions (e.g. `{ batch_size: 1, height: 64 }`): shapes become
   * static, so ORT can plan memory and WebGPU can reuse its pipelines.
   */
  freeDimensionOverrides?: Record<string, number>;
}

export interface OrtSession {
  readonly backend: Backend;
  /** Threads the WASM engine was initialised with in this realm. */
  readonly wasmThreads: number;
  readonly inner: ort.InferenceSession;
  disposed: boolean;
}

export const ORT_VERSION: string = ort.env.versions.web ?? '1.30.0';
/** Where the build copies ORT's engine files (see src/integrations/ort-assets.ts); never a CDN. */
export const ORT_ASSET_BASE = `/ort/${ORT_VERSION}/`;

const isNode =
  typeof process !== 'undefined' &&
  typeof process.versions?.node === 'string' &&
  typeof window === 'undefined' &&
  typeof self === 'undefined';

let initialisedThreads: number | null = null;

/**
 * Set ORT's global flags. Called by createSession; call it directly only to point at a different
 * asset base (tests). ORT reads these flags once, when its WASM engine starts.
 */
export function configureOrt(options: { numThreads?: number; wasmPaths?: string } = {}): void {
  if (initialisedThreads !== null) return;
  ort.env.logLevel = 'error';
  // We are already inside our own worker; ORT's proxy worker would add a second hop.
  ort.env.wasm.proxy = false;
  const threads = isNode ? 1 : Math.max(1, Math.floor(options.numThreads ?? 1));
  ort.env.wasm.numThreads = threads;
  if (!isNode) ort.env.wasm.wasmPaths = options.wasmPaths ?? ORT_ASSET_BASE;
  initialisedThreads = threads;
}

export async function createSession(modelBytes: Uint8Array, options: CreateSessionOptions): Promise<OrtSession> {
  configureOrt({ numThreads: options.numThreads });
  if (options.backend === 'webgpu' && isNode) {
    throw new Error('WebGPU is not available in Node; use the wasm backend.');
  }
  const inner = await ort.InferenceSession.create(modelBytes, {
    executionProviders: [options.backend],
    graphOptimizationLevel: 'all',
    // Errors only: ORT's node-placement warnings (shape ops kept on CPU) are expected, not news.
    logSeverityLevel: 3,
    ...(options.freeDimensionOverrides ? { freeDimensionOverrides: options.freeDimensionOverrides } : {}),
  });
  return { backend: options.backend, wasmThreads: initialisedThreads ?? 1, inner, disposed: false };
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function toOrtTensor(name: string, value: TensorData): ort.Tensor {
  const expected = product(value.dims);
  if (value.data.length !== expected) {
    throw new Error(
      `Input "${name}": ${value.data.length} values do not fill dims [${value.dims.join(', ')}] (${expected}).`,
    );
  }
  return new ort.Tensor(value.dtype, value.data as ort.Tensor['data'], value.dims);
}

/** Run once. Outputs are downloaded to plain typed arrays owned by the caller (ORT's tensors are released). */
export async function run(session: OrtSession, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
  if (session.disposed) throw new Error('This session was disposed.');
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(name, value);
  const results = await session.inner.run(ortFeeds);
  const out: Record<string, TensorData> = {};
  for (const [name, value] of Object.entries(results)) {
    const tensor = value as ort.Tensor;
    const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData(true);
    out[name] = { dtype: tensor.type as TensorDType, data: data as TensorData['data'], dims: [...tensor.dims] };
    if (tensor.location !== 'cpu') tensor.dispose();
  }
  return out;
}

function describe(
  names: readonly string[],
  metadata: readonly ort.InferenceSession.ValueMetadata[] | undefined,
): IoDescription[] {
  return names.map((name, i) => {
    const meta = metadata?.find((m) => m.name === name) ?? metadata?.[i];
    if (!meta || !meta.isTensor) return { name, dtype: null, shape: null };
    return { name, dtype: meta.type, shape: [...meta.shape] };
  });
}

/** Input/output names, dtypes and shapes as ORT reports them for the loaded model. */
export function sessionContract(session: OrtSession): SessionContract {
  return {
    inputs: describe(session.inner.inputNames, session.inner.inputMetadata),
    outputs: describe(session.inner.outputNames, session.inner.outputMetadata),
  };
}

export async function dispose(session: OrtSession): Promise<void> {
  if (session.disposed) return;
  session.disposed = true;
  await session.inner.release();
}

/** The slice of GPUDevice the runtime uses (the project does not depend on @webgpu/types). */
export interface GpuDeviceLike {
  readonly lost: Promise<{ reason?: string; message?: string }>;
  readonly features: { has(feature: string): boolean };
  destroy(): void;
}

/** The GPUDevice ORT's WebGPU provider uses (after the first WebGPU session), for lost-device watching. */
export async function webGpuDevice(): Promise<GpuDeviceLike | undefined> {
  // ORT's types declare a Promise; the JSEP build stores the device itself once initialised.
  const device = await (ort.env.webgpu as unknown as { device?: GpuDeviceLike | Promise<GpuDeviceLike> }).device;
  return device ?? undefined;
}

/** Used only by the benchmark's bare-ORT baseline: the same engine, no runtime layers. */
export { ort as ortForBaseline };
