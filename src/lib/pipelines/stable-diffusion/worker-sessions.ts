/**
 * SD components as sessions in the page's runtime worker (src/lib/runtime/worker): shared by key,
 * checked against the manifest contract inside the worker, run with `lease.run`. Release the
 * leases when done; a lost GPU device makes the next run recreate them (see worker/client.ts).
 */
import type { ModelEntry, ModelFile } from '../../runtime/model-entry.ts';
import type { Backend } from '../../runtime/ort.ts';
import type { RuntimeClient, SessionLease } from '../../runtime/worker/client.ts';
import type { OpenComponent, SdComponent } from './components.ts';

export interface WorkerComponent extends SdComponent {
  readonly lease: SessionLease;
  /** Session creation in the worker (includes graph optimisation; WebGPU shaders compile on first run). */
  readonly createMs: number;
}

export function workerOpener(
  client: RuntimeClient,
  backend: Backend,
  load: (entry: ModelEntry, file: ModelFile) => Promise<Uint8Array>,
  opened: WorkerComponent[] = [],
): OpenComponent {
  return async (entry, file, freeDimensionOverrides) => {
    const lease = await client.acquire(`${entry.id}/${file.role}`, {
      backend,
      modelName: `${entry.id} ${file.role}`,
      contract: file.io,
      load: () => load(entry, file),
      ...(freeDimensionOverrides ? { freeDimensionOverrides } : {}),
    });
    const info = await lease.info();
    const component: WorkerComponent = {
      io: file.io,
      lease,
      createMs: info.createMs,
      run: async (feeds) => (await lease.run(feeds)).outputs,
    };
    opened.push(component);
    return component;
  };
}

export function releaseAll(components: readonly WorkerComponent[]): void {
  for (const c of components) c.lease.release();
}
