/**
 * The page `npm run bench:full` opens: reads /config.json from the bench server, starts the
 * project's runtime worker (bundled next to this file) and exposes `benchFull()`, which runs the
 * pipeline through ./harness.ts on the files the server serves from the mirror folder.
 */
import { clipStandinTokenizer } from '../../models/standins/tokenizers.ts';
import { ClipTokenizer } from '../../src/lib/pipelines/tokenizers/clip.ts';
import { capabilities } from '../../src/lib/runtime/capabilities.ts';
import type { ModelEntry } from '../../src/lib/runtime/model-entry.ts';
import { RuntimeClient } from '../../src/lib/runtime/worker/client.ts';
import { runSdHarness, type HarnessConfig } from './harness.ts';

export interface BenchPageConfig {
  /** Parsed from models/manifest.json by the bench script (no schema library in the page). */
  entries: { model: ModelEntry; taesd?: ModelEntry };
  harness: HarnessConfig;
  threads: number;
  wasmPaths: string;
  /** Served tokenizer files, when the folder has them; else the stand-in tokenizer (ids do not change timings). */
  tokenizer: { json: string; config?: string } | null;
  padToken: string;
}

export async function bench() {
  const config = (await (await fetch('/config.json')).json()) as BenchPageConfig;
  let tokenizer: ClipTokenizer;
  if (config.tokenizer) {
    const json = await (await fetch(config.tokenizer.json)).arrayBuffer();
    const cfg = config.tokenizer.config ? await (await fetch(config.tokenizer.config)).arrayBuffer() : undefined;
    tokenizer = ClipTokenizer.from(new Uint8Array(json), cfg ? { config: new Uint8Array(cfg) } : {});
  } else {
    const files = clipStandinTokenizer();
    tokenizer = ClipTokenizer.from(files.tokenizer, { config: { ...files.config, pad_token: config.padToken } });
  }
  const client = new RuntimeClient({
    createWorker: () => new Worker('/runtime.worker.js', { type: 'module', name: 'dsbs-runtime' }),
    numThreads: config.threads,
    wasmPaths: config.wasmPaths,
  });
  const caps = await capabilities();
  try {
    const report = await runSdHarness(
      client,
      config.entries,
      async (entry, file) => {
        const response = await fetch(`/files/${entry.id}/${file.hub!.path}`);
        if (!response.ok) throw new Error(`${entry.id}/${file.hub!.path}: HTTP ${response.status}`);
        return new Uint8Array(await response.arrayBuffer());
      },
      (text) => tokenizer.encode(text).ids,
      config.harness,
    );
    return {
      ...report,
      adapter: caps.adapter,
      webgpuProblem: caps.webgpuProblem,
      crossOriginIsolated: caps.crossOriginIsolated,
      tokenizer: config.tokenizer ? "the folder's tokenizer.json" : 'the stand-in CLIP tokenizer',
    };
  } finally {
    client.terminate();
  }
}

(globalThis as unknown as { benchFull: typeof bench }).benchFull = bench;
document.documentElement.dataset.benchFull = 'ready';
