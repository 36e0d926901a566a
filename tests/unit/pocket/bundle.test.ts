// The pocket-tensor-bundle reader on hand-built bundles: values land where the format says, and
// malformed files are refused with a message instead of producing garbage views.
import { describe, expect, it } from 'vitest';
import {
  bundleTensor,
  maxAbsDifference,
  parseBundle,
  parseGolden,
  parseParity,
} from '../../../src/lib/pocket/fixtures.ts';
import { modelOutputToBytes } from '../../../src/lib/pocket/guided-sampling.ts';
import { bytesToModelInput } from '../../../src/lib/shapes-world/render.ts';

type Entry = { dtype: 'float32' | 'int32' | 'uint8'; shape: number[]; values: number[] };

/** Lays tensors out as the Python writer does: little-endian, each at a 16-byte-aligned offset. */
function buildBundle(entries: Record<string, Entry>, meta: Record<string, unknown> = {}) {
  const size = { float32: 4, int32: 4, uint8: 1 };
  let offset = 0;
  const table: Record<string, unknown> = {};
  const placed: [number, Entry][] = [];
  for (const [name, entry] of Object.entries(entries)) {
    table[name] = { dtype: entry.dtype, shape: entry.shape, byteOffset: offset, length: entry.values.length };
    placed.push([offset, entry]);
    offset += Math.ceil((entry.values.length * size[entry.dtype]) / 16) * 16;
  }
  const bin = new Uint8Array(offset);
  const view = new DataView(bin.buffer);
  for (const [start, entry] of placed) {
    entry.values.forEach((v, i) => {
      if (entry.dtype === 'float32') view.setFloat32(start + 4 * i, v, true);
      else if (entry.dtype === 'int32') view.setInt32(start + 4 * i, v, true);
      else view.setUint8(start + i, v);
    });
  }
  return { json: { format: 'pocket-tensor-bundle', formatVersion: 1, bin: 'x.bin', ...meta, tensors: table }, bin };
}

const GOLDEN_META = {
  model: 'm.onnx',
  schedule: { numTrainTimesteps: 1000, betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 },
  sampler: {
    name: 'ddim',
    timestepSpacing: 'leading',
    stepsOffset: 0,
    clipSample: false,
    clipSampleRange: 1,
    setAlphaToOne: true,
    predictionType: 'epsilon',
  },
  mixture: { numClasses: 4 },
};

describe('parseBundle', () => {
  it('reads float32, int32 and uint8 tensors at their offsets, keeps the metadata', () => {
    const { json, bin } = buildBundle(
      {
        a: { dtype: 'float32', shape: [2, 2], values: [0.5, -1.25, 3, 1e-7] },
        b: { dtype: 'int32', shape: [3], values: [-7, 0, 2147483647] },
        c: { dtype: 'uint8', shape: [1, 5], values: [0, 1, 127, 128, 255] },
      },
      { model: 'm.onnx' },
    );
    const bundle = parseBundle(JSON.stringify(json), bin);
    expect(bundle.meta.model).toBe('m.onnx');
    expect(bundle.meta).not.toHaveProperty('tensors');
    expect(Array.from(bundleTensor(bundle, 'a', 'float32').data)).toEqual([0.5, -1.25, 3, Math.fround(1e-7)]);
    expect(bundleTensor(bundle, 'a', 'float32').dims).toEqual([2, 2]);
    expect(Array.from(bundleTensor(bundle, 'b', 'int32').data)).toEqual([-7, 0, 2147483647]);
    expect(Array.from(bundleTensor(bundle, 'c', 'uint8').data)).toEqual([0, 1, 127, 128, 255]);
    expect(() => bundleTensor(bundle, 'b', 'float32')).toThrow(/int32, expected float32/);
    expect(() => bundleTensor(bundle, 'zz', 'float32')).toThrow(/no tensor "zz"/);
  });

  it('accepts bytes that start at an odd offset of a larger buffer (a pooled Node Buffer)', () => {
    const { json, bin } = buildBundle({ a: { dtype: 'float32', shape: [2], values: [1.5, -2] } });
    const host = new Uint8Array(bin.length + 3);
    host.set(bin, 3);
    const bundle = parseBundle(json, host.subarray(3));
    expect(Array.from(bundleTensor(bundle, 'a', 'float32').data)).toEqual([1.5, -2]);
  });

  it('refuses other formats and versions, and tensors that do not fit the .bin', () => {
    const { json, bin } = buildBundle({ a: { dtype: 'float32', shape: [2], values: [1, 2] } });
    const tensor = (json.tensors as Record<string, Record<string, unknown>>).a!;
    expect(() => parseBundle({ ...json, format: 'npz' }, bin)).toThrow(/format/);
    expect(() => parseBundle({ ...json, formatVersion: 2 }, bin)).toThrow(/formatVersion/);
    expect(() => parseBundle({ ...json, tensors: { a: { ...tensor, dtype: 'float64' } } }, bin)).toThrow(/dtype/);
    expect(() => parseBundle({ ...json, tensors: { a: { ...tensor, shape: [3] } } }, bin)).toThrow(/does not hold 2/);
    expect(() => parseBundle({ ...json, tensors: { a: { ...tensor, byteOffset: 2 } } }, bin)).toThrow(/multiple of 4/);
    expect(() => parseBundle({ ...json, tensors: { a: { ...tensor, byteOffset: 16 } } }, bin)).toThrow(/past the end/);
  });
});

