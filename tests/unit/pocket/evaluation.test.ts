// The evaluation scoring (src/lib/pocket/evaluation.ts) against the real evaluator on scenes the
// TypeScript generator draws: if the head layout or the canonical A/B mapping disagreed with the
// Python training targets, real scenes would not match their own captions.
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  accuracy,
  decodeEvaluator,
  evaluatorHeads,
  matchCaption,
  meanPairwiseDistance,
} from '../../../src/lib/pocket/evaluation.ts';
import { sceneAttributes } from '../../../src/lib/shapes-world/caption.ts';
import { renderScene } from '../../../src/lib/shapes-world/render.ts';
import { sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import type { CaptionAttributes } from '../../../src/lib/shapes-world/types.ts';
import { openPocketSessions } from '../../../models/train/pocket-dir.ts';

const sessions = openPocketSessions(resolve(new URL('../../../models/pocket', import.meta.url).pathname));
afterAll(() => sessions.disposeAll());

const WIDTH = evaluatorHeads().reduce((s, [, n]) => s + n, 0);

/** Logits with a 1 at the given class of each head (in head order) and 0 elsewhere. */
function oneHot(classes: number[]): Float32Array {
  const logits = new Float32Array(WIDTH);
  let offset = 0;
  evaluatorHeads().forEach(([, n], i) => {
    logits[offset + classes[i]!] = 1;
    offset += n;
  });
  return logits;
}

describe('decodeEvaluator and matchCaption', () => {
  it('the heads add up to the evaluator contract (45 logits)', () => {
    expect(WIDTH).toBe(45);
  });

  // "a red circle above a blue square": above has sign −1 → A (upper) = red circle, B = blue square, axis 1.
  const above: CaptionAttributes = {
    kind: 'two',
    objects: [
      { colour: 0, shape: 0, size: null },
      { colour: 2, shape: 1, size: null },
    ],
    relation: 2,
  };
  // Head order: objectCount, colour, shape, size, position, colourA, shapeA, sizeA, colourB, shapeB, sizeB, axis.
  it('a two-object scene in canonical order matches "X above Y"', () => {
    const [scene] = decodeEvaluator(oneHot([1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 1]), 1);
    expect(matchCaption(scene!, above)).toMatchObject({
      objectCount: true,
      bothObjects: true,
      relation: true,
      all: true,
    });
  });

  it('the same objects swapped are both present but in the wrong relation', () => {
    const [scene] = decodeEvaluator(oneHot([1, 0, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1]), 1);
    expect(matchCaption(scene!, above)).toMatchObject({ bothObjects: true, relation: false, all: false });
  });

  it('"Y below X" is the same picture as "X above Y"', () => {
    const below: CaptionAttributes = { kind: 'two', objects: [above.objects[1], above.objects[0]], relation: 3 };
    const [scene] = decodeEvaluator(oneHot([1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 1]), 1);
    expect(matchCaption(scene!, below).all).toBe(true);
  });

  it('a side-by-side layout fails a vertical relation', () => {
    const [scene] = decodeEvaluator(oneHot([1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 0]), 1);
    expect(matchCaption(scene!, above)).toMatchObject({ bothObjects: true, relation: false });
  });

  it('one object: unmentioned size and position are not asked (null), a second object fails the count', () => {
    const caption: CaptionAttributes = { kind: 'one', object: { colour: 3, shape: 2, size: null }, position: null };
    const [one, two] = decodeEvaluator(
      new Float32Array([
        ...oneHot([0, 3, 2, 1, 4, 0, 0, 0, 0, 0, 0, 0]),
        ...oneHot([1, 3, 2, 1, 4, 0, 0, 0, 0, 0, 0, 0]),
      ]),
      2,
    );
    expect(matchCaption(one!, caption)).toMatchObject({
      colour: true,
      shape: true,
      size: null,
      position: null,
      all: true,
    });
    expect(matchCaption(two!, caption)).toMatchObject({ objectCount: false, colour: false, all: false });
  });

  it('rejects logits of the wrong length', () => {
    expect(() => decodeEvaluator(new Float32Array(44), 1)).toThrow(/45/);
  });
});

describe('meanPairwiseDistance and accuracy', () => {
  it('is the mean Euclidean distance over pairs', () => {
    // Points (0,0), (3,4), (6,8): distances 5, 10, 5 → mean 20/3.
    expect(meanPairwiseDistance(new Float32Array([0, 0, 3, 4, 6, 8]), 3, 2)).toBeCloseTo(20 / 3, 6);
    expect(meanPairwiseDistance(new Float32Array([1, 2]), 1, 2)).toBe(0);
  });
  it('accuracy ignores questions not asked', () => {
    expect(accuracy([true, null, false, true])).toBeCloseTo(2 / 3, 12);
    expect(accuracy([null])).toBeNaN();
  });
});

describe('the real evaluator on generated scenes', () => {
  it('scenes drawn by the TypeScript generator match their own captions (≥ 95 %)', async () => {
    const n = 64;
    const scenes = Array.from({ length: n }, (_, i) => sampleScene(3_000_000_000 + i, 'all'));
    const x = new Float32Array(n * 3 * 32 * 32);
    scenes.forEach((s, i) => x.set(renderScene(s), i * 3 * 32 * 32));
    const evaluator = await sessions.model('shapes-evaluator.onnx');
    const out = await evaluator({ x: { dtype: 'float32', data: x, dims: [n, 3, 32, 32] } });
    const predicted = decodeEvaluator(out.logits!.data as Float32Array, n);
    const matches = predicted.map((p, i) => matchCaption(p, sceneAttributes(scenes[i]!)));
    const allCorrect = accuracy(matches.map((m) => m.all));
    const relation = accuracy(matches.map((m) => m.relation));
    console.log(
      `evaluator on ${n} generated scenes: all-correct ${(100 * allCorrect).toFixed(1)} %, relation ${(100 * relation).toFixed(1)} %`,
    );
    expect(allCorrect).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});

describe('evaluateUnet (npm run models:eval) on the committed models', () => {
  const root = resolve(new URL('../../../', import.meta.url).pathname);
  const options = {
    pocketDir: `${root}/models/pocket`,
    manifestPath: `${root}/models/manifest.json`,
    samplesPerCaption: 2,
    weights: [0, 3],
    steps: 2,
    seed: 5,
    captionLimit: 1,
  };

  it('scores one row per w over both caption kinds, and the same seed gives the same report', async () => {
    const { evaluateUnet, formatReport } = await import('../../../models/train/evaluate.ts');
    const first = await evaluateUnet(options);
    const second = await evaluateUnet(options);
    expect(first.rows.map((r) => r.w)).toEqual([0, 3]);
    expect(first.perCaption).toHaveLength(4);
    expect(first.captions.one).toHaveLength(1);
    expect(first.captions.two).toHaveLength(1);
    for (const row of first.rows) {
      for (const key of ['colour', 'shape', 'bothObjects', 'relation'] as const) {
        expect(row[key]).toBeGreaterThanOrEqual(0);
        expect(row[key]).toBeLessThanOrEqual(1);
      }
      expect(row.diversity).toBeGreaterThan(0);
    }
    // Everything but the wall-clock timing is a function of the seed.
    const scores = (rows: typeof first.rows) => rows.map(({ msPerImage: _, ...r }) => r);
    expect(scores(second.rows)).toEqual(scores(first.rows));
    for (const row of first.rows) expect(row.msPerImage).toBeGreaterThan(0);
    expect(formatReport(first)).toMatch(/^model\s+setting\s+colour/m);
    expect(formatReport(first)).toMatch(/^shapes-unet\s+w = 3\s/m);
  }, 120_000);

  it('split by weight (models:eval --jobs) and merged, gives the same rows as one run', async () => {
    const { evaluateUnet, mergeReports } = await import('../../../models/train/evaluate.ts');
    const whole = await evaluateUnet(options);
    const parts = await Promise.all([
      evaluateUnet({ ...options, weights: [3] }),
      evaluateUnet({ ...options, weights: [0] }),
    ]);
    const merged = mergeReports(parts, [0, 3], 0);
    const scores = (rows: typeof whole.rows) => rows.map(({ msPerImage: _, ...r }) => r);
    expect(scores(merged.rows)).toEqual(scores(whole.rows));
    expect(merged.perCaption).toEqual(whole.perCaption);
  }, 120_000);
});
