/**
 * `npm run models:data [-- options]`: writes shapes-world datasets for the training code into
 * .cache/shapes-world/<name>/ in the format of models/shapes-world/README.md.
 *
 *   (no options)                         every standard dataset (presets below, default sizes)
 *   --preset <name> [--count N]          one standard dataset
 *   --split train|heldout|all --start S --count N --name NAME   any seed range
 *   --scale 2                            render at 64×64 (same scenes, same captions; with --split)
 *   --out DIR                            parent folder (default .cache/shapes-world)
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  LABEL_FIELDS,
  captionOf,
  encodeCaption,
  isSplit,
  renderSceneBytes,
  sampleScene,
  sceneGeometry,
  sceneLabels,
  vocabulary,
  type Split,
} from '../../src/lib/shapes-world/index.ts';

const VOCABULARY_PATH = 'models/shapes-world/vocabulary.json';

interface DatasetSpec {
  name: string;
  split: Split;
  seedStart: number;
  count: number;
  /** 1: 32×32; 2: the same scenes at 64×64 (the cascade's upsampler). */
  scale?: number;
}

/** Standard datasets; their seed ranges never overlap (see the README). */
const PRESETS: Record<string, DatasetSpec> = {
  train: { name: 'train', split: 'train', seedStart: 0, count: 60_000 },
  'evaluator-train': { name: 'evaluator-train', split: 'all', seedStart: 1_000_000_000, count: 20_000 },
  'evaluator-test': { name: 'evaluator-test', split: 'all', seedStart: 2_000_000_000, count: 5_000 },
  heldout: { name: 'heldout', split: 'heldout', seedStart: 3_000_000_000, count: 2_000 },
  // The first 20 000 training scenes again at 64×64: with `train` they are (32×32, 64×64) pairs.
  'train-64': { name: 'train-64', split: 'train', seedStart: 0, count: 20_000, scale: 2 },
  'evaluator-test-64': { name: 'evaluator-test-64', split: 'all', seedStart: 2_000_000_000, count: 1_000, scale: 2 },
};

const CHUNK = 2048;

function parseArgs(argv: string[]): { specs: DatasetSpec[]; outDir: string } {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (!key.startsWith('--') || i + 1 >= argv.length)
      throw new Error(`Bad argument "${key}"; see the header of write-dataset.ts.`);
    options.set(key.slice(2), argv[++i]!);
  }
  const outDir = resolve(options.get('out') ?? '.cache/shapes-world');
  const count = options.has('count') ? Number(options.get('count')) : undefined;
  if (count !== undefined && (!Number.isInteger(count) || count <= 0))
    throw new Error('--count must be a positive integer');
  const preset = options.get('preset');
  if (preset !== undefined) {
    const spec = PRESETS[preset];
    if (!spec) throw new Error(`Unknown preset "${preset}"; known: ${Object.keys(PRESETS).join(', ')}`);
    return { specs: [{ ...spec, count: count ?? spec.count }], outDir };
  }
  if (options.has('split')) {
    const split = options.get('split')!;
    if (!isSplit(split)) throw new Error(`--split must be train, heldout or all, not "${split}"`);
    const seedStart = Number(options.get('start') ?? 0);
    if (!Number.isInteger(seedStart) || seedStart < 0 || seedStart + (count ?? 1) > 2 ** 32)
      throw new Error('--start must be an integer seed in [0, 2^32 − count]');
    if (count === undefined) throw new Error('--count is required with --split');
    const scale = Number(options.get('scale') ?? 1);
    if (scale !== 1 && scale !== 2) throw new Error('--scale must be 1 or 2');
    return { specs: [{ name: options.get('name') ?? split, split, seedStart, count, scale }], outDir };
  }
  if (options.size > (options.has('out') ? 1 : 0))
    throw new Error('Give --preset or --split (with --start and --count).');
  return { specs: Object.values(PRESETS), outDir };
}

