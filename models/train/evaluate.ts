// `npm run models:eval`: generate images for the held-out evaluation captions with the pocket UNet
// (ONNX, through src/lib/runtime/ort.ts, classifier-free guidance, DDIM) and score them with the
// evaluator (src/lib/pocket/evaluation.ts), per guidance weight w. Node glue: it reads the pocket
// folder and the manifest; the sampling and scoring are the same src/lib code the widgets run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { nullCaptionTokens, type GoldenSchedule } from '../../src/lib/pocket/fixtures.ts';
import {
  accuracy,
  decodeEvaluator,
  matchCaption,
  meanPairwiseDistance,
  type CaptionMatch,
} from '../../src/lib/pocket/evaluation.ts';
import {
  classifierFreeGuidance,
  modelOutputToBytes,
  sampleAsync,
  type ModelRunner,
} from '../../src/lib/pocket/guided-sampling.ts';
import { createRng, deriveSeed } from '../../src/lib/rng.ts';
import { createPocketSampler, POCKET_SCHEDULE } from '../../src/lib/pocket/sampler-config.ts';
import { encodeCaption, parseCaption } from '../../src/lib/shapes-world/caption.ts';
import { bytesToModelInput } from '../../src/lib/shapes-world/render.ts';
import { vocabulary } from '../../src/lib/shapes-world/vocabulary.ts';
import type { CaptionAttributes } from '../../src/lib/shapes-world/types.ts';
import { openPocketSessions } from './pocket-dir.ts';

const IMAGE = [3, 32, 32] as const;
const IMAGE_SIZE = 3 * 32 * 32;
const FEATURES = 256;

export interface EvalOptions {
  /** Folder with shapes-unet.onnx and shapes-evaluator.onnx (models/pocket). */
  pocketDir: string;
  /** models/manifest.json: the UNet's training schedule. */
  manifestPath: string;
  samplesPerCaption: number;
  weights: number[];
  steps: number;
  seed: number;
  /** Restrict to the first k captions of each kind (smoke runs). */
  captionLimit?: number;
  onProgress?: (message: string) => void;
}

export interface CaptionResult {
  caption: string;
  kind: 'one' | 'two';
  w: number;
  /** Fraction of samples with everything the caption asked for. */
  allCorrect: number;
  diversity: number;
}

export interface EvalRow {
  w: number;
  colour: number;
  shape: number;
  size: number;
  position: number;
  /** One-object captions: every attribute asked for is right. */
  oneObjectAll: number;
  bothObjects: number;
  relation: number;
  /** Two-object captions: both objects, relation and sizes right. */
  twoObjectAll: number;
  /** Mean pairwise distance of evaluator features within a caption, averaged over captions. */
  diversity: number;
}

export interface EvalReport {
  model: 'shapes-unet';
  modelSha256: string;
  evaluatorSha256: string;
  sampler: 'ddim';
  eta: 0;
  steps: number;
  samplesPerCaption: number;
  seed: number;
  captions: { one: string[]; two: string[] };
  rows: EvalRow[];
  perCaption: CaptionResult[];
  wallSeconds: number;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function unetSchedule(manifestPath: string): GoldenSchedule {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    models: Record<string, { schedule?: GoldenSchedule }>;
  };
  const schedule = manifest.models['shapes-unet']?.schedule;
  if (schedule === undefined) throw new Error(`${manifestPath}: the shapes-unet entry has no "schedule".`);
  return schedule;
}

function parsed(caption: string): CaptionAttributes {
  const result = parseCaption(caption);
  if (!result.ok) throw new Error(`Evaluation caption "${caption}": ${result.error.message}`);
  return result.attributes;
}

/** n images for one caption at weight w: DDIM (η = 0) from the given x_T, as 8-bit-rounded model inputs. */
async function generate(
  unet: ModelRunner,
  tokens: Int32Array,
  w: number,
  steps: number,
  xT: Float32Array,
): Promise<Float32Array> {
  const sampler = createPocketSampler('ddim', steps, { clipSample: true });
  const epsilon = classifierFreeGuidance(unet, {
    itemShape: IMAGE,
    conditionInput: 'tokens',
    condition: tokens,
    nullCondition: nullCaptionTokens(),
    weight: w,
  });
  // Score what a reader sees: the image rounded to 8 bits, read back as the evaluator's input.
  return bytesToModelInput(modelOutputToBytes(await sampleAsync(sampler, epsilon, xT)));
}

function mean(values: number[]): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

