import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSession, dispose, run, sessionContract } from '../../../src/lib/runtime/ort';
import { affineModel, float16DoubleModel } from './onnx-builder';

const root = new URL('../../../', import.meta.url);

describe('ort.ts on a hand-encoded MatMul + Add graph', () => {
  const W = [
    [0.5, -1, 2],
    [1.5, 0.25, -0.75],
  ];
  const b = [0.1, -0.2, 0.3];

  it('computes x·W + b exactly as a plain loop does', async () => {
    const session = await createSession(affineModel(W, b), { backend: 'wasm' });
    const x = Float32Array.from([1, 2, -3, 0.5, 0.25, -4]);
    const out = await run(session, { x: { dtype: 'float32', data: x, dims: [3, 2] } });
    expect(Object.keys(out)).toEqual(['y']);
    expect(out.y.dtype).toBe('float32');
    expect(out.y.dims).toEqual([3, 3]);
    const expected: number[] = [];
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) expected.push(x[2 * r] * W[0][c] + x[2 * r + 1] * W[1][c] + b[c]);
    }
    Array.from(out.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    await dispose(session);
  });

  it('reports the contract with symbolic dimensions', async () => {
    const session = await createSession(affineModel(W, b), { backend: 'wasm' });
    expect(sessionContract(session)).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 2] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 3] }],
    });
    await dispose(session);
  });

  it('pins a symbolic dimension with freeDimensionOverrides: that size runs, another is refused', async () => {
    const session = await createSession(affineModel(W, b), { backend: 'wasm', freeDimensionOverrides: { batch: 2 } });
    const out = await run(session, { x: { dtype: 'float32', data: Float32Array.from([1, 0, 0, 1]), dims: [2, 2] } });
    expect(out.y.dims).toEqual([2, 3]);
    const expected = [0.5 + 0.1, -1 - 0.2, 2 + 0.3, 1.5 + 0.1, 0.25 - 0.2, -0.75 + 0.3];
    Array.from(out.y.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    await expect(run(session, { x: { dtype: 'float32', data: new Float32Array(6), dims: [3, 2] } })).rejects.toThrow(
      /dimension|index: 0|Got: 3/i,
    );
    await dispose(session);
  });

  it('rejects a feed whose data does not fill its dims, and refuses to run after dispose', async () => {
    const session = await createSession(affineModel(W, b), { backend: 'wasm' });
    await expect(run(session, { x: { dtype: 'float32', data: new Float32Array(5), dims: [3, 2] } })).rejects.toThrow(
      /5 values do not fill dims \[3, 2\]/,
    );
    await dispose(session);
    await dispose(session); // idempotent
    await expect(run(session, { x: { dtype: 'float32', data: new Float32Array(2), dims: [1, 2] } })).rejects.toThrow(
      /disposed/,
    );
  });

  it('runs float16 IO on the CPU provider (bit patterns in, bit patterns out)', async () => {
    const session = await createSession(float16DoubleModel(), { backend: 'wasm' });
    // 1.0 = 0x3c00, 0.5 = 0x3800, -2 = 0xc000 → doubled: 2 = 0x4000, 1 = 0x3c00, -4 = 0xc400
    const out = await run(session, {
      x: { dtype: 'float16', data: Uint16Array.from([0x3c00, 0x3800, 0xc000]), dims: [3] },
    });
    expect(out.y.dtype).toBe('float16');
    expect(Array.from(out.y.data as Uint16Array)).toEqual([0x4000, 0x3c00, 0xc400]);
    await dispose(session);
  });

  it('refuses WebGPU in Node with a clear message', async () => {
    await expect(createSession(affineModel(W, b), { backend: 'webgpu' })).rejects.toThrow(
      /WebGPU is not available in Node/,
    );
  });
});

describe('ort.ts on the committed mixture2d pocket model', () => {
  it('matches the PyTorch parity outputs shipped with the model', async () => {
    const spec = JSON.parse(
      readFileSync(new URL('models/pocket/fixtures/mixture2d-mlp.parity.json', root), 'utf8'),
    ) as {
      tensors: Record<string, { dtype: string; shape: number[]; byteOffset: number; length: number }>;
    };
    const bin = readFileSync(new URL('models/pocket/fixtures/mixture2d-mlp.parity.bin', root));
    const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const tensor = (name: string) => {
      const t = spec.tensors[name];
      return t.dtype === 'int32'
        ? new Int32Array(buffer, t.byteOffset, t.length)
        : new Float32Array(buffer, t.byteOffset, t.length);
    };
    const model = new Uint8Array(readFileSync(new URL('models/pocket/mixture2d-mlp.onnx', root)));
    const session = await createSession(model, { backend: 'wasm' });
    const contract = sessionContract(session);
    expect(contract.inputs.map((i) => [i.name, i.dtype])).toEqual([
      ['x', 'float32'],
      ['t', 'float32'],
      ['label', 'int32'],
    ]);
    const out = await run(session, {
      x: { dtype: 'float32', data: tensor('x') as Float32Array, dims: spec.tensors.x.shape },
      t: { dtype: 'float32', data: tensor('t') as Float32Array, dims: spec.tensors.t.shape },
      label: { dtype: 'int32', data: tensor('label') as Int32Array, dims: spec.tensors.label.shape },
    });
    const reference = tensor('out.eps') as Float32Array;
    const eps = out.eps.data as Float32Array;
    expect(eps.length).toBe(reference.length);
    let maxDiff = 0;
    for (let i = 0; i < eps.length; i++) maxDiff = Math.max(maxDiff, Math.abs(eps[i] - reference[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    await dispose(session);
  });
});
