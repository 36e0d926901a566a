// npm run bench:full -- <model folder> [options]
// Runs a full-size Stable Diffusion pipeline (SD-Turbo or SD 1.5 fp16, plus TAESD previews when its
// file is there) in headless system Chromium on WebGPU (or WASM) and prints where the time goes:
// bytes and fetch time per file, session creation, first run (WebGPU compiles its shaders then)
// versus warm runs for the text encoder, each UNet step, the previews and the VAE decoder, and the
// peak memory the browser reports. The folder is a mirror made by `npm run models:pull` (it holds
// <id>/<path in the Hub repository> for each model, e.g. sd-turbo/unet/model.onnx) or one model's
// folder. Numbers are from this machine at the time of the run; nothing is asserted.
//
// Options: --model sd-turbo|sd15-webnn-fp16 (default: the first whose files are all present)
//          --backend webgpu|wasm (default webgpu)   --steps n (default 1 for SD-Turbo, 25 for SD 1.5)
//          --runs n (default 3: one cold, the rest warm)   --guidance w   --sampler euler|euler-ancestral|ddim
//          --no-previews   --no-taesd   --no-memory (skip the in-page memory figures, 3 s each with WASM threads)
//          --threads n (WASM, default 4)   --json (print the raw report)
//          --chromium-arg <flag> (repeatable, e.g. --chromium-arg=--use-angle=vulkan)   --headed
import { existsSync, readdirSync, readFileSync, statSync, createReadStream } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { basename, extname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { parseManifest, type ModelEntry } from '../src/lib/runtime/manifest';

const root = `${process.cwd()}/`;
const SD_IDS = ['sd-turbo', 'sd15-webnn-fp16'] as const;
type SdId = (typeof SD_IDS)[number];

interface Args {
  folder: string;
  model?: SdId;
  backend: 'webgpu' | 'wasm';
  steps?: number;
  runs: number;
  guidance?: number;
  sampler?: 'euler' | 'euler-ancestral' | 'ddim';
  previews: boolean;
  taesd: boolean;
  memory: boolean;
  threads: number;
  json: boolean;
  headed: boolean;
  chromiumArgs: string[];
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(
    'usage: npm run bench:full -- <model folder> [--model sd-turbo|sd15-webnn-fp16] [--backend webgpu|wasm] [--steps n] [--runs n] [--guidance w] [--sampler euler|euler-ancestral|ddim] [--no-previews] [--no-taesd] [--no-memory] [--threads n] [--json] [--headed] [--chromium-arg=<flag>]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const args: Partial<Args> & { chromiumArgs: string[] } = {
    backend: 'webgpu',
    runs: 3,
    previews: true,
    taesd: true,
    memory: true,
    threads: 4,
    json: false,
    headed: false,
    chromiumArgs: [],
  };
  const rest = [...argv];
  const value = (flag: string, inline?: string) => inline ?? rest.shift() ?? usage(`${flag} needs a value`);
  while (rest.length) {
    const raw = rest.shift()!;
    const [flag, inline] =
      raw.startsWith('--') && raw.includes('=')
        ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
        : [raw, undefined];
    const number = (v: string) => (Number.isFinite(Number(v)) ? Number(v) : usage(`${flag}: not a number: ${v}`));
    switch (flag) {
      case '--model': {
        const v = value(flag, inline);
        if (!(SD_IDS as readonly string[]).includes(v)) usage(`--model must be one of ${SD_IDS.join(', ')}`);
        args.model = v as SdId;
        break;
      }
      case '--backend': {
        const v = value(flag, inline);
        if (v !== 'webgpu' && v !== 'wasm') usage('--backend must be webgpu or wasm');
        args.backend = v;
        break;
      }
      case '--steps':
        args.steps = number(value(flag, inline));
        break;
      case '--runs':
        args.runs = number(value(flag, inline));
        break;
      case '--guidance':
        args.guidance = number(value(flag, inline));
        break;
      case '--threads':
        args.threads = number(value(flag, inline));
        break;
      case '--sampler': {
        const v = value(flag, inline);
        if (v !== 'euler' && v !== 'euler-ancestral' && v !== 'ddim')
          usage('--sampler must be euler, euler-ancestral or ddim');
        args.sampler = v;
        break;
      }
      case '--no-previews':
        args.previews = false;
        break;
      case '--no-taesd':
        args.taesd = false;
        break;
      case '--no-memory':
        args.memory = false;
        break;
      case '--json':
        args.json = true;
        break;
      case '--headed':
        args.headed = true;
        break;
      case '--chromium-arg':
        args.chromiumArgs.push(value(flag, inline));
        break;
      default:
        if (flag.startsWith('-')) usage(`unknown option ${flag}`);
        if (args.folder) usage(`one folder only (got ${args.folder} and ${flag})`);
        args.folder = flag;
    }
  }
  if (!args.folder) usage();
  if (!Number.isInteger(args.runs) || args.runs! < 1) usage('--runs must be a whole number ≥ 1');
  return args as Args;
}

const args = parseArgs(process.argv.slice(2));
const folder = resolve(args.folder);
if (!existsSync(folder) || !statSync(folder).isDirectory()) usage(`${folder} is not a folder`);
const manifestJson = JSON.parse(readFileSync(`${root}models/manifest.json`, 'utf8'));
const entries = parseManifest(manifestJson);

/** Where an entry's files are: <folder>/<id>/… (a models:pull mirror) or <folder>/… when the folder is that model's. */
function locate(entry: ModelEntry): string | null {
  for (const base of [join(folder, entry.id), basename(folder) === entry.id ? folder : null]) {
    if (base && entry.files.every((f) => existsSync(join(base, f.hub!.path)))) return base;
  }
  return null;
}

const modelId: SdId | undefined = args.model ?? SD_IDS.find((id) => locate(entries.get(id)!) !== null);
if (!modelId)
  usage(
    `no complete model in ${folder}: expected ${SD_IDS.map(
      (id) =>
        `${id}/{${entries
          .get(id)!
          .files.map((f) => f.hub!.path)
          .join(',')}}`,
    ).join(' or ')}`,
  );
const model = entries.get(modelId)!;
const modelDir =
  locate(model) ??
  usage(`${modelId}: files missing under ${folder} (need ${model.files.map((f) => f.hub!.path).join(', ')})`);
const taesdEntry = entries.get('taesd')!;
const taesdDir = args.taesd && args.previews ? locate(taesdEntry) : null;
const dirs = new Map<string, string>([[modelId, modelDir], ...(taesdDir ? ([['taesd', taesdDir]] as const) : [])]);
const pathOf = (role: string) => {
  const file = model.files.find((f) => f.role === role);
  return file ? join(modelDir, file.hub!.path) : undefined;
};
const tokenizerJson = pathOf('tokenizer');
const tokenizerConfig = pathOf('tokenizer_config');

// Browser bundles: the bench page and the project's runtime worker, exactly as the site runs it.
const out = `${root}.cache/bench-full/`;
await build({
  entryPoints: {
    page: `${root}scripts/bench-full/page.ts`,
    'runtime.worker': `${root}src/lib/runtime/worker/runtime.worker.ts`,
  },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  logLevel: 'warning',
});
const ortDist = `${root}node_modules/onnxruntime-web/dist/`;
const ortVersion = JSON.parse(readFileSync(`${root}node_modules/onnxruntime-web/package.json`, 'utf8'))
  .version as string;

const types: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.html': 'text/html',
};
function send(res: ServerResponse, path: string | null): void {
  if (!path || !existsSync(path) || !statSync(path).isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': types[extname(path)] ?? 'application/octet-stream',
    'Content-Length': statSync(path).size,
  });
  createReadStream(path).pipe(res);
}

