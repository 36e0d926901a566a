// npm run models:eval [-- --samples N --steps S --weights 0,1,3,7 --seed K --captions k --out FILE --no-write]
// Samples the held-out evaluation captions with the pocket UNet (ONNX in Node) at each guidance weight
// and prints the evaluator's accuracy and diversity per w; writes models/eval/shapes-unet.json, which
// the guidance chapter shows.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { evaluateUnet, formatReport, mergeReports, type EvalReport } from '../models/train/evaluate';

const root = `${process.cwd()}/`;
const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '8' },
    steps: { type: 'string', default: '50' },
    weights: { type: 'string', default: '0,1,3,7' },
    seed: { type: 'string', default: '0' },
    captions: { type: 'string' },
    pocket: { type: 'string', default: `${root}models/pocket` },
    out: { type: 'string', default: `${root}models/eval/shapes-unet.json` },
    'no-write': { type: 'boolean', default: false },
    // ONNX Runtime runs one thread in Node: --jobs K splits the weights over K processes.
    jobs: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer, got "${text}".`);
    process.exit(2);
  }
  return n;
}

const weights = values.weights.split(',').map((w) => Number(w));
if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
  console.error(`--weights must be non-negative numbers separated by commas, got "${values.weights}".`);
  process.exit(2);
}

const jobs = Math.min(positiveInteger('jobs', values.jobs), weights.length);

async function evaluateHere(subset: number[]): Promise<EvalReport> {
  return evaluateUnet({
    pocketDir: values.pocket,
    manifestPath: `${root}models/manifest.json`,
    samplesPerCaption: positiveInteger('samples', values.samples),
    steps: positiveInteger('steps', values.steps),
    seed: Number(values.seed),
    weights: subset,
    captionLimit: values.captions === undefined ? undefined : positiveInteger('captions', values.captions),
    onProgress: values.json ? undefined : (message) => process.stderr.write(`\r${message.padEnd(80)}`),
  });
}

/** The same command for a subset of the weights in a child process, its report read from stdout as JSON. */
async function evaluateInChild(subset: number[]): Promise<EvalReport> {
  const args = process.argv
    .slice(2)
    .filter((a, i, all) => !['--weights', '--jobs'].includes(a) && !['--weights', '--jobs'].includes(all[i - 1]!));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      'scripts/run-ts.mjs',
      'scripts/models-eval.ts',
      ...args,
      '--weights',
      subset.join(','),
      '--jobs',
      '1',
      '--json',
      '--no-write',
    ],
    { maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout) as EvalReport;
}

const started = performance.now();
let report: EvalReport;
if (jobs <= 1) {
  report = await evaluateHere(weights);
} else {
  const subsets = Array.from({ length: jobs }, (_, j) => weights.filter((_, i) => i % jobs === j));
  process.stderr.write(`evaluating w = ${subsets.map((s) => `{${s.join(', ')}}`).join(' | ')} in ${jobs} processes…\n`);
  report = mergeReports(await Promise.all(subsets.map(evaluateInChild)), weights, (performance.now() - started) / 1000);
}
if (values.json) {
  process.stdout.write(JSON.stringify(report));
  process.exit(0);
}
process.stderr.write('\n');
console.log(formatReport(report));
if (!values['no-write']) {
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(report, null, 1)}\n`);
  console.log(`wrote ${values.out}`);
}
