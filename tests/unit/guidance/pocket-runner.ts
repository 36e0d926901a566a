/** Real ORT sessions (WASM, Node) over the committed pocket models, as ModelRunners. */
import { readFileSync } from 'node:fs';
import { createSession, dispose, run, type OrtSession } from '../../../src/lib/runtime/ort';
import type { ModelRunner } from '../../../src/lib/pocket/guided-sampling';

export interface PocketModel {
  run: ModelRunner;
  /** Forward passes so far (to check how many calls a run makes). */
  calls: () => number;
  close: () => Promise<void>;
}

export async function openPocketModel(file: string): Promise<PocketModel> {
  const session: OrtSession = await createSession(readFileSync(`models/pocket/${file}`), {
    backend: 'wasm',
    numThreads: 1,
  });
  let calls = 0;
  return {
    run: (feeds) => {
      calls++;
      return run(session, feeds);
    },
    calls: () => calls,
    close: () => dispose(session),
  };
}
