/**
 * Runs an SD pipeline in the page's runtime worker and reports where the time goes: bytes loaded,
 * session creation, then each run's text encoder, UNet steps, previews and VAE decoder. The first
 * run on WebGPU includes shader compilation ("first run"); later runs are warm. Shared by
 * `npm run bench:full` (real files from a mirror folder) and the e2e fixture page (stand-ins).
 */
import {
  generateSd15,
  generateSdTurbo,
  openSdComponents,
  type SdResult,
  type Tokenize,
} from '../../src/lib/pipelines/stable-diffusion/index.ts';
import {
  releaseAll,
  workerOpener,
  type WorkerComponent,
} from '../../src/lib/pipelines/stable-diffusion/worker-sessions.ts';
import type { ModelEntry, ModelFile } from '../../src/lib/runtime/model-entry.ts';
import type { Backend } from '../../src/lib/runtime/ort.ts';
import type { RuntimeClient } from '../../src/lib/runtime/worker/client.ts';

export type SdModelId = 'sd-turbo' | 'sd15-webnn-fp16';

export interface HarnessConfig {
  model: SdModelId;
  backend: Backend;
  steps: number;
  runs: number;
  seed: number;
  prompt: string;
  guidanceWeight?: number;
  sampler?: 'euler' | 'euler-ancestral' | 'ddim';
  previews: boolean;
  /** Ask the browser for memory figures after loading and after the runs (bench:full; costs up to 3 s each). */
  measureMemory?: boolean;
}

export interface RunTimings {
  textEncoderMs: number;
  unetMs: number[];
  previewMs: number[];
  vaeDecoderMs: number;
  totalMs: number;
}

export interface HarnessReport {
  model: SdModelId;
  backend: Backend;
  previewDecoder: string;
  /** Per file role (TAESD as "taesd"): bytes, load (fetch) ms, session creation ms. */
  files: { role: string; bytes: number; loadMs: number; createMs: number }[];
  runs: RunTimings[];
  /** The last run's final latents and image, for parity checks. */
  latents: number[];
  image: { width: number; height: number; base64: string };
  stepTimesteps: number[];
  memory: MemorySample[];
}

export interface MemorySample {
  after: string;
  /** performance.measureUserAgentSpecificMemory() (cross-origin-isolated pages; includes workers). */
  userAgentBytes?: number;
  /** performance.memory.usedJSHeapSize (Chromium; this page's JS heap only). */
  jsHeapBytes?: number;
  note?: string;
}

async function sampleMemory(after: string): Promise<MemorySample> {
  const sample: MemorySample = { after };
  const perf = performance as Performance & {
    measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
    memory?: { usedJSHeapSize: number };
  };
  if (perf.memory) sample.jsHeapBytes = perf.memory.usedJSHeapSize;
  if (perf.measureUserAgentSpecificMemory && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    // WASM worker threads parked in Atomics.wait never answer the measurement: give up after 3 s.
    const timeout = new Promise<undefined>((done) => setTimeout(() => done(undefined), 3000));
    try {
      const result = await Promise.race([perf.measureUserAgentSpecificMemory(), timeout]);
      if (result) sample.userAgentBytes = result.bytes;
      else
        sample.note =
          'measureUserAgentSpecificMemory gave no answer within 3 s (WASM threads parked in Atomics.wait do not reply)';
    } catch {
      // Not available in this context: leave it out.
    }
  }
  return sample;
}

function toBase64(bytes: Uint8ClampedArray): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export async function runSdHarness(
  client: RuntimeClient,
  entries: { model: ModelEntry; taesd?: ModelEntry },
  load: (entry: ModelEntry, file: ModelFile) => Promise<Uint8Array>,
  tokenize: Tokenize,
  config: HarnessConfig,
): Promise<HarnessReport> {
  const loads = new Map<string, { bytes: number; loadMs: number }>();
  const roleKey = (entry: ModelEntry, file: ModelFile) => (entry.id === 'taesd' ? 'taesd' : file.role);
  const timedLoad = async (entry: ModelEntry, file: ModelFile) => {
    const t0 = performance.now();
    const bytes = await load(entry, file);
    loads.set(roleKey(entry, file), { bytes: bytes.byteLength, loadMs: performance.now() - t0 });
    return bytes;
  };
  const opened: WorkerComponent[] = [];
  const memory: MemorySample[] = [];
  try {
    const components = await openSdComponents(
      entries.model,
      workerOpener(client, config.backend, timedLoad, opened),
      entries.taesd,
    );
    if (config.measureMemory) memory.push(await sampleMemory('sessions created'));
    // openSdComponents opens in this order.
    const roles = ['text_encoder', 'unet', 'vae_decoder', ...(entries.taesd ? ['taesd'] : [])];
    const files = roles.map((role, i) => ({
      role,
      bytes: loads.get(role)?.bytes ?? 0,
      loadMs: loads.get(role)?.loadMs ?? 0,
      createMs: opened[i]!.createMs,
    }));
    const runs: RunTimings[] = [];
    let last: SdResult | undefined;
    for (let r = 0; r < config.runs; r++) {
      const common = {
        prompt: config.prompt,
        seed: config.seed,
        steps: config.steps,
        previews: config.previews,
        ...(config.guidanceWeight === undefined ? {} : { guidanceWeight: config.guidanceWeight }),
      };
      last =
        config.model === 'sd-turbo'
          ? await generateSdTurbo(components, tokenize, common)
          : await generateSd15(components, tokenize, {
              ...common,
              ...(config.sampler ? { sampler: config.sampler } : {}),
            });
      runs.push(last.timings);
    }
    if (config.measureMemory) memory.push(await sampleMemory(`${config.runs} run(s)`));
    if (!last) throw new Error('runs must be ≥ 1');
    return {
      model: config.model,
      backend: config.backend,
      previewDecoder: last.previewDecoder,
      files,
      runs,
      latents: Array.from(last.latents),
      image: { width: last.image.width, height: last.image.height, base64: toBase64(last.image.data) },
      stepTimesteps: last.steps.map((s) => s.timestep),
      memory,
    };
  } finally {
    releaseAll(opened);
  }
}
