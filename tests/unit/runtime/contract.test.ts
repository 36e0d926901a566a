import { describe, expect, it } from 'vitest';
import { checkContract } from '../../../src/lib/runtime/contract';
import { createSession, dispose, sessionContract } from '../../../src/lib/runtime/ort';
import { affineModel } from './onnx-builder';

const manifestContract = {
  inputs: { x: { dtype: 'float32', shape: ['batch', 2] } },
  outputs: { y: { dtype: 'float32', shape: ['batch', 3] } },
};

describe('checkContract against a real session', () => {
  it('accepts the matching contract (symbolic names may differ)', async () => {
    const session = await createSession(
      affineModel(
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        [0, 0, 0],
      ),
      { backend: 'wasm' },
    );
    const actual = sessionContract(session);
    expect(checkContract(actual, manifestContract)).toEqual({ ok: true });
    expect(
      checkContract(actual, { ...manifestContract, inputs: { x: { dtype: 'float32', shape: ['n', 2] } } }),
    ).toEqual({ ok: true });
    await dispose(session);
  });

  it('names every difference: missing, extra, dtype, rank, fixed size', async () => {
    const session = await createSession(
      affineModel(
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        [0, 0, 0],
      ),
      { backend: 'wasm' },
    );
    const result = checkContract(
      sessionContract(session),
      {
        inputs: { x: { dtype: 'float16', shape: ['batch', 4] }, t: { dtype: 'float32', shape: ['batch'] } },
        outputs: { eps: { dtype: 'float32', shape: ['batch', 3] } },
      },
      'test-model',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.differences).toEqual([
      'input "x" is float32, the manifest says float16',
      'input "x" dimension 1 is 2, the manifest says 4',
      'input "t" is missing (the model has "x")',
      'output "eps" is missing (the model has "y")',
      'output "y" is not in the manifest',
    ]);
    expect(result.message).toMatch(/^The test-model file does not match its manifest contract: input "x" is float32/);
    const rank = checkContract(sessionContract(session), {
      ...manifestContract,
      inputs: { x: { dtype: 'float32', shape: ['batch'] } },
    });
    expect(rank.ok ? '' : rank.differences[0]).toBe('input "x" has rank 2 [batch, 2], the manifest says [batch]');
    await dispose(session);
  });

  it('allows an optional input to be absent', async () => {
    const session = await createSession(
      affineModel(
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
        [0, 0, 0],
      ),
      { backend: 'wasm' },
    );
    const withOptional = {
      ...manifestContract,
      inputs: { ...manifestContract.inputs, mask: { dtype: 'bool', shape: ['batch'], optional: true } },
    };
    expect(checkContract(sessionContract(session), withOptional)).toEqual({ ok: true });
    await dispose(session);
  });
});
