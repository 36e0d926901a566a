// The fidelity-versus-diversity sweep: scoring of hand-made evaluator outputs (known answers), the
// sweep over the real UNet and evaluator (structure only: the UNet is an early checkpoint), and
// the reader for the `npm run models:eval` table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCaption } from '../../../src/lib/shapes-world/caption';
import { evaluatorHeads } from '../../../src/lib/pocket/evaluation';
import { parseEvalTable } from '../../../src/lib/pocket/eval-table';
import {
  runFidelitySweep,
  smallestAllMatchWeight,
  summariseBatch,
  type SweepRow,
} from '../../../src/lib/pocket/fidelity-diversity';
import { SamplingCancelled } from '../../../src/lib/pocket/sampling-run';
import { openPocketModel, type PocketModel } from './pocket-runner';

function attributes(caption: string) {
  const parsed = parseCaption(caption);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.attributes;
}

/** Evaluator logits whose arg-max per head is `choice[head]` (default class 0). */
function logitsFor(choices: Record<string, number>[]): Float32Array {
  const heads = evaluatorHeads();
  const width = heads.reduce((s, [, n]) => s + n, 0);
  const out = new Float32Array(choices.length * width);
  choices.forEach((choice, i) => {
    let offset = i * width;
    for (const [name, n] of heads) {
      out[offset + (choice[name] ?? 0)] = 5;
      offset += n;
    }
  });
  return out;
}

describe('summariseBatch', () => {
  it('one-object caption: accuracies per attribute, per-sample verdicts, diversity', () => {
    // "a small red triangle": colour 0, shape 2, size 0; objectCount class 0 = one object.
    const logits = logitsFor([
      { objectCount: 0, colour: 0, shape: 2, size: 0 },
      { objectCount: 0, colour: 1, shape: 2, size: 0 },
      { objectCount: 1, colour: 0, shape: 2, size: 0 },
    ]);
    const features = new Float32Array(3 * 256);
    features[0] = 3; // sample 0 at 3·e₀, sample 1 at 0, sample 2 at 4·e₁: distances 3, 5, 4
    features[2 * 256 + 1] = 4;
    const row = summariseBatch(2, attributes('a small red triangle'), logits, features, new Uint8Array(0), 3);
    expect(row.colour).toBeCloseTo(1 / 3);
    expect(row.shape).toBeCloseTo(2 / 3);
    expect(row.size).toBeCloseTo(2 / 3);
    expect(row.position).toBeNull();
    expect(row.bothObjects).toBeNull();
    expect(row.all).toBeCloseTo(1 / 3);
    expect(row.verdicts).toEqual([true, false, false]);
    expect(row.diversity).toBeCloseTo(4, 5);
  });

  it('two-object caption: objects and relation through the canonical A/B order', () => {
    // "a red circle above a blue square": above has sign −1 → A = red circle (colour 0, shape 0), B = blue square (2, 1), axis 1.
    const logits = logitsFor([
      { objectCount: 1, colourA: 0, shapeA: 0, colourB: 2, shapeB: 1, axis: 1 },
      { objectCount: 1, colourA: 2, shapeA: 1, colourB: 0, shapeB: 0, axis: 1 },
    ]);
    const row = summariseBatch(
      0,
      attributes('a red circle above a blue square'),
      logits,
      new Float32Array(2 * 256),
      new Uint8Array(0),
      2,
    );
    expect(row.bothObjects).toBe(1);
    expect(row.relation).toBe(0.5);
    expect(row.colour).toBeNull();
    expect(row.verdicts).toEqual([true, false]);
    expect(row.diversity).toBe(0);
  });

  it('smallestAllMatchWeight picks the lowest w with every sample right', () => {
    const row = (w: number, verdicts: boolean[]) => ({ w, verdicts }) as SweepRow;
    expect(smallestAllMatchWeight([row(0, [true, false]), row(3, [true, true]), row(1, [true, true])])).toBe(1);
    expect(smallestAllMatchWeight([row(0, [false])])).toBeNull();
  });
});

describe('runFidelitySweep over the ONNX files', () => {
  let unet: PocketModel;
  let evaluator: PocketModel;
  beforeAll(async () => {
    [unet, evaluator] = await Promise.all([
      openPocketModel('shapes-unet.onnx'),
      openPocketModel('shapes-evaluator.onnx'),
    ]);
  });
  afterAll(async () => {
    await unet?.close();
    await evaluator?.close();
  });

  const caption = 'a small red triangle';
  const options = { caption, attributes: attributes(caption), weights: [0, 3], samples: 2, steps: 2, seed: 1 };

  it('one row per w with a verdict and an image per sample; progress counts every step', async () => {
    const progress: [number, number][] = [];
    const rows = await runFidelitySweep(unet.run, evaluator.run, {
      ...options,
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(rows.map((r) => r.w)).toEqual([0, 3]);
    for (const row of rows) {
      expect(row.verdicts).toHaveLength(2);
      expect(row.images).toHaveLength(2 * 3 * 32 * 32);
      for (const v of [row.colour, row.shape, row.size, row.all]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(row.position).toBeNull();
      expect(row.relation).toBeNull();
      expect(row.diversity).toBeGreaterThanOrEqual(0);
      expect(row.all).toBe(row.verdicts.filter(Boolean).length / 2);
    }
    expect(progress.at(-1)).toEqual([4, 4]);
    // Evaluator: one call per w; UNet: one CFG call per step and w.
    expect(evaluator.calls()).toBe(2);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const run = runFidelitySweep(unet.run, evaluator.run, {
      ...options,
      signal: controller.signal,
      onProgress: (done) => done === 1 && controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(SamplingCancelled);
  });
});

describe('parseEvalTable', () => {
  const table = {
    model: 'shapes-unet',
    modelSha256: 'ab',
    sampler: 'ddim',
    steps: 50,
    samplesPerCaption: 8,
    seed: 0,
    captions: { one: ['a small red triangle'], two: ['a red circle above a blue square'] },
    rows: [
      {
        w: 3,
        colour: 1,
        shape: 0.5,
        size: 0.75,
        position: null,
        bothObjects: 0.25,
        relation: 0,
        diversity: 3.5,
        oneObjectAll: 0.5,
      },
      { w: 0, colour: 0.9, shape: 0.25, size: 0.5, position: 0.5, bothObjects: 0, relation: 0, diversity: 5 },
    ],
  };

  it('accepts the promised shape (extra fields ignored), sorted by w, null = not asked', () => {
    const result = parseEvalTable(table);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.table.rows.map((r) => r.w)).toEqual([0, 3]);
    expect(result.table.rows[1]!.position).toBeNull();
    expect(result.table.rows[1]).not.toHaveProperty('oneObjectAll');
    expect(parseEvalTable({ ...table, rows: [] })).toMatchObject({ ok: true, table: { rows: [] } });
  });

  it('refuses anything else with a reason', () => {
    expect(parseEvalTable(null)).toMatchObject({ ok: false });
    expect(parseEvalTable({ ...table, rows: undefined })).toMatchObject({ ok: false, reason: /rows/ });
    expect(parseEvalTable({ ...table, rows: [{ ...table.rows[0], colour: 1.5 }] })).toMatchObject({
      ok: false,
      reason: /colour/,
    });
    expect(parseEvalTable({ ...table, rows: [{ ...table.rows[0], w: 'x' }] })).toMatchObject({
      ok: false,
      reason: /w/,
    });
    expect(parseEvalTable({ ...table, captions: { one: [] } })).toMatchObject({ ok: false, reason: /captions/ });
  });
});
