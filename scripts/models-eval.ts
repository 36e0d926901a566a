// npm run models:eval [-- --models a,b --samples N --steps S --weights 0,1,3,7 --temperatures 0.7,1
//                        --seed K --captions k --pocket DIR --manifest FILE --out-dir DIR --no-write --jobs J]
// Samples the held-out evaluation captions with every pocket text-to-image model (the pixel UNet,
// the latent UNet, the pocket DALL·E; by default every one whose files are in the pocket folder)
// and prints one table: the evaluator's accuracy, diversity and ms per image, per model and
// setting (guidance weight w, or temperature). Writes models/eval/<model>.json per model (the
// guidance chapter reads shapes-unet.json) and models/eval/text-to-image.json with every model's rows.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify, parseArgs } from 'node:util';
import {
  EVAL_MODELS,
  evaluateModel,
  formatReport,
  mergeReports,
  type EvalModel,
  type EvalReport,
} from '../models/train/evaluate';

const root = `${process.cwd()}/`;
const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    samples: { type: 'string', default: '8' },
    steps: { type: 'string', default: '50' },
    weights: { type: 'string', default: EVAL_MODELS['shapes-unet'].defaults.join(',') },
    temperatures: { type: 'string', default: EVAL_MODELS['shapes-dalle'].defaults.join(',') },
    seed: { type: 'string', default: '0' },
    captions: { type: 'string' },
    pocket: { type: 'string', default: `${root}models/pocket` },
    manifest: { type: 'string', default: `${root}models/manifest.json` },
    'out-dir': { type: 'string', default: `${root}models/eval` },
    'no-write': { type: 'boolean', default: false },
    // ONNX Runtime runs one thread in Node: --jobs K splits the (model, setting) pairs over K processes.
    jobs: { type: 'string', default: '2' },
    // internal: one child process's share, printed as JSON
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got "${text}".`);
  return n;
}

function numbers(name: string, text: string): number[] {
  const list = text.split(',').map((w) => Number(w));
  if (list.length === 0 || list.some((w) => !Number.isFinite(w) || w < 0))
    fail(`--${name} must be non-negative numbers separated by commas, got "${text}".`);
  return list;
}

const known = Object.keys(EVAL_MODELS) as EvalModel[];
const available = known.filter((m) => EVAL_MODELS[m].files.every((f) => existsSync(join(values.pocket, f))));
const models = values.models === undefined ? available : (values.models.split(',') as EvalModel[]);
for (const m of models) {
  if (!known.includes(m)) fail(`--models: unknown model "${m}"; known: ${known.join(', ')}.`);
  if (!available.includes(m)) fail(`--models: ${m} needs ${EVAL_MODELS[m].files.join(', ')} in ${values.pocket}.`);
}
const settingsOf = (m: EvalModel) =>
  EVAL_MODELS[m].setting === 'w' ? numbers('weights', values.weights) : numbers('temperatures', values.temperatures);

interface Job {
  model: EvalModel;
  setting: number;
}
const allJobs: Job[] = models.flatMap((model) => settingsOf(model).map((setting) => ({ model, setting })));

async function runHere(model: EvalModel, settings: number[]): Promise<EvalReport> {
  return evaluateModel(model, {
    pocketDir: values.pocket,
    manifestPath: values.manifest,
    samplesPerCaption: positiveInteger('samples', values.samples),
    steps: positiveInteger('steps', values.steps),
    seed: Number(values.seed),
    settings,
    captionLimit: values.captions === undefined ? undefined : positiveInteger('captions', values.captions),
    onProgress: values.json ? undefined : (message) => process.stderr.write(`\r${message.slice(0, 100).padEnd(100)}`),
  });
}

if (values.only !== undefined) {
  // A child process: its jobs ("model:setting;…"), one report per model, as JSON on stdout.
  const mine = values.only.split(';').map((j) => {
    const [model, setting] = j.split(':');
    return { model: model as EvalModel, setting: Number(setting) };
  });
  const reports: EvalReport[] = [];
  for (const model of [...new Set(mine.map((j) => j.model))])
    reports.push(
      await runHere(
        model,
        mine.filter((j) => j.model === model).map((j) => j.setting),
      ),
    );
  process.stdout.write(JSON.stringify(reports));
  process.exit(0);
}

async function runChild(jobs: Job[]): Promise<EvalReport[]> {
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => !['--jobs', '--only'].some((k) => a === k || all[i - 1] === k));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      'scripts/run-ts.mjs',
      'scripts/models-eval.ts',
      ...args,
      '--only',
      jobs.map((j) => `${j.model}:${j.setting}`).join(';'),
    ],
    { maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout) as EvalReport[];
}

const started = performance.now();
const jobs = Math.min(positiveInteger('jobs', values.jobs), allJobs.length);
// Round-robin over the (model, setting) pairs: each process gets a mix of cheap and costly models.
const shares = Array.from({ length: jobs }, (_, k) => allJobs.filter((_, i) => i % jobs === k));
process.stderr.write(`evaluating ${allJobs.length} (model, setting) pairs in ${jobs} process(es)…\n`);
const parts = (await Promise.all(shares.map(runChild))).flat();
const wall = (performance.now() - started) / 1000;
const reports = models.map((m) =>
  mergeReports(
    parts.filter((p) => p.model === m),
    settingsOf(m),
    wall,
  ),
);
process.stderr.write('\n');
console.log(formatReport(reports));
if (!values['no-write']) {
  const dir = values['out-dir'];
  mkdirSync(dir, { recursive: true });
  for (const r of reports) writeFileSync(join(dir, `${r.model}.json`), `${JSON.stringify(r, null, 1)}\n`);
  // The combined table: every model's latest report in the folder (a run of one model keeps the others).
  const combined = known
    .filter((m) => existsSync(join(dir, `${m}.json`)))
    .map((m) => JSON.parse(readFileSync(join(dir, `${m}.json`), 'utf8')) as EvalReport)
    .map(({ perCaption: _, ...summary }) => summary);
  writeFileSync(join(dir, 'text-to-image.json'), `${JSON.stringify({ models: combined }, null, 1)}\n`);
  console.log(`wrote ${reports.map((r) => `${r.model}.json`).join(', ')} and text-to-image.json in ${dir}`);
}
