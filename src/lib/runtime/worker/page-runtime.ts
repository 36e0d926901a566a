/**
 * The page's single runtime: capabilities (detected once), the worker client, and the reader's
 * "force WASM" preference. Widgets call `pageRuntime()` and `chooseFor(needs)`.
 */
import { chooseBackend, wasmThreads, type BackendChoice, type ModelNeeds } from '../backend-choice';
import { capabilities, type Capabilities } from '../capabilities';
import { ORT_ASSET_BASE } from '../ort';
import { RuntimeClient } from './client';

const FORCE_WASM_KEY = 'dsbs.runtime.forceWasm.v1';

export interface PageRuntime {
  client: RuntimeClient;
  caps: Capabilities;
}

let instance: Promise<PageRuntime> | null = null;
const resetListeners = new Set<(message: string) => void>();

export function pageRuntime(): Promise<PageRuntime> {
  instance ??= capabilities().then((caps) => ({
    caps,
    client: new RuntimeClient({
      createWorker: () =>
        new Worker(new URL('./runtime.worker.ts', import.meta.url), { type: 'module', name: 'dsbs-runtime' }),
      numThreads: wasmThreads(caps).threads,
      wasmPaths: ORT_ASSET_BASE,
      onReset: (message) => resetListeners.forEach((l) => l(message)),
    }),
  }));
  return instance;
}

/** Called with the message whenever the runtime drops its worker (GPU device lost, crash). */
export function onRuntimeReset(listener: (message: string) => void): () => void {
  resetListeners.add(listener);
  return () => resetListeners.delete(listener);
}

export function forceWasm(): boolean {
  try {
    return localStorage.getItem(FORCE_WASM_KEY) === '1';
  } catch {
    return false;
  }
}

export function setForceWasm(value: boolean): void {
  try {
    if (value) localStorage.setItem(FORCE_WASM_KEY, '1');
    else localStorage.removeItem(FORCE_WASM_KEY);
  } catch {
    // Storage blocked: the choice lasts for this page only.
  }
  forceListeners.forEach((l) => l(value));
}

const forceListeners = new Set<(value: boolean) => void>();
export function onForceWasmChange(listener: (value: boolean) => void): () => void {
  forceListeners.add(listener);
  return () => forceListeners.delete(listener);
}

export async function chooseFor(needs: ModelNeeds): Promise<BackendChoice> {
  const { caps } = await pageRuntime();
  return chooseBackend(caps, needs, forceWasm());
}
