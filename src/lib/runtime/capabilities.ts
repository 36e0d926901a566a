/**
 * What this browser can do for model inference, measured once per page and frozen.
 * Detection runs on the page (not in the worker) so that what the reader's browser exposes is what
 * decides; the worker is told the decision.
 */

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** A software or otherwise fallback adapter (e.g. SwiftShader). */
  isFallback: boolean;
  shaderF16: boolean;
  maxBufferSize: number;
}

export interface Capabilities {
  /** `navigator.gpu` exists. */
  webgpuPresent: boolean;
  /** null when WebGPU is absent or `requestAdapter()` gave nothing. */
  adapter: AdapterInfo | null;
  /** Why there is no adapter, in words; null when there is one. */
  webgpuProblem: string | null;
  crossOriginIsolated: boolean;
  logicalCores: number;
}

/** The globals detection reads, so tests can hand in a browser-shaped object. */
export interface CapabilityEnvironment {
  navigator?: {
    gpu?: {
      requestAdapter(options?: { powerPreference?: string }): Promise<unknown>;
    };
    hardwareConcurrency?: number;
  };
  crossOriginIsolated?: boolean;
}

interface AdapterLike {
  features?: { has(name: string): boolean };
  limits?: { maxBufferSize?: number };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

export async function detectCapabilities(
  env: CapabilityEnvironment = globalThis as CapabilityEnvironment,
): Promise<Capabilities> {
  const nav = env.navigator;
  const logicalCores = Math.max(1, Math.floor(nav?.hardwareConcurrency ?? 1));
  const crossOriginIsolated = env.crossOriginIsolated === true;
  const gpu = nav?.gpu;
  let adapter: AdapterInfo | null = null;
  let webgpuProblem: string | null = null;
  if (!gpu || typeof gpu.requestAdapter !== 'function') {
    webgpuProblem = 'this browser has no navigator.gpu';
  } else {
    try {
      const raw = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as AdapterLike | null;
      if (!raw) {
        webgpuProblem = 'no adapter';
      } else {
        adapter = {
          vendor: raw.info?.vendor ?? '',
          architecture: raw.info?.architecture ?? '',
          description: raw.info?.description ?? '',
          isFallback: raw.info?.isFallbackAdapter ?? raw.isFallbackAdapter ?? false,
          shaderF16: raw.features?.has('shader-f16') ?? false,
          maxBufferSize: raw.limits?.maxBufferSize ?? 0,
        };
      }
    } catch (error) {
      webgpuProblem = `requestAdapter() failed (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  return deepFreeze({ webgpuPresent: Boolean(gpu), adapter, webgpuProblem, crossOriginIsolated, logicalCores });
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const v of Object.values(value)) if (v && typeof v === 'object') Object.freeze(v);
  return Object.freeze(value);
}

let once: Promise<Capabilities> | null = null;

/** The page's capabilities, detected on first call and shared afterwards. */
export function capabilities(): Promise<Capabilities> {
  once ??= detectCapabilities();
  return once;
}
