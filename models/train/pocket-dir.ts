// Node glue over src/lib/pocket: read a pocket folder (`models/pocket`, `.cache/smoke/pocket`) and
// open its ONNX files through src/lib/runtime/ort.ts (WASM). Used by check-parity.mjs and by
// tests/unit/pocket/fixtures.test.ts, so the CLI and the unit test run the same code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseBundle,
  parseGolden,
  parseParity,
  type GoldenFixture,
  type ParityFixture,
} from '../../src/lib/pocket/fixtures.ts';
import type { ModelRunner } from '../../src/lib/pocket/guided-sampling.ts';
import { createSession, dispose, run, type OrtSession } from '../../src/lib/runtime/ort.ts';

export interface FixtureFile<F> {
  /** e.g. `mixture2d-mlp.parity.json` */
  file: string;
  fixture: F;
}

export interface PocketDir {
  dir: string;
  parity: FixtureFile<ParityFixture>[];
  golden: FixtureFile<GoldenFixture>[];
}

function readFixture(dir: string, file: string) {
  const path = join(dir, 'fixtures', file);
  const json = readFileSync(path, 'utf8');
  const doc = JSON.parse(json) as { bin?: unknown };
  if (typeof doc.bin !== 'string') throw new Error(`${path}: "bin" must name the .bin file.`);
  return parseBundle(doc as Record<string, unknown>, readFileSync(join(dir, 'fixtures', doc.bin)), file);
}

/** Every `fixtures/*.parity.json` and `fixtures/*.golden.json` of a pocket folder, parsed and checked. */
export function readPocketDir(dir: string): PocketDir {
  const files = readdirSync(join(dir, 'fixtures')).sort();
  return {
    dir,
    parity: files
      .filter((f) => f.endsWith('.parity.json'))
      .map((file) => ({ file, fixture: parseParity(readFixture(dir, file), file) })),
    golden: files
      .filter((f) => f.endsWith('.golden.json'))
      .map((file) => ({ file, fixture: parseGolden(readFixture(dir, file), file) })),
  };
}

export interface PocketSessions {
  /** The runner for `<dir>/<modelFile>`; each file is opened once. */
  model: (modelFile: string) => Promise<ModelRunner>;
  disposeAll: () => Promise<void>;
}

export function openPocketSessions(dir: string): PocketSessions {
  const sessions = new Map<string, Promise<OrtSession>>();
  return {
    async model(modelFile) {
      let session = sessions.get(modelFile);
      if (session === undefined) {
        session = createSession(new Uint8Array(readFileSync(join(dir, modelFile))), { backend: 'wasm', numThreads: 1 });
        sessions.set(modelFile, session);
      }
      const opened = await session;
      return (feeds) => run(opened, feeds);
    },
    async disposeAll() {
      const all = [...sessions.values()];
      sessions.clear();
      for (const session of all) await dispose(await session);
    },
  };
}
