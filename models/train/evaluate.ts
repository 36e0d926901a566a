// `npm run models:eval`: generate images for the held-out evaluation captions with every pocket
// text-to-image model — the pixel UNet and the latent UNet (classifier-free guidance, DDIM, per
// guidance weight w) and the pocket DALL·E (image tokens, per sampling temperature) — and score them
// with the evaluator (src/lib/pocket/evaluation.ts): one table, same captions, same evaluator, so
// the chapters compare architectures honestly. Node glue: it reads the pocket folder and the
// manifest; the sampling and scoring are the same src/lib code the widgets run.
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
import { sampleImageTokens, type ImageTokenModelInfo } from '../../src/lib/autoregressive/image-tokens.ts';
import { createLatentSampler, decodeLatents, LATENT_LENGTH, sampleLatents } from '../../src/lib/pocket/latent.ts';
import type { CaptionAttributes } from '../../src/lib/shapes-world/types.ts';
import { openPocketSessions, type PocketSessions } from './pocket-dir.ts';

const IMAGE = [3, 32, 32] as const;
const IMAGE_SIZE = 3 * 32 * 32;
const FEATURES = 256;

/** The text-to-image models `models:eval` knows, and what their setting is. */
export const EVAL_MODELS = {
  'shapes-unet': { setting: 'w', defaults: [0, 1, 3, 7], files: ['shapes-unet.onnx'] },
  'shapes-latent-unet': {
    setting: 'w',
    defaults: [0, 1, 3, 7],
    files: ['shapes-latent-unet.onnx', 'shapes-ae-decoder.onnx'],
  },
  'shapes-dalle': {
    setting: 'temperature',
    defaults: [0.7, 1],
    files: ['shapes-dalle.onnx', 'shapes-dalle-step.onnx', 'shapes-vq-decoder.onnx'],
  },
} as const;
export type EvalModel = keyof typeof EVAL_MODELS;
export type SettingName = (typeof EVAL_MODELS)[EvalModel]['setting'];

export interface EvalOptions {
  /** Folder with the models' ONNX files and shapes-evaluator.onnx (models/pocket). */
  pocketDir: string;
  /** models/manifest.json: schedules, scaling factors, token offsets. */
  manifestPath: string;
  samplesPerCaption: number;
  /** Guidance weights w (diffusion models) or temperatures (the pocket DALL·E). */
  settings: number[];
  /** Denoising steps (diffusion models; the pocket DALL·E always takes 64 tokens). */
  steps: number;
  seed: number;
  /** Restrict to the first k captions of each kind (smoke runs). */
  captionLimit?: number;
  onProgress?: (message: string) => void;
}

export interface CaptionResult {
  caption: string;
  kind: 'one' | 'two';
  setting: number;
  /** Fraction of samples with everything the caption asked for. */
  allCorrect: number;
  diversity: number;
}

export interface EvalRow {
  /** The guidance weight or temperature of this row (also under its own name, `w` or `temperature`). */
  setting: number;
  w?: number;
  temperature?: number;
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
  /** Wall-clock milliseconds per image (one ONNX Runtime thread in Node, batch = samples per caption). */
  msPerImage: number;
}

export interface EvalReport {
  model: EvalModel;
  settingName: SettingName;
  /** SHA-256 of the first file (the denoiser or transformer) and of every file used. */
  modelSha256: string;
  files: Record<string, string>;
  evaluatorSha256: string;
  sampler: string;
  eta?: 0;
  /** Denoising steps; for the pocket DALL·E, the 64 image tokens. */
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

type Manifest = { models: Record<string, Record<string, unknown> & { schedule?: GoldenSchedule }> };

function manifestEntry(manifestPath: string, id: string): Record<string, unknown> & { schedule?: GoldenSchedule } {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const entry = manifest.models[id];
  if (entry === undefined) throw new Error(`${manifestPath} has no entry "${id}".`);
  return entry;
}

function checkSchedule(manifestPath: string, id: string): void {
  const schedule = manifestEntry(manifestPath, id).schedule ?? POCKET_SCHEDULE;
  if (JSON.stringify(schedule) !== JSON.stringify(POCKET_SCHEDULE)) {
    throw new Error(
      `The manifest's ${id} schedule ${JSON.stringify(schedule)} is not the pocket sampler's ${JSON.stringify(POCKET_SCHEDULE)}.`,
    );
  }
}

function numberField(entry: Record<string, unknown>, field: string, id: string): number {
  const v = entry[field];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`The manifest's ${id} entry has no number "${field}".`);
  return v;
}

function parsed(caption: string): CaptionAttributes {
  const result = parseCaption(caption);
  if (!result.ok) throw new Error(`Evaluation caption "${caption}": ${result.error.message}`);
  return result.attributes;
}

