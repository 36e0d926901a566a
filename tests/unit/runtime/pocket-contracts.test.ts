import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../../src/lib/runtime/manifest';
import { checkContract } from '../../../src/lib/runtime/contract';
import { createSession, dispose, sessionContract } from '../../../src/lib/runtime/ort';

// Every committed pocket model must match the IO contract the manifest promises for it: the
// runtime refuses a session that does not, so a wrong contract would break the widget using it.
const entries = [...parseManifest(JSON.parse(readFileSync('models/manifest.json', 'utf8'))).values()].filter(
  (entry) => entry.tier === 'pocket',
);

describe('pocket models match their manifest IO contracts', () => {
  for (const entry of entries) {
    for (const file of entry.files) {
      it(`${entry.id} (${file.sitePath})`, async () => {
        const session = await createSession(readFileSync(file.sitePath.replace(/^\//, '')), {
          backend: 'wasm',
          numThreads: 1,
        });
        try {
          const actual = sessionContract(session);
          expect(checkContract(actual, file.io, entry.id)).toEqual({ ok: true });
          // The check can fail: one more output than the model has is reported by name.
          const wrong = {
            ...file.io,
            outputs: { ...file.io.outputs, not_an_output: { dtype: 'float32', shape: [1] } },
          };
          const result = checkContract(actual, wrong, entry.id);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toContain('"not_an_output" is missing');
        } finally {
          await dispose(session);
        }
      });
    }
  }
});
