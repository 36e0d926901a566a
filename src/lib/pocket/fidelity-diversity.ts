/**
 * Fidelity versus diversity against the guidance weight w, for one caption: sample a batch per w
 * with classifier-free guidance (Ho & Salimans 2022, eq. 6; DDIM, Song et al. 2021), score it with
 * the evaluator (./evaluation.ts, the same scoring as `npm run models:eval`), and collect per-w
 * accuracies, per-sample verdicts and the diversity of the batch.
 */
import type { CaptionAttributes } from '../shapes-world/types.ts';
import { bytesToModelInput } from '../shapes-world/render.ts';
import { accuracy, decodeEvaluator, matchCaption, meanPairwiseDistance, type CaptionMatch } from './evaluation.ts';
import { modelOutputToBytes, type ModelRunner } from './guided-sampling.ts';
import { SamplingCancelled } from './sampling-run.ts';
import { ITEM_SHAPE, TextToImageRun } from './text-to-image.ts';

export const EVALUATOR_FEATURES = 256;

/** The weights a reader can pick from (the `npm run models:eval` defaults 0, 1, 3, 7 among them). */
export const W_GRID = [0, 0.5, 1, 2, 3, 5, 7, 10] as const;

export interface SweepRow {
  w: number;
  /** Accuracy per attribute over the batch; null where the caption does not ask for it. */
  colour: number | null;
  shape: number | null;
  size: number | null;
  position: number | null;
  bothObjects: number | null;
  relation: number | null;
  /** Fraction of samples showing everything the caption asks for. */
  all: number;
  /** Mean pairwise distance of the evaluator's features over the batch. */
  diversity: number;
  /** Per sample: does it show everything the caption asks for? */
  verdicts: boolean[];
  /** The samples as 8-bit CHW images, one after another. */
  images: Uint8Array;
}

const nullable = (v: number) => (Number.isNaN(v) ? null : v);

/** Scores one batch: evaluator outputs in, one row out. */
export function summariseBatch(
  w: number,
  caption: CaptionAttributes,
  logits: Float32Array,
  features: Float32Array,
  images: Uint8Array,
  n: number,
): SweepRow {
  const matches: CaptionMatch[] = decodeEvaluator(logits, n).map((p) => matchCaption(p, caption));
  const of = (field: keyof CaptionMatch) => nullable(accuracy(matches.map((m) => m[field])));
  return {
    w,
    colour: of('colour'),
    shape: of('shape'),
    size: of('size'),
    position: of('position'),
    bothObjects: of('bothObjects'),
    relation: of('relation'),
    all: accuracy(matches.map((m) => m.all)),
    diversity: meanPairwiseDistance(features, n, EVALUATOR_FEATURES),
    verdicts: matches.map((m) => m.all),
    images,
  };
}

export interface SweepOptions {
  caption: string;
  attributes: CaptionAttributes;
  weights: readonly number[];
  samples: number;
  steps: number;
  seed: number;
  signal?: AbortSignal;
  /** Model steps done so far of the whole sweep (for a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Each finished row as soon as it is scored. */
  onRow?: (row: SweepRow) => void;
}

/**
 * The sweep, on the text-to-image core (./text-to-image.ts, DDIM η = 0). Every w starts from the
 * same x_T (common random numbers, and sample i's noise does not depend on n), so the differences
 * between rows are the weight's doing, not the noise's.
 */
export async function runFidelitySweep(
  unet: ModelRunner,
  evaluator: ModelRunner,
  options: SweepOptions,
): Promise<SweepRow[]> {
  const { weights, samples: n, steps, signal } = options;
  const total = weights.length * steps;
  const rows: SweepRow[] = [];
  for (const [index, w] of weights.entries()) {
    const run = new TextToImageRun(unet, {
      caption: options.caption,
      weight: w,
      sampler: 'ddim',
      steps,
      seed: options.seed,
      samples: n,
    });
    while (!run.done) {
      if (signal?.aborted) throw new SamplingCancelled(index * steps + run.stepsDone);
      await run.advance();
      options.onProgress?.(index * steps + run.stepsDone, total);
    }
    if (signal?.aborted) throw new SamplingCancelled(total);
    // Score what the reader sees: the 8-bit image, read back as the evaluator's input.
    const images = modelOutputToBytes(run.latest);
    const out = await evaluator({ x: { dtype: 'float32', data: bytesToModelInput(images), dims: [n, ...ITEM_SHAPE] } });
    const logits = out.logits;
    const features = out.features;
    if (logits?.dtype !== 'float32' || features?.dtype !== 'float32')
      throw new Error('The evaluator returned no float32 "logits" and "features".');
    const row = summariseBatch(
      w,
      options.attributes,
      logits.data as Float32Array,
      features.data as Float32Array,
      images,
      n,
    );
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

/** The smallest w whose batch matches the caption in every sample, or null. */
export function smallestAllMatchWeight(rows: readonly SweepRow[]): number | null {
  const full = rows.filter((r) => r.verdicts.length > 0 && r.verdicts.every(Boolean)).map((r) => r.w);
  return full.length === 0 ? null : Math.min(...full);
}