/** Images for one caption at one setting: n images as model inputs ([n, 3, 32, 32], 8-bit rounded). */
type Generate = (tokens: Int32Array, captionIndex: number, setting: number, n: number) => Promise<Float32Array>;

/** Score what a reader sees: the image rounded to 8 bits, read back as the evaluator's input. */
const asShown = (images: Float32Array) => bytesToModelInput(modelOutputToBytes(images));

async function sourceFor(
  model: EvalModel,
  sessions: PocketSessions,
  options: EvalOptions,
): Promise<{ generate: Generate; sampler: string }> {
  const { seed, steps, manifestPath } = options;
  // The same starting noise for a caption at every setting (common random numbers): differences
  // between rows are the setting's doing.
  const noise = (index: number, length: number) => createRng(deriveSeed(seed, index)).normalArray(length);
  if (model === 'shapes-unet') {
    checkSchedule(manifestPath, 'shapes-unet');
    const unet = await sessions.model('shapes-unet.onnx');
    return {
      sampler: 'ddim',
      generate: async (tokens, index, w, n) => {
        const sampler = createPocketSampler('ddim', steps, { clipSample: true });
        const epsilon = classifierFreeGuidance(unet, {
          itemShape: IMAGE,
          conditionInput: 'tokens',
          condition: tokens,
          nullCondition: nullCaptionTokens(),
          weight: w,
        });
        return asShown(await sampleAsync(sampler, epsilon, noise(index, n * IMAGE_SIZE)));
      },
    };
  }
  if (model === 'shapes-latent-unet') {
    checkSchedule(manifestPath, 'shapes-latent-unet');
    const unet = await sessions.model('shapes-latent-unet.onnx');
    const decoder = await sessions.model('shapes-ae-decoder.onnx');
    const scale = numberField(manifestEntry(manifestPath, 'shapes-latent-unet'), 'scalingFactor', model);
    return {
      sampler: 'ddim (latents, no x̂₀ clipping) → shapes-ae-decoder',
      generate: async (tokens, index, w, n) => {
        const latents = await sampleLatents(unet, {
          tokens,
          nullTokens: nullCaptionTokens(),
          weight: w,
          initialNoise: noise(index, n * LATENT_LENGTH),
          sampler: createLatentSampler('ddim', steps),
        });
        return asShown(await decodeLatents(decoder, latents, scale));
      },
    };
  }
  const entry = manifestEntry(manifestPath, 'shapes-dalle');
  const info: ImageTokenModelInfo = {
    imageTokenOffset: numberField(entry, 'imageTokenOffset', model),
    codebookSize: numberField(entry, 'codebookSize', model),
    textTokens: numberField(entry, 'textTokens', model),
    imageTokens: numberField(entry, 'imageTokens', model),
  };
  const full = await sessions.model('shapes-dalle.onnx');
  const step = await sessions.model('shapes-dalle-step.onnx');
  const decoder = await sessions.model('shapes-vq-decoder.onnx');
  const side = Math.round(Math.sqrt(info.imageTokens));
  return {
    sampler: 'image tokens in raster order, key/value cache, no top-k/top-p → shapes-vq-decoder',
    generate: async (tokens, index, temperature, n) => {
      const codes = await sampleImageTokens({ full, step, info }, tokens, n, deriveSeed(seed, index), { temperature });
      const out = await decoder({ codes: { dtype: 'int32', data: codes, dims: [n, side, side] } });
      return asShown(out.image!.data as Float32Array);
    },
  };
}

function mean(values: number[]): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

