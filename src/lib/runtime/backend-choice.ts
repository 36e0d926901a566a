/**
 * Which backend runs a model, and why, in words a reader can act on. Pure: capabilities and the
 * model's needs in, a decision out.
 */
import type { Backend } from './ort';
import type { Capabilities } from './capabilities';

export type ModelFeature = 'webgpu' | 'shader-f16';

export interface ModelNeeds {
  /** From the manifest: features without which the model cannot run at all. */
  requiredFeatures: readonly ModelFeature[];
  /** Tiny models can be faster on WASM than through GPU dispatch; default 'webgpu'. */
  prefers?: Backend;
}

export type BackendChoice =
  { runnable: true; backend: Backend; threads: number; reason: string } | { runnable: false; reason: string };

/** Threads the WASM engine may use: all cores when the page is cross-origin isolated, else one. */
export function wasmThreads(caps: Pick<Capabilities, 'crossOriginIsolated' | 'logicalCores'>): {
  threads: number;
  note: string;
} {
  if (!caps.crossOriginIsolated) return { threads: 1, note: '1 thread (page not cross-origin isolated)' };
  const threads = Math.max(1, caps.logicalCores);
  return { threads, note: threads === 1 ? '1 thread' : `${threads} threads` };
}

function adapterName(caps: Capabilities): string {
  const a = caps.adapter;
  if (!a) return '';
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || a.description || 'unnamed adapter';
  return a.isFallback ? `${name}, software fallback` : name;
}

export function chooseBackend(caps: Capabilities, needs: ModelNeeds, forceWasm = false): BackendChoice {
  const { threads, note } = wasmThreads(caps);
  const needsGpu = needs.requiredFeatures.includes('webgpu') || needs.requiredFeatures.includes('shader-f16');
  const gpuProblem = caps.adapter ? null : (caps.webgpuProblem ?? 'no adapter');

  if (needsGpu) {
    if (forceWasm)
      return {
        runnable: false,
        reason: 'This model needs WebGPU, and WASM is forced — turn off “force WASM” to run it.',
      };
    if (gpuProblem)
      return { runnable: false, reason: `This model needs WebGPU, which is unavailable here: ${gpuProblem}.` };
    if (needs.requiredFeatures.includes('shader-f16') && !caps.adapter?.shaderF16) {
      return {
        runnable: false,
        reason: `This model needs 16-bit float shaders (WebGPU “shader-f16”), which this GPU adapter (${adapterName(caps)}) does not offer.`,
      };
    }
  }
  if (forceWasm)
    return { runnable: true, backend: 'wasm', threads, reason: `WASM forced by you — running on WASM, ${note}` };
  if (gpuProblem)
    return {
      runnable: true,
      backend: 'wasm',
      threads,
      reason: `WebGPU unavailable: ${gpuProblem} — running on WASM, ${note}`,
    };
  if (!needsGpu && needs.prefers === 'wasm') {
    return {
      runnable: true,
      backend: 'wasm',
      threads,
      reason: `Small model: WASM beats GPU dispatch overhead — running on WASM, ${note}`,
    };
  }
  return { runnable: true, backend: 'webgpu', threads, reason: `Running on WebGPU (${adapterName(caps)})` };
}
