// The contracts the guidance widgets hand to the runtime hold for the committed ONNX files (the
// runtime refuses a session that breaks its contract, so a wrong one would break the widget).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkContract } from '../../../src/lib/runtime/contract';
import { createSession, dispose, sessionContract } from '../../../src/lib/runtime/ort';
import { POCKET_CONTRACTS, type PocketModelId } from '../../../src/lib/pocket/pocket-contracts';

describe('guidance widget contracts', () => {
  for (const id of Object.keys(POCKET_CONTRACTS) as PocketModelId[]) {
    it(id, async () => {
      const session = await createSession(readFileSync(`models/pocket/${id}.onnx`), { backend: 'wasm', numThreads: 1 });
      try {
        expect(checkContract(sessionContract(session), POCKET_CONTRACTS[id], id)).toEqual({ ok: true });
        const wrongRank = {
          ...POCKET_CONTRACTS[id],
          outputs: Object.fromEntries(
            Object.keys(POCKET_CONTRACTS[id].outputs).map((name) => [name, { dtype: 'float32', shape: ['batch'] }]),
          ),
        };
        expect(checkContract(sessionContract(session), wrongRank, id).ok).toBe(false);
      } finally {
        await dispose(session);
      }
    });
  }
});