/** Samples and scores one model at the given settings. */
export async function evaluateModel(model: EvalModel, options: EvalOptions): Promise<EvalReport> {
  const started = performance.now();
  const { pocketDir, samplesPerCaption: n, settings, steps, seed } = options;
  const { setting: settingName, files } = EVAL_MODELS[model];
  const limit = options.captionLimit ?? Infinity;
  const captions = {
    one: vocabulary.evaluationCaptions.oneObject.slice(0, limit),
    two: vocabulary.evaluationCaptions.twoObjects.slice(0, limit),
  };
  const all = [
    ...captions.one.map((c) => ({ caption: c, kind: 'one' as const })),
    ...captions.two.map((c) => ({ caption: c, kind: 'two' as const })),
  ];
  const sessions = openPocketSessions(pocketDir);
  try {
    const { generate, sampler } = await sourceFor(model, sessions, options);
    const evaluator = await sessions.model('shapes-evaluator.onnx');
    const rows: EvalRow[] = [];
    const perCaption: CaptionResult[] = [];
    for (const setting of settings) {
      const matches: { kind: 'one' | 'two'; match: CaptionMatch }[] = [];
      const diversities: number[] = [];
      let generating = 0;
      for (const [index, { caption, kind }] of all.entries()) {
        const attributes = parsed(caption);
        const t0 = performance.now();
        const images = await generate(encodeCaption(caption), index, setting, n);
        generating += performance.now() - t0;
        const out = await evaluator({ x: { dtype: 'float32', data: images, dims: [n, ...IMAGE] } });
        const predicted = decodeEvaluator(out.logits!.data as Float32Array, n);
        const captionMatches = predicted.map((p) => matchCaption(p, attributes));
        const diversity = meanPairwiseDistance(out.features!.data as Float32Array, n, FEATURES);
        for (const match of captionMatches) matches.push({ kind, match });
        diversities.push(diversity);
        perCaption.push({ caption, kind, setting, allCorrect: accuracy(captionMatches.map((m) => m.all)), diversity });
        options.onProgress?.(`${model} ${settingName} = ${setting}: ${index + 1}/${all.length} "${caption}"`);
      }
      const of = (kind: 'one' | 'two', field: keyof CaptionMatch) =>
        accuracy(matches.filter((m) => m.kind === kind).map((m) => m.match[field]));
      rows.push({
        setting,
        [settingName]: setting,
        colour: of('one', 'colour'),
        shape: of('one', 'shape'),
        size: of('one', 'size'),
        position: of('one', 'position'),
        oneObjectAll: of('one', 'all'),
        bothObjects: of('two', 'bothObjects'),
        relation: of('two', 'relation'),
        twoObjectAll: of('two', 'all'),
        diversity: mean(diversities),
        msPerImage: generating / (all.length * n),
      });
    }
    const hashes = Object.fromEntries(files.map((f) => [f, sha256(join(pocketDir, f))]));
    return {
      model,
      settingName,
      modelSha256: hashes[files[0]]!,
      files: hashes,
      evaluatorSha256: sha256(join(pocketDir, 'shapes-evaluator.onnx')),
      sampler,
      ...(settingName === 'w' ? { eta: 0 as const } : {}),
      steps: settingName === 'w' ? steps : 64,
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

/** The pixel UNet's table (the guidance chapter's fidelity widget reads it): settings are weights w. */
export function evaluateUnet(options: Omit<EvalOptions, 'settings'> & { weights: number[] }): Promise<EvalReport> {
  const { weights, ...rest } = options;
  return evaluateModel('shapes-unet', { ...rest, settings: weights });
}

/** Reports of the same run split by setting (separate processes) → one report, rows in `settings` order. */
export function mergeReports(parts: EvalReport[], settings: number[], wallSeconds: number): EvalReport {
  const [first] = parts;
  if (first === undefined) throw new Error('mergeReports: no reports');
  const row = (setting: number) => {
    const found = parts.flatMap((p) => p.rows).find((r) => r.setting === setting);
    if (found === undefined) throw new Error(`mergeReports: no row for ${first.settingName} = ${setting}`);
    return found;
  };
  return {
    ...first,
    rows: settings.map(row),
    perCaption: settings.flatMap((s) => parts.flatMap((p) => p.perCaption).filter((c) => c.setting === s)),
    wallSeconds,
  };
}

const percent = (v: number) => (Number.isNaN(v) || v === null ? '—' : `${(100 * v).toFixed(1)} %`);

/** Reports of several models as one plain-text table, one row per (model, setting). */
export function formatReport(report: EvalReport | EvalReport[]): string {
  const reports = Array.isArray(report) ? report : [report];
  const header = [
    'model',
    'setting',
    'colour',
    'shape',
    'size',
    'position',
    '1-obj all',
    'both objects',
    'relation',
    '2-obj all',
    'diversity',
    'ms/image',
  ];
  const lines = reports.flatMap((rep) =>
    rep.rows.map((r) => [
      rep.model,
      `${rep.settingName} = ${r.setting}`,
      percent(r.colour),
      percent(r.shape),
      percent(r.size),
      percent(r.position),
      percent(r.oneObjectAll),
      percent(r.bothObjects),
      percent(r.relation),
      percent(r.twoObjectAll),
      r.diversity.toFixed(2),
      r.msPerImage === undefined ? '—' : r.msPerImage.toFixed(0),
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    ...reports.map(
      (r) =>
        `${r.model} ${r.modelSha256.slice(0, 12)} · ${r.sampler}${r.settingName === 'w' ? `, ${r.steps} steps, η = 0` : ''} · ` +
        `${r.samplesPerCaption} samples × ${r.captions.one.length} one-object + ${r.captions.two.length} two-object held-out captions · seed ${r.seed} (${r.wallSeconds.toFixed(0)} s)`,
    ),
    fmt(header),
    ...lines.map(fmt),
  ].join('\n');
}