const defaultSteps = modelId === 'sd-turbo' ? 1 : 25;
const pageConfig = {
  // Parsed (and validated) here; the page gets plain entries.
  entries: { model, ...(taesdDir ? { taesd: taesdEntry } : {}) },
  harness: {
    model: modelId,
    backend: args.backend,
    steps: args.steps ?? defaultSteps,
    runs: args.runs,
    seed: 0,
    prompt: 'a photograph of an astronaut riding a horse',
    previews: args.previews,
    measureMemory: args.memory,
    ...(args.guidance === undefined ? {} : { guidanceWeight: args.guidance }),
    ...(args.sampler ? { sampler: args.sampler } : {}),
  },
  threads: args.threads,
  wasmPaths: `/ort/${ortVersion}/`,
  tokenizer: tokenizerJson
    ? { json: '/tokenizer/tokenizer.json', ...(tokenizerConfig ? { config: '/tokenizer/config.json' } : {}) }
    : null,
  padToken: modelId === 'sd-turbo' ? '!' : '<|endoftext|>',
};

const server = createServer((req, res) => {
  // Cross-origin isolation, as the site's servers send it (threads, precise memory measurement).
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  // The site's script policy (src/integrations/site-headers.ts): what fails there fails here.
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; object-src 'none'",
  );
  const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (url === '/') {
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end(
        '<!doctype html><html lang="en"><title>bench:full</title><script type="module" src="/page.js"></script></html>',
      );
  } else if (url === '/favicon.ico') {
    res.writeHead(204).end();
  } else if (url === '/config.json') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(pageConfig));
  } else if (url === '/page.js' || url === '/runtime.worker.js') {
    send(res, join(out, url.slice(1)));
  } else if (url.startsWith(`/ort/${ortVersion}/`) && !url.includes('..')) {
    send(res, join(ortDist, url.slice(`/ort/${ortVersion}/`.length)));
  } else if (url === '/tokenizer/tokenizer.json') {
    send(res, tokenizerJson ?? null);
  } else if (url === '/tokenizer/config.json') {
    send(res, tokenizerConfig ?? null);
  } else if (url.startsWith('/files/') && !url.includes('..')) {
    const [, , id, ...path] = url.split('/');
    const dir = dirs.get(id ?? '');
    send(res, dir ? join(dir, ...path) : null);
  } else {
    res.writeHead(404).end();
  }
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Resident memory of every process below `rootPid` (Linux /proc): Playwright starts the browser as our child. */
function processTreeRss(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  const stack = [...(children.get(rootPid) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
    } catch {
      // Gone.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: !args.headed,
  args: [
    '--enable-unsafe-webgpu',
    '--disable-quic',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // measureUserAgentSpecificMemory otherwise waits for the next garbage collection (up to ~20 s).
    '--enable-blink-features=ForceEagerMeasureMemory',
    ...args.chromiumArgs,
  ],
});
let peakRss = 0;
const pid = existsSync('/proc/self/stat') ? process.pid : undefined;
const sampler = pid ? setInterval(() => (peakRss = Math.max(peakRss, processTreeRss(pid))), 250) : null;
type Report = Awaited<ReturnType<typeof import('./bench-full/page.ts').bench>>;
let report: Report;
try {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const tick = (what: string) =>
    process.env['DSBS_BENCH_DEBUG'] && console.error(`${(performance.now() / 1000).toFixed(1)} s: ${what}`);
  tick('page open');
  await page.goto(origin);
  tick('page loaded');
  await page.locator('html[data-bench-full="ready"]').waitFor({ state: 'attached', timeout: 60_000 });
  report = (await page.evaluate(() =>
    (globalThis as unknown as { benchFull: () => Promise<unknown> }).benchFull(),
  )) as Report;
  tick('bench done');
  if (problems.length) console.error(`page errors: ${problems.join('; ')}`);
} finally {
  if (sampler) {
    clearInterval(sampler);
    if (pid) peakRss = Math.max(peakRss, processTreeRss(pid));
  }
  await browser.close();
  server.close();
}

const ms = (v: number | undefined) =>
  v === undefined || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
const mb = (b: number) => (b / 1e6).toFixed(1);
const size = (b: number) => (b >= 1e6 ? `${mb(b)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (args.json) {
  const { latents: _l, image: _i, ...rest } = report;
  console.log(JSON.stringify({ ...rest, folder, peakBrowserRssBytes: peakRss || null }, null, 2));
} else {
  const [first, ...warm] = report.runs;
  const a = report.adapter;
  console.log(
    `\n## ${model.title} — ${report.backend}${report.backend === 'webgpu' ? ` on ${a ? `${a.vendor || '?'} ${a.architecture || ''}${a.isFallback ? ' (fallback adapter)' : ''}, shader-f16 ${a.shaderF16 ? 'yes' : 'no'}` : `no adapter (${report.webgpuProblem})`}` : ''}`,
  );
  console.log(
    `${folder}: ${report.runs.length} run(s) × ${report.stepTimesteps.length} step(s) (timesteps ${report.stepTimesteps.join(', ')}), previews: ${report.previewDecoder}, tokens from ${report.tokenizer}, cross-origin isolated: ${report.crossOriginIsolated}\n`,
  );
  console.log('| component | file size | fetch ms | session ms | first run ms | warm ms (median) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  const file = (role: string) => report.files.find((f) => f.role === role);
  const row = (label: string, role: string | null, firstMs: number | undefined, warmMs: number) => {
    const f = role ? file(role) : undefined;
    console.log(
      `| ${label} | ${f ? size(f.bytes) : ''} | ${f ? ms(f.loadMs) : ''} | ${f ? ms(f.createMs) : ''} | ${ms(firstMs)} | ${ms(warmMs)} |`,
    );
  };
  row('text encoder', 'text_encoder', first?.textEncoderMs, median(warm.map((r) => r.textEncoderMs)));
  row('UNet, first step / per step', 'unet', first?.unetMs[0], median(warm.flatMap((r) => r.unetMs)));
  if (report.previewDecoder !== 'none')
    row(
      `preview (${report.previewDecoder}), per step`,
      report.previewDecoder === 'taesd' ? 'taesd' : null,
      first?.previewMs[0],
      median(warm.flatMap((r) => r.previewMs)),
    );
  row('VAE decoder', 'vae_decoder', first?.vaeDecoderMs, median(warm.map((r) => r.vaeDecoderMs)));
  row('whole run', null, first?.totalMs, median(warm.map((r) => r.totalMs)));
  console.log('\nMemory:');
  console.log(
    `- peak resident memory of the browser and its processes (GPU process included): ${peakRss ? `${mb(peakRss)} MB` : 'not measured (no /proc)'}`,
  );
  for (const m of report.memory) {
    const parts = [
      m.userAgentBytes !== undefined && `measureUserAgentSpecificMemory ${mb(m.userAgentBytes)} MB`,
      m.jsHeapBytes !== undefined && `page JS heap ${mb(m.jsHeapBytes)} MB`,
      m.note,
    ].filter(Boolean);
    console.log(`- after ${m.after}: ${parts.length ? parts.join(', ') : 'not reported by this browser'}`);
  }
  console.log('- GPU memory is not exposed to pages; on WebGPU most weights live there.');
}