export async function evaluateUnet(options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const { pocketDir, samplesPerCaption: n, weights, steps, seed } = options;
  const limit = options.captionLimit ?? Infinity;
  const captions = {
    one: vocabulary.evaluationCaptions.oneObject.slice(0, limit),
    two: vocabulary.evaluationCaptions.twoObjects.slice(0, limit),
  };
  const all = [
    ...captions.one.map((c) => ({ caption: c, kind: 'one' as const })),
    ...captions.two.map((c) => ({ caption: c, kind: 'two' as const })),
  ];
  const schedule = unetSchedule(options.manifestPath);
  if (JSON.stringify(schedule) !== JSON.stringify(POCKET_SCHEDULE)) {
    throw new Error(
      `The manifest's shapes-unet schedule ${JSON.stringify(schedule)} is not the pocket sampler's ${JSON.stringify(POCKET_SCHEDULE)}.`,
    );
  }
  const sessions = openPocketSessions(pocketDir);
  try {
    const unet = await sessions.model('shapes-unet.onnx');
    const evaluator = await sessions.model('shapes-evaluator.onnx');
    const rows: EvalRow[] = [];
    const perCaption: CaptionResult[] = [];
    for (const w of weights) {
      const matches: { kind: 'one' | 'two'; match: CaptionMatch }[] = [];
      const diversities: number[] = [];
      for (const [index, { caption, kind }] of all.entries()) {
        const attributes = parsed(caption);
        // The same x_T for a caption at every w (common random numbers): differences between rows are w's doing.
        const xT = createRng(deriveSeed(seed, index)).normalArray(n * IMAGE_SIZE);
        const images = await generate(unet, encodeCaption(caption), w, steps, xT);
        const out = await evaluator({ x: { dtype: 'float32', data: images, dims: [n, ...IMAGE] } });
        const predicted = decodeEvaluator(out.logits!.data as Float32Array, n);
        const captionMatches = predicted.map((p) => matchCaption(p, attributes));
        const diversity = meanPairwiseDistance(out.features!.data as Float32Array, n, FEATURES);
        for (const match of captionMatches) matches.push({ kind, match });
        diversities.push(diversity);
        perCaption.push({ caption, kind, w, allCorrect: accuracy(captionMatches.map((m) => m.all)), diversity });
        options.onProgress?.(`w = ${w}: ${index + 1}/${all.length} "${caption}"`);
      }
      const of = (kind: 'one' | 'two', field: keyof CaptionMatch) =>
        accuracy(matches.filter((m) => m.kind === kind).map((m) => m.match[field]));
      rows.push({
        w,
        colour: of('one', 'colour'),
        shape: of('one', 'shape'),
        size: of('one', 'size'),
        position: of('one', 'position'),
        oneObjectAll: of('one', 'all'),
        bothObjects: of('two', 'bothObjects'),
        relation: of('two', 'relation'),
        twoObjectAll: of('two', 'all'),
        diversity: mean(diversities),
      });
    }
    return {
      model: 'shapes-unet',
      modelSha256: sha256(join(pocketDir, 'shapes-unet.onnx')),
      evaluatorSha256: sha256(join(pocketDir, 'shapes-evaluator.onnx')),
      sampler: 'ddim',
      eta: 0,
      steps,
      samplesPerCaption: n,
      seed,
      captions,
      rows,
      perCaption,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    await sessions.disposeAll();
  }
}

/** Reports of the same run split by weight (separate processes) → one report, rows in `weights` order. */
export function mergeReports(parts: EvalReport[], weights: number[], wallSeconds: number): EvalReport {
  const [first] = parts;
  if (first === undefined) throw new Error('mergeReports: no reports');
  const row = (w: number) => {
    const found = parts.flatMap((p) => p.rows).find((r) => r.w === w);
    if (found === undefined) throw new Error(`mergeReports: no row for w = ${w}`);
    return found;
  };
  return {
    ...first,
    rows: weights.map(row),
    perCaption: weights.flatMap((w) => parts.flatMap((p) => p.perCaption).filter((c) => c.w === w)),
    wallSeconds,
  };
}

const percent = (v: number) => (Number.isNaN(v) ? '—' : `${(100 * v).toFixed(1)} %`);

/** The report as a plain-text table, one row per w. */
export function formatReport(report: EvalReport): string {
  const header = [
    'w',
    'colour',
    'shape',
    'size',
    'position',
    '1-obj all',
    'both objects',
    'relation',
    '2-obj all',
    'diversity',
  ];
  const lines = report.rows.map((r) => [
    String(r.w),
    percent(r.colour),
    percent(r.shape),
    percent(r.size),
    percent(r.position),
    percent(r.oneObjectAll),
    percent(r.bothObjects),
    percent(r.relation),
    percent(r.twoObjectAll),
    r.diversity.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [
    `shapes-unet ${report.modelSha256.slice(0, 12)} · DDIM ${report.steps} steps, η = 0 · ${report.samplesPerCaption} samples × ` +
      `${report.captions.one.length} one-object + ${report.captions.two.length} two-object held-out captions · seed ${report.seed}`,
    fmt(header),
    ...lines.map(fmt),
    `(${report.wallSeconds.toFixed(0)} s)`,
  ].join('\n');
}
