/**
 * Pocket models for widgets, through the page's runtime worker.
 *
 * API:
 *   const models = await openPocketModels([{ id: 'shapes-unet', url: unetUrl, contract }], { prefers: 'wasm' });
 *   models.choice                 → the BackendChoice for <BackendBadge choice={…}>
 *   models.runner('shapes-unet')  → a ModelRunner (src/lib/pocket/guided-sampling.ts) that also
 *                                   times each call (models.lastRunMs)
 *   models.release()              → drop this widget's holds (sessions are shared by id)
 *   $effect(() => holdPocketModels(specs, { opened, failed }))
 *                                 → the same inside a widget's effect: the returned cleanup releases
 *                                   the models, or drops a result that arrives after a rerun (Retry)
 * Throws a PocketModelError with a sentence for the reader when the backend cannot run the model
 * or the file cannot be loaded; the widget shows it with a Retry button that calls open again.
 *
 * Session creation, and model calls on WebGPU, are queued page-wide (for every widget using this
 * module): ORT's WebGPU backend runs one session at a time ("Session mismatch" when two widgets'
 * sessions run at once), and two sessions starting together on different backends break ORT's
 * start-up ("multiple calls to initWasm()"). Queuing costs nothing on one GPU queue anyway.
 */
import type { BackendChoice } from '../../lib/runtime/backend-choice';
import type { ExpectedContract } from '../../lib/runtime/contract';
import type { ModelRunner } from '../../lib/pocket/guided-sampling';
import type { Backend } from '../../lib/runtime/ort';
import type { SessionLease } from '../../lib/runtime/worker/client';
import { chooseFor, pageRuntime } from '../../lib/runtime/worker/page-runtime';

export interface PocketModelSpec {
  /** Manifest id, also the session key shared with other widgets on the page. */
  id: string;
  /** The file's URL (import … from '…/models/pocket/<id>.onnx?url'). */
  url: string;
  contract?: ExpectedContract;
}

/** Runs tasks one after another; a failed task does not block the next. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
}
const createQueue = serialQueue();
const gpuQueue = serialQueue();

export class PocketModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PocketModelError';
  }
}

export interface PocketModels {
  choice: Extract<BackendChoice, { runnable: true }>;
  backend: Backend;
  runner(id: string): ModelRunner;
  /** Wall time of the last call through any runner (page → worker → page), ms. */
  readonly lastRunMs: number;
  release(): void;
}

async function fetchBytes(url: string, id: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw new PocketModelError(`Could not download the ${id} model: the network request failed.`);
  }
  if (!response.ok) throw new PocketModelError(`Could not download the ${id} model (HTTP ${response.status}).`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Backend choice plus one lease per model; on any failure, the leases taken so far are released. */
export async function openPocketModels(
  specs: readonly PocketModelSpec[],
  needs: { prefers?: Backend } = {},
): Promise<PocketModels> {
  const choice = await chooseFor({ requiredFeatures: [], prefers: needs.prefers });
  if (!choice.runnable) throw new PocketModelError(choice.reason);
  const { client } = await pageRuntime();
  const leases = new Map<string, SessionLease>();
  try {
    for (const spec of specs) {
      const options = {
        backend: choice.backend,
        modelName: spec.id,
        contract: spec.contract,
        load: () => fetchBytes(spec.url, spec.id),
      };
      leases.set(spec.id, await createQueue(() => client.acquire(spec.id, options)));
    }
  } catch (error) {
    leases.forEach((lease) => lease.release());
    throw error instanceof PocketModelError
      ? error
      : new PocketModelError(error instanceof Error ? error.message : String(error));
  }
  let lastRunMs = 0;
  return {
    choice,
    backend: choice.backend,
    get lastRunMs() {
      return lastRunMs;
    },
    runner(id) {
      const lease = leases.get(id);
      if (!lease) throw new Error(`Model ${id} was not opened.`);
      const call = (feeds: Parameters<ModelRunner>[0]) => async () => {
        const start = performance.now();
        const { outputs } = await lease.run(feeds);
        lastRunMs = performance.now() - start;
        return outputs;
      };
      return (feeds) => (choice.backend === 'webgpu' ? gpuQueue(call(feeds)) : call(feeds)());
    },
    release() {
      leases.forEach((lease) => lease.release());
      leases.clear();
    },
  };
}

/** The error text a widget shows (runtime errors already carry a reader-facing sentence). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * For a widget's `$effect`: opens the models and reports through `on`; the returned cleanup (the
 * effect's return value) releases them, or drops a result that arrives after the effect reran or the
 * widget went away. On failure `on.failed` gets the reader-facing message, then the backend choice
 * for the badge (null if even that cannot be made).
 */
export function holdPocketModels(
  specs: readonly PocketModelSpec[],
  on: {
    opened: (models: PocketModels) => void;
    failed: (message: string) => void;
    choiceAfterFailure: (choice: BackendChoice | null) => void;
  },
  needs: { prefers?: Backend } = {},
): () => void {
  let cancelled = false;
  let opened: PocketModels | null = null;
  openPocketModels(specs, needs).then(
    (models) => {
      if (cancelled) return models.release();
      opened = models;
      on.opened(models);
    },
    async (error) => {
      if (cancelled) return;
      on.failed(errorMessage(error));
      const choice = await chooseFor({ requiredFeatures: [] }).catch(() => null);
      if (!cancelled) on.choiceAfterFailure(choice);
    },
  );
  return () => {
    cancelled = true;
    opened?.release();
  };
}
