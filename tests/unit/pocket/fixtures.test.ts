// Every pocket model's fixtures (models/pocket/fixtures, written by `python3 -m models.train.export`):
// parity of the ONNX file with PyTorch, and the golden end-to-end files replayed with src/lib's DDIM
// sampler and guidance over the ONNX model(s) through src/lib/runtime/ort.ts (issue #3: ≤ 1e-4 and
// no 8-bit pixel differs). New models are covered as soon as their fixtures are committed.
// POCKET_DIR=<folder> checks another pocket folder (e.g. .cache/smoke/pocket after the CI smoke run).
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeGoldenCase, nullCaptionTokens, type GoldenCase } from '../../../src/lib/pocket/fixtures.ts';
import { encodeCaption } from '../../../src/lib/shapes-world/caption.ts';
import {
  checkParity,
  GOLDEN_TOLERANCE,
  PARITY_TOLERANCE,
  parityTolerance,
  replayGoldenCase,
} from '../../../src/lib/pocket/golden.ts';
import { openPocketSessions, readPocketDir } from '../../../models/train/pocket-dir.ts';

const dir = resolve(process.env.POCKET_DIR ?? new URL('../../../models/pocket', import.meta.url).pathname);
const pocket = readPocketDir(dir);
const sessions = openPocketSessions(dir);
afterAll(() => sessions.disposeAll());

// A 50-step UNet case (batch 2, one WASM thread) took 3–10 s on the shared 2-core machine under load.
const GOLDEN_TIMEOUT_MS = 120_000;

describe(`pocket fixtures in ${dir}`, () => {
  it('every ONNX file has a parity fixture, and every fixture names a model that is there', () => {
    const models = readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .sort();
    expect(models.length).toBeGreaterThan(0);
    expect(pocket.parity.map((p) => p.fixture.model).sort()).toEqual(models);
    for (const { fixture } of pocket.golden) {
      expect(models).toContain(fixture.model);
      if (fixture.unet !== undefined) expect(models).toContain(fixture.unet);
    }
    expect(pocket.golden.length).toBeGreaterThan(0);
  });

  for (const { fixture } of pocket.parity) {
    it(`parity ${fixture.model}: ${Object.keys(fixture.expected).join(', ')} within ${PARITY_TOLERANCE} × max(1, |output|)`, async () => {
      const { differences } = await checkParity(fixture, await sessions.model(fixture.model));
      for (const d of differences) {
        console.log(
          `parity ${fixture.model} ${d.output}: max |ONNX − PyTorch| = ${d.maxAbsDiff.toExponential(2)} (max |PyTorch| = ${d.referenceMaxAbs.toFixed(2)})`,
        );
        expect(d.maxAbsDiff, d.output).toBeLessThanOrEqual(parityTolerance(d.referenceMaxAbs));
      }
    });
  }

  for (const { fixture } of pocket.golden) {
    for (const goldenCase of fixture.cases) {
      if (goldenCase.kind === 'text-cfg') {
        // The widgets tokenise captions in TypeScript: it must give the ids the UNet was trained on.
        it(`golden ${fixture.model} ${goldenCase.prefix}: src/lib tokenises "${goldenCase.caption}" as Python did`, () => {
          expect(Array.from(goldenCase.conditionTokens)).toEqual(Array.from(encodeCaption(goldenCase.caption)));
          expect(Array.from(goldenCase.nullTokens)).toEqual(Array.from(nullCaptionTokens()));
        });
      }
      it(`golden ${fixture.model} ${describeGoldenCase(goldenCase)}`, { timeout: GOLDEN_TIMEOUT_MS }, async () => {
        const started = performance.now();
        const result = await replayGoldenCase(fixture, goldenCase, sessions.model);
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        const pixels =
          result.differingBytes === null
            ? ''
            : `, ${result.differingBytes} differing 8-bit values (${result.boundaryBytes} of them rounding-boundary ties)`;
        console.log(
          `golden ${fixture.model} ${goldenCase.prefix}: max |TS − PyTorch| = ${result.maxAbsDiff.toExponential(2)}${pixels} (${seconds} s)`,
        );
        expect(result.maxAbsDiff).toBeLessThanOrEqual(GOLDEN_TOLERANCE);
        if (goldenCase.itemShape.length === 3) {
          expect(goldenCase.image, 'image models store the 8-bit result').toBeDefined();
          // Only values PyTorch left within 1e-4 of a rounding boundary may round the other way (golden.ts).
          expect(result.differingBytes).toBe(result.boundaryBytes);
          expect(result.pass).toBe(true);
        }
      });
    }
  }
});

/** The cheapest stochastic case of a file (η > 0, so it has per-step noise), else its cheapest case. */
function cheapestCase(cases: GoldenCase[]): GoldenCase {
  const cost = (c: GoldenCase) => c.numInferenceSteps * c.xT.length - (c.noise === undefined ? 0 : 1e12);
  return cases.reduce((best, c) => (cost(c) < cost(best) ? c : best));
}

/**
 * A stored noise value that must reach the result: at the second-to-last step (the last step's σ is
 * 0, since ᾱ_prev = 1 there, so its noise is unused; earlier steps are damped by the model's pull
 * towards the data), and, where x̂₀ is clipped to [−1, 1], at an element whose result is not clipped.
 */
function influentialNoiseIndex(c: GoldenCase, clipped: boolean): number {
  const step = Math.max(0, c.numInferenceSteps - 2);
  const element = clipped
    ? Math.max(
        0,
        c.x0.findIndex((v) => Math.abs(v) < 0.9),
      )
    : 0;
  return step * c.xT.length + element;
}

function withWrongGuidance(c: GoldenCase): GoldenCase {
  return c.kind === 'classifier' ? { ...c, scale: c.scale + 0.5 } : { ...c, w: c.w + 0.5 };
}

// The comparison must be able to fail: the same replay with one stored noise value changed by 0.1,
// or a guidance strength off by 0.5, has to miss the reference.
describe('golden replay detects a wrong input', () => {
  for (const { fixture } of pocket.golden) {
    const goldenCase = cheapestCase(fixture.cases);
    if (goldenCase.noise !== undefined) {
      const index = influentialNoiseIndex(goldenCase, fixture.sampler.clipSample);
      it(
        `${fixture.model} ${goldenCase.prefix}: noise value ${index} + 0.1 → fails`,
        { timeout: GOLDEN_TIMEOUT_MS },
        async () => {
          const noise = Float32Array.from(goldenCase.noise!);
          noise[index] = noise[index]! + 0.1;
          const result = await replayGoldenCase(fixture, { ...goldenCase, noise }, sessions.model);
          console.log(
            `perturbed noise ${fixture.model} ${goldenCase.prefix}: max |Δ| = ${result.maxAbsDiff.toExponential(2)}, ${result.differingBytes ?? '–'} differing 8-bit values`,
          );
          expect(result.pass).toBe(false);
        },
      );
    }
    it(
      `${fixture.model} ${goldenCase.prefix}: guidance strength + 0.5 → fails`,
      { timeout: GOLDEN_TIMEOUT_MS },
      async () => {
        const result = await replayGoldenCase(fixture, withWrongGuidance(goldenCase), sessions.model);
        console.log(
          `wrong guidance ${fixture.model} ${goldenCase.prefix}: max |Δ| = ${result.maxAbsDiff.toExponential(2)}, ${result.differingBytes ?? '–'} differing 8-bit values`,
        );
        expect(result.pass).toBe(false);
      },
    );
  }
});
