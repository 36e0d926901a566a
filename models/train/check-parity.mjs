// PyTorch ↔ ONNX Runtime check of exported pocket models, in Node (onnxruntime-web, WASM, through
// src/lib/runtime/ort.ts):
//   node --experimental-strip-types models/train/check-parity.mjs [pocket-dir]   (default models/pocket)
// A thin CLI: the reading, parity and replay code is typed, in src/lib/pocket/ and ./pocket-dir.ts.
// 1. parity: every fixtures/<id>.parity.json — the ONNX model on the stored inputs vs PyTorch's outputs;
// 2. golden: every fixtures/<id>.golden.json — src/lib's DDIM sampler and guidance over the ONNX
//    model(s) from the stored noise vs the PyTorch reference sampler (src/lib/pocket/golden.ts).
// Exits 1 if a parity difference or a golden result exceeds 1e-4, or any 8-bit pixel differs.
// The same checks run in the unit tests (tests/unit/pocket/fixtures.test.ts).
import { join, resolve } from 'node:path';
import { describeGoldenCase } from '../../src/lib/pocket/fixtures.ts';
import { checkParity, replayGoldenCase } from '../../src/lib/pocket/golden.ts';
import { openPocketSessions, readPocketDir } from './pocket-dir.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const dir = resolve(process.argv[2] ?? join(repo, 'models', 'pocket'));
const pocket = readPocketDir(dir);
const sessions = openPocketSessions(dir);
let failed = false;

for (const { fixture } of pocket.parity) {
  const { differences, pass } = await checkParity(fixture, await sessions.model(fixture.model));
  failed ||= !pass;
  for (const d of differences)
    console.log(`parity ${fixture.model} ${d.output}: max abs diff ${d.maxAbsDiff.toExponential(2)}`);
}
for (const { fixture } of pocket.golden) {
  for (const goldenCase of fixture.cases) {
    const started = performance.now();
    const result = await replayGoldenCase(fixture, goldenCase, sessions.model);
    failed ||= !result.pass;
    const pixels =
      result.differingBytes === null
        ? ''
        : `, ${result.differingBytes} 8-bit values differ (${result.boundaryBytes} rounding-boundary ties)`;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `golden ${fixture.model} ${describeGoldenCase(goldenCase)}: max abs diff ${result.maxAbsDiff.toExponential(2)}${pixels} (${seconds} s)`,
    );
  }
}
await sessions.disposeAll();
console.log(
  failed ? 'FAILED' : `all ${pocket.parity.length} parity and ${pocket.golden.length} golden files within 1e-4`,
);
process.exit(failed ? 1 : 0);
