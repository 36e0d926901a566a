/**
 * Reading the fixtures `models/train` exports next to each pocket model (see models/train/README.md,
 * "Fixture format"): a `pocket-tensor-bundle` is a JSON document plus a `.bin` of raw little-endian
 * tensors. Pure: give it the JSON text and the bytes, get typed views and checked metadata.
 *  - parity bundle: the model's inputs under their ONNX names and PyTorch's outputs as `out.<name>`;
 *  - golden bundle: a sampler configuration and cases (initial noise, per-step noise, the PyTorch
 *    reference sampler's result) that src/lib must reproduce over the ONNX model (./golden.ts).
 */
import type { TensorData } from '../runtime/ort.ts';
import { vocabulary } from '../shapes-world/vocabulary.ts';

export const BUNDLE_FORMAT = 'pocket-tensor-bundle';
export const BUNDLE_FORMAT_VERSION = 1;

const ARRAY_TYPES = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array } as const;
export type BundleDType = keyof typeof ARRAY_TYPES;
export type BundleTensor = TensorData<'float32'> | TensorData<'int32'> | TensorData<'uint8'>;

export interface TensorBundle {
  /** The JSON document without its `tensors` table. */
  meta: Record<string, unknown>;
  tensors: Record<string, BundleTensor>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function field<T>(where: string, doc: Json, key: string, check: (v: unknown) => v is T, what: string): T {
  const value = doc[key];
  if (!check(value)) fail(where, `"${key}" must be ${what}, got ${JSON.stringify(value)}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNonNegativeInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isPositiveInteger = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isIntegerArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNonNegativeInteger);

/**
 * Parses a bundle. The tensors are views into `bin` (no copy) when it is 4-byte aligned, as the
 * format promises; otherwise the bytes are copied once.
 */
export function parseBundle(json: string | Json, bin: ArrayBuffer | Uint8Array, name = 'bundle'): TensorBundle {
  const doc: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (!isObject(doc)) fail(name, 'not a JSON object');
  if (doc.format !== BUNDLE_FORMAT) fail(name, `format is ${JSON.stringify(doc.format)}, expected "${BUNDLE_FORMAT}"`);
  if (doc.formatVersion !== BUNDLE_FORMAT_VERSION)
    fail(
      name,
      `formatVersion ${JSON.stringify(doc.formatVersion)} is not supported (expected ${BUNDLE_FORMAT_VERSION})`,
    );
  const table = doc.tensors;
  if (!isObject(table)) fail(name, '"tensors" must be an object');

  let bytes = bin instanceof Uint8Array ? bin : new Uint8Array(bin);
  if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
  const tensors: Record<string, BundleTensor> = {};
  for (const [key, entry] of Object.entries(table)) {
    const where = `${name}: tensor "${key}"`;
    if (!isObject(entry)) fail(where, 'entry must be an object');
    const dtype = field(
      where,
      entry,
      'dtype',
      (v): v is BundleDType => isString(v) && v in ARRAY_TYPES,
      'float32, int32 or uint8',
    );
    const shape = field(where, entry, 'shape', isIntegerArray, 'an array of non-negative integers');
    const byteOffset = field(where, entry, 'byteOffset', isNonNegativeInteger, 'a non-negative integer');
    const length = field(where, entry, 'length', isNonNegativeInteger, 'a non-negative integer');
    const ArrayType = ARRAY_TYPES[dtype];
    const elementBytes = ArrayType.BYTES_PER_ELEMENT;
    if (shape.reduce((a, b) => a * b, 1) !== length)
      fail(where, `shape [${shape.join(', ')}] does not hold ${length} values`);
    if (byteOffset % elementBytes !== 0) fail(where, `byteOffset ${byteOffset} is not a multiple of ${elementBytes}`);
    if (byteOffset + length * elementBytes > bytes.byteLength)
      fail(where, `runs past the end of the ${bytes.byteLength}-byte .bin`);
    const data = new ArrayType(bytes.buffer as ArrayBuffer, bytes.byteOffset + byteOffset, length);
    tensors[key] = { dtype, data, dims: shape } as BundleTensor;
  }
  const { tensors: _table, ...meta } = doc;
  return { meta, tensors };
}

/** The tensor `key` of `bundle`, which must exist and have `dtype`. */
export function bundleTensor<D extends BundleDType>(bundle: TensorBundle, key: string, dtype: D): TensorData<D> {
  const tensor = bundle.tensors[key];
  if (tensor === undefined) throw new Error(`Bundle has no tensor "${key}".`);
  if (tensor.dtype !== dtype) throw new Error(`Tensor "${key}" is ${tensor.dtype}, expected ${dtype}.`);
  return tensor as TensorData<D>;
}

/** max |a − b| (NaN if either side has a NaN, so a `≤ tolerance` check fails). */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDifference: length ${a.length} ≠ ${b.length}.`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = d;
  }
  return max;
}

// ---------------------------------------------------------------- parity

export interface ParityFixture {
  /** ONNX file name, relative to the pocket folder (e.g. `mixture2d-mlp.onnx`). */
  model: string;
  /** Inputs under their ONNX names, ready to feed. */
  inputs: Record<string, BundleTensor>;
  /** PyTorch's float32 outputs, by ONNX output name. */
  expected: Record<string, TensorData<'float32'>>;
}

export function parseParity(bundle: TensorBundle, name = 'parity bundle'): ParityFixture {
  const model = field(name, bundle.meta, 'model', isString, 'a file name');
  const inputNames = field(name, bundle.meta, 'inputs', isStringArray, 'an array of input names');
  const outputKeys = field(name, bundle.meta, 'outputs', isStringArray, 'an array of "out.<name>" keys');
  const inputs: Record<string, BundleTensor> = {};
  for (const input of inputNames) {
    const tensor = bundle.tensors[input];
    if (tensor === undefined) fail(name, `input "${input}" has no tensor`);
    inputs[input] = tensor;
  }
  const expected: Record<string, TensorData<'float32'>> = {};
  for (const key of outputKeys) {
    if (!key.startsWith('out.')) fail(name, `output key "${key}" does not start with "out."`);
    expected[key.slice(4)] = bundleTensor(bundle, key, 'float32');
  }
  return { model, inputs, expected };
}

export interface OutputDifference {
  output: string;
  maxAbsDiff: number;
  /** max |PyTorch|: float32 rounding differences grow with the size of the values compared. */
  referenceMaxAbs: number;
}

/** max |ONNX − PyTorch| for every expected output. Throws if an output is missing or mis-shaped. */
export function parityDifferences(fixture: ParityFixture, outputs: Record<string, TensorData>): OutputDifference[] {
  return Object.entries(fixture.expected).map(([output, reference]) => {
    const actual = outputs[output];
    if (actual === undefined) throw new Error(`${fixture.model}: the model returned no output "${output}".`);
    if (actual.dims.join() !== reference.dims.join()) {
      throw new Error(
        `${fixture.model}: output "${output}" has dims [${actual.dims.join(', ')}], PyTorch [${reference.dims.join(', ')}].`,
      );
    }
    const referenceMaxAbs = maxAbsDifference(reference.data, new Float32Array(reference.data.length));
    return { output, maxAbsDiff: maxAbsDifference(actual.data as ArrayLike<number>, reference.data), referenceMaxAbs };
  });
}

// ---------------------------------------------------------------- golden

export interface GoldenSchedule {
  numTrainTimesteps: number;
  betaSchedule: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
  betaStart: number;
  betaEnd: number;
}

/** The DDIM configuration of the reference sampler, in src/lib/samplers/ddim.ts option names. */
export interface GoldenSamplerConfig {
  name: 'ddim';
  timestepSpacing: 'leading' | 'trailing' | 'linspace';
  stepsOffset: number;
  clipSample: boolean;
  clipSampleRange: number;
  setAlphaToOne: boolean;
  /** Recompute ε̂ from the clipped x̂₀ (absent in older files: false). */
  useClippedModelOutput: boolean;
  predictionType: 'epsilon' | 'sample' | 'v_prediction';
}

interface GoldenCaseCommon {
  prefix: string;
  seed: number;
  numInferenceSteps: number;
  eta: number;
  /** Timesteps the reference sampler visited, when the file lists them. */
  timesteps?: number[];
  /** Shape of one sample without the batch axis ([3, 32, 32] or [2]). */
  itemShape: number[];
  /** Number of samples denoised together (64 points, or 1 image). */
  batch: number;
  /** Initial noise x_T, batch × item, flat. */
  xT: Float32Array;
  /** η > 0 only: the z of each step, [steps, batch, …item] flat, in the order visited. */
  noise?: Float32Array;
  /** PyTorch's result x₀. */
  x0: Float32Array;
  /** Image models: PyTorch's result as 8-bit CHW bytes. */
  image?: Uint8Array;
}

/** A caption-conditional UNet with classifier-free guidance (paper weight w). */
export interface TextGuidedCase extends GoldenCaseCommon {
  kind: 'text-cfg';
  caption: string;
  w: number;
  conditionTokens: Int32Array;
  nullTokens: Int32Array;
}

/** A class-conditional denoiser (the 2-D mixture MLP) with classifier-free guidance. */
export interface ClassGuidedCase extends GoldenCaseCommon {
  kind: 'class-cfg';
  label: number;
  nullLabel: number;
  w: number;
}

/** The unconditional UNet steered by a noisy classifier's ∇ₓ log p_φ(y | x_t, t). */
export interface ClassifierGuidedCase extends GoldenCaseCommon {
  kind: 'classifier';
  y: number;
  className: string;
  scale: number;
  nullTokens: Int32Array;
}

export type GoldenCase = TextGuidedCase | ClassGuidedCase | ClassifierGuidedCase;

export interface GoldenFixture {
  /** The ONNX file the cases run (the UNet, the mixture MLP, or the classifier's -grad graph). */
  model: string;
  /** Classifier guidance: the UNet that gives ε(x, ∅). */
  unet?: string;
  schedule: GoldenSchedule;
  sampler: GoldenSamplerConfig;
  cases: GoldenCase[];
}

const IMAGE_SHAPE = [3, 32, 32];

function parseSchedule(where: string, value: unknown): GoldenSchedule {
  if (!isObject(value)) fail(where, '"schedule" must be an object');
  return {
    numTrainTimesteps: field(where, value, 'numTrainTimesteps', isPositiveInteger, 'a positive integer'),
    betaSchedule: field(
      where,
      value,
      'betaSchedule',
      (v): v is GoldenSchedule['betaSchedule'] => v === 'linear' || v === 'scaled_linear' || v === 'squaredcos_cap_v2',
      'a beta schedule name',
    ),
    betaStart: field(where, value, 'betaStart', isNumber, 'a number'),
    betaEnd: field(where, value, 'betaEnd', isNumber, 'a number'),
  };
}

function parseSamplerConfig(where: string, value: unknown): GoldenSamplerConfig {
  if (!isObject(value)) fail(where, '"sampler" must be an object');
  field(where, value, 'name', (v): v is 'ddim' => v === 'ddim', '"ddim" (the only reference sampler)');
  return {
    name: 'ddim',
    timestepSpacing: field(
      where,
      value,
      'timestepSpacing',
      (v): v is GoldenSamplerConfig['timestepSpacing'] => v === 'leading' || v === 'trailing' || v === 'linspace',
      'a timestep spacing',
    ),
    stepsOffset: field(where, value, 'stepsOffset', isNonNegativeInteger, 'a non-negative integer'),
    clipSample: field(where, value, 'clipSample', isBoolean, 'a boolean'),
    clipSampleRange: field(where, value, 'clipSampleRange', isNumber, 'a number'),
    setAlphaToOne: field(where, value, 'setAlphaToOne', isBoolean, 'a boolean'),
    useClippedModelOutput:
      value.useClippedModelOutput === undefined
        ? false
        : field(where, value, 'useClippedModelOutput', isBoolean, 'a boolean'),
    predictionType: field(
      where,
      value,
      'predictionType',
      (v): v is GoldenSamplerConfig['predictionType'] => v === 'epsilon' || v === 'sample' || v === 'v_prediction',
      'a prediction type',
    ),
  };
}

/** The null caption ∅: every token PAD, no BOS/EOS (models/train/README.md). */
export function nullCaptionTokens(): Int32Array {
  return new Int32Array(vocabulary.tokens.maxLength).fill(vocabulary.tokens.pad);
}

/** Row `row` of a [2, maxLength] token tensor ([condition; null]). */
function tokenRow(tokens: TensorData<'int32'>, row: number, where: string): Int32Array {
  const length = vocabulary.tokens.maxLength;
  if (tokens.dims.length !== 2 || tokens.dims[0] !== 2 || tokens.dims[1] !== length) {
    fail(where, `tokens must be [2, ${length}] ([condition; null]), got [${tokens.dims.join(', ')}]`);
  }
  return tokens.data.subarray(row * length, (row + 1) * length);
}

/**
 * Parses a golden bundle. The kind of each case is read from its fields, not from file names:
 * `y` + `scale` (with a `unet` in the file) → classifier guidance; a `caption` → text CFG; a
 * `label` (with `mixture.numClasses` as the null label) → class CFG.
 */
export function parseGolden(bundle: TensorBundle, name = 'golden bundle'): GoldenFixture {
  const { meta } = bundle;
  const model = field(name, meta, 'model', isString, 'a file name');
  const unet = meta.unet === undefined ? undefined : field(name, meta, 'unet', isString, 'a file name');
  const schedule = parseSchedule(name, meta.schedule);
  const sampler = parseSamplerConfig(name, meta.sampler);
  const rawCases = field(
    name,
    meta,
    'cases',
    (v): v is unknown[] => Array.isArray(v) && v.length > 0,
    'a non-empty array',
  );

  const cases = rawCases.map((raw, index): GoldenCase => {
    const where = `${name}: case ${index}`;
    if (!isObject(raw)) fail(where, 'must be an object');
    const prefix = field(where, raw, 'prefix', isString, 'a string');
    const eta = field(where, raw, 'eta', (v): v is number => isNumber(v) && v >= 0, 'a number ≥ 0');
    const numInferenceSteps = field(where, raw, 'numInferenceSteps', isPositiveInteger, 'a positive integer');
    const xT = bundleTensor(bundle, `${prefix}.xT`, 'float32');
    const x0 = bundleTensor(bundle, `${prefix}.x0`, 'float32');
    if (xT.dims.join() !== x0.dims.join())
      fail(where, `x0 dims [${x0.dims.join(', ')}] ≠ xT dims [${xT.dims.join(', ')}]`);
    const noiseTensor = bundle.tensors[`${prefix}.noise`];
    if (eta > 0 && noiseTensor === undefined) fail(where, `η = ${eta} but there is no "${prefix}.noise"`);
    const noise = noiseTensor === undefined ? undefined : bundleTensor(bundle, `${prefix}.noise`, 'float32').data;
    if (noise !== undefined && noise.length !== numInferenceSteps * xT.data.length) {
      fail(where, `noise holds ${noise.length} values, expected ${numInferenceSteps} steps × ${xT.data.length}`);
    }
    const imageTensor = bundle.tensors[`${prefix}.image`];
    const image = imageTensor === undefined ? undefined : bundleTensor(bundle, `${prefix}.image`, 'uint8').data;
    if (image !== undefined && image.length !== x0.data.length)
      fail(where, `image holds ${image.length} bytes, x0 ${x0.data.length} values`);
    const [batch, ...itemShape] = xT.dims;
    const common: GoldenCaseCommon = {
      prefix,
      seed: field(where, raw, 'seed', isNonNegativeInteger, 'a non-negative integer'),
      numInferenceSteps,
      eta,
      timesteps:
        raw.timesteps === undefined
          ? undefined
          : field(where, raw, 'timesteps', isIntegerArray, 'an array of timesteps'),
      itemShape,
      batch: batch!,
      xT: xT.data,
      noise,
      x0: x0.data,
      image,
    };

    if (raw.y !== undefined || raw.scale !== undefined) {
      if (unet === undefined) fail(where, 'a classifier-guidance case needs "unet" (the ε(x, ∅) model) in the file');
      if (itemShape.join() !== IMAGE_SHAPE.join())
        fail(where, `classifier guidance runs on images [${IMAGE_SHAPE.join(', ')}]`);
      return {
        ...common,
        kind: 'classifier',
        y: field(where, raw, 'y', isNonNegativeInteger, 'a class index'),
        className: field(where, raw, 'class', isString, 'a class name'),
        scale: field(where, raw, 'scale', isNumber, 'a number'),
        // The file says "null caption (all PAD)"; it stores no tokens for these cases.
        nullTokens: nullCaptionTokens(),
      };
    }
    const w = field(where, raw, 'w', isNumber, 'a number (the guidance weight)');
    if (raw.caption !== undefined) {
      const tokens = bundleTensor(bundle, `${prefix}.tokens`, 'int32');
      return {
        ...common,
        kind: 'text-cfg',
        caption: field(where, raw, 'caption', isString, 'a string'),
        w,
        conditionTokens: tokenRow(tokens, 0, where),
        nullTokens: tokenRow(tokens, 1, where),
      };
    }
    const mixture = meta.mixture;
    if (!isObject(mixture)) fail(where, 'a class-conditional case needs "mixture.numClasses" (the null label)');
    const nullLabel = field(where, mixture, 'numClasses', isPositiveInteger, 'a positive integer');
    const label = field(where, raw, 'label', isNonNegativeInteger, 'a class label');
    if (label > nullLabel) fail(where, `label ${label} is above the null label ${nullLabel}`);
    return { ...common, kind: 'class-cfg', label, nullLabel, w };
  });
  return { model, unet, schedule, sampler, cases };
}

/** A one-line description of a case, for test names and CLI output. */
export function describeGoldenCase(c: GoldenCase): string {
  const what =
    c.kind === 'text-cfg'
      ? `"${c.caption}", w=${c.w}`
      : c.kind === 'class-cfg'
        ? `class ${c.label === c.nullLabel ? '∅' : c.label}, w=${c.w}`
        : `${c.className} (y=${c.y}), s=${c.scale}`;
  return `${c.prefix} (${what}, ${c.numInferenceSteps} steps, η=${c.eta})`;
}