describe('parseParity and parseGolden', () => {
  it('splits a parity bundle into inputs and expected outputs', () => {
    const { json, bin } = buildBundle(
      {
        x: { dtype: 'float32', shape: [1, 2], values: [1, 2] },
        label: { dtype: 'int32', shape: [1], values: [3] },
        'out.eps': { dtype: 'float32', shape: [1, 2], values: [0.1, 0.2] },
      },
      { model: 'm.onnx', inputs: ['x', 'label'], outputs: ['out.eps'] },
    );
    const parity = parseParity(parseBundle(json, bin));
    expect(parity.model).toBe('m.onnx');
    expect(Object.keys(parity.inputs)).toEqual(['x', 'label']);
    expect(Object.keys(parity.expected)).toEqual(['eps']);
    const missingInput = buildBundle(
      { x: { dtype: 'float32', shape: [1], values: [1] } },
      { model: 'm.onnx', inputs: ['x', 't'], outputs: [] },
    );
    expect(() => parseParity(parseBundle(missingInput.json, missingInput.bin))).toThrow(/input "t"/);
  });

  it('reads a class-conditional case and its per-step noise', () => {
    const { json, bin } = buildBundle(
      {
        'case0.xT': { dtype: 'float32', shape: [2, 2], values: [1, 2, 3, 4] },
        'case0.noise': { dtype: 'float32', shape: [3, 2, 2], values: Array.from({ length: 12 }, (_, i) => i) },
        'case0.x0': { dtype: 'float32', shape: [2, 2], values: [0, 0, 0, 0] },
      },
      {
        ...GOLDEN_META,
        cases: [{ prefix: 'case0', label: 1, w: 3, seed: 0, numInferenceSteps: 3, eta: 1, points: 2 }],
      },
    );
    const golden = parseGolden(parseBundle(json, bin));
    const c = golden.cases[0]!;
    expect(c.kind).toBe('class-cfg');
    expect(c.kind === 'class-cfg' && [c.label, c.nullLabel, c.w]).toEqual([1, 4, 3]);
    expect([c.batch, c.itemShape]).toEqual([2, [2]]);
    expect(c.noise?.length).toBe(12);
  });

  it('refuses a stochastic case without noise, and noise of the wrong length', () => {
    const entries = {
      'case0.xT': { dtype: 'float32' as const, shape: [1, 2], values: [1, 2] },
      'case0.x0': { dtype: 'float32' as const, shape: [1, 2], values: [0, 0] },
    };
    const meta = {
      ...GOLDEN_META,
      cases: [{ prefix: 'case0', label: 1, w: 0, seed: 0, numInferenceSteps: 2, eta: 1 }],
    };
    const noNoise = buildBundle(entries, meta);
    expect(() => parseGolden(parseBundle(noNoise.json, noNoise.bin))).toThrow(/no "case0.noise"/);
    const shortNoise = buildBundle(
      { ...entries, 'case0.noise': { dtype: 'float32', shape: [1, 1, 2], values: [0, 0] } },
      meta,
    );
    expect(() => parseGolden(parseBundle(shortNoise.json, shortNoise.bin))).toThrow(/2 steps × 2/);
  });

  it('refuses a classifier-guidance case when the file does not name the UNet', () => {
    const { json, bin } = buildBundle(
      {
        'case0.xT': { dtype: 'float32', shape: [1, 3, 32, 32], values: new Array(3072).fill(0) },
        'case0.x0': { dtype: 'float32', shape: [1, 3, 32, 32], values: new Array(3072).fill(0) },
      },
      {
        ...GOLDEN_META,
        cases: [{ prefix: 'case0', y: 5, class: 'green square', scale: 3, seed: 0, numInferenceSteps: 2, eta: 0 }],
      },
    );
    expect(() => parseGolden(parseBundle(json, bin))).toThrow(/"unet"/);
    expect(parseGolden(parseBundle({ ...json, unet: 'u.onnx' }, bin)).cases[0]!.kind).toBe('classifier');
  });
});

describe('maxAbsDifference and modelOutputToBytes', () => {
  it('max |a − b| is NaN-poisoned, so a ≤ tolerance check fails on NaN', () => {
    expect(maxAbsDifference([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDifference([1, Number.NaN], [1, 0]) <= 1e-4).toBe(false);
    expect(() => maxAbsDifference([1], [1, 2])).toThrow(/length/);
  });

  it('inverts the dataset map x = v/127.5 − 1 for every byte, and clamps', () => {
    const all = Uint8Array.from({ length: 256 }, (_, v) => v);
    expect(Array.from(modelOutputToBytes(bytesToModelInput(all)))).toEqual(Array.from(all));
    expect(Array.from(modelOutputToBytes([-5, -1, 0, 1, 7, Number.NaN]))).toEqual([0, 0, 128, 255, 255, 0]);
  });
});