function writeDataset(spec: DatasetSpec, outDir: string, vocabularySha256: string): void {
  const scale = spec.scale ?? 1;
  const width = vocabulary.canvas.width * scale;
  const height = vocabulary.canvas.height * scale;
  const { channels } = vocabulary.canvas;
  const tokenLength = vocabulary.tokens.maxLength;
  const imageSize = channels * width * height;
  const finalDir = join(outDir, spec.name);
  const workDir = `${finalDir}.partial`;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const files = {
    images: openSync(join(workDir, 'images.u8'), 'w'),
    tokens: openSync(join(workDir, 'tokens.i32'), 'w'),
    labels: openSync(join(workDir, 'labels.i32'), 'w'),
    geometry: openSync(join(workDir, 'geometry.f32'), 'w'),
    captions: openSync(join(workDir, 'captions.txt'), 'w'),
  };
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!littleEndian) throw new Error('This writer assumes a little-endian machine.');

  const started = performance.now();
  for (let chunkStart = 0; chunkStart < spec.count; chunkStart += CHUNK) {
    const n = Math.min(CHUNK, spec.count - chunkStart);
    const images = new Uint8Array(n * imageSize);
    const tokens = new Int32Array(n * tokenLength);
    const labels = new Int32Array(n * LABEL_FIELDS.length);
    const geometry = new Float32Array(n * 6);
    const captions: string[] = [];
    for (let i = 0; i < n; i++) {
      const scene = sampleScene(spec.seedStart + chunkStart + i, spec.split);
      const caption = captionOf(scene);
      images.set(renderSceneBytes(scene, vocabulary, scale), i * imageSize);
      tokens.set(encodeCaption(caption), i * tokenLength);
      labels.set(sceneLabels(scene), i * LABEL_FIELDS.length);
      geometry.set(sceneGeometry(scene), i * 6);
      captions.push(caption);
    }
    writeSync(files.images, images);
    writeSync(files.tokens, new Uint8Array(tokens.buffer));
    writeSync(files.labels, new Uint8Array(labels.buffer));
    writeSync(files.geometry, new Uint8Array(geometry.buffer));
    writeSync(files.captions, captions.join('\n') + '\n');
  }
  for (const fd of Object.values(files)) closeSync(fd);
  const seconds = (performance.now() - started) / 1000;

  const meta = {
    format: 'shapes-world-dataset',
    formatVersion: 1,
    name: spec.name,
    count: spec.count,
    split: spec.split,
    seedStart: spec.seedStart,
    scale,
    files: {
      'images.u8': { dtype: 'uint8', shape: [spec.count, channels, height, width] },
      'tokens.i32': { dtype: 'int32', shape: [spec.count, tokenLength] },
      'labels.i32': { dtype: 'int32', shape: [spec.count, LABEL_FIELDS.length] },
      'geometry.f32': { dtype: 'float32', shape: [spec.count, 2, 3] },
      'captions.txt': { dtype: 'utf-8 lines', shape: [spec.count] },
    },
    byteOrder: 'little',
    labelFields: LABEL_FIELDS,
    vocabularyVersion: vocabulary.version,
    vocabularySha256,
    generatedAt: new Date().toISOString(),
    seconds: Number(seconds.toFixed(3)),
    scenesPerSecond: Math.round(spec.count / seconds),
  };
  writeFileSync(join(workDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(workDir, finalDir);
  console.log(
    `${spec.name}: ${spec.count} ${spec.split} scenes from seed ${spec.seedStart} → ${finalDir} ` +
      `in ${seconds.toFixed(2)} s (${meta.scenesPerSecond} scenes/s)`,
  );
}

const { specs, outDir } = parseArgs(process.argv.slice(2));
const vocabularyBytes = readFileSync(VOCABULARY_PATH);
const onDisk = JSON.parse(vocabularyBytes.toString('utf8')) as { version: number };
if (onDisk.version !== vocabulary.version)
  throw new Error('vocabulary.json changed after the generator was bundled; run again.');
const vocabularySha256 = createHash('sha256').update(vocabularyBytes).digest('hex');
for (const spec of specs) writeDataset(spec, outDir, vocabularySha256);
