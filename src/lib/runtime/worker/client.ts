/**
 * The page's side of the runtime: one worker, shared by every widget on the page.
 *
 * - Sessions are reference counted by key: two widgets on the same model share one session; the
 *   last `release()` disposes it in the worker.
 * - A lost GPU device (or a crashed worker) rejects everything in flight at once with a clear
 *   message, terminates the worker (its ORT instance is bound to the dead device) and marks every
 *   lease stale; the next call on a lease (the reader's "retry") starts a fresh worker and recreates
 *   the session from its loader.
 */
import type { Backend, TensorData } from '../ort';
import type { ExpectedContract } from '../contract';
import type {
  CreateResult,
  LoopResult,
  LoopSpec,
  Request,
  RequestBody,
  RequestType,
  Response,
  ResultMap,
  RuntimeErrorData,
} from './protocol';

export interface WorkerLike {
  postMessage(message: Request, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<Response>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

export class RuntimeRequestError extends Error {
  constructor(
    readonly kind: RuntimeErrorData['kind'],
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeRequestError';
  }
}

export interface SessionOptions {
  backend: Backend;
  /** Shown in messages ("The mixture2d-mlp file does not match …"). */
  modelName: string;
  /** Checked right after the session is created. */
  contract?: ExpectedContract;
  /** Returns fresh bytes each call (their buffer is transferred to the worker). */
  load: () => Promise<Uint8Array>;
  /** Fixed sizes for the model's symbolic dimensions (ORT `freeDimensionOverrides`). */
  freeDimensionOverrides?: Record<string, number>;
}

export interface LoopHandle {
  promise: Promise<LoopResult>;
  cancel(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (event: Extract<Response, { type: 'progress' }>) => void;
}

interface SharedSession {
  key: string;
  sessionId: string;
  generation: number;
  refs: number;
  /** The last creation failed: the next use tries again (a reader's retry). */
  failed: boolean;
  options: SessionOptions;
  ready: Promise<CreateResult>;
}

export interface ClientOptions {
  createWorker: () => WorkerLike;
  numThreads: number;
  wasmPaths?: string;
  /** Told about every reset (device lost, worker crash), e.g. to show it on badges. */
  onReset?: (message: string) => void;
}

export class RuntimeClient {
  private worker: WorkerLike | null = null;
  private generation = 0;
  private nextId = 1;
  private nextSession = 1;
  private nextJob = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly shared = new Map<string, SharedSession>();
  /** Set when the last generation ended badly; cleared by the next successful start. */
  lastReset: string | null = null;

  constructor(private readonly options: ClientOptions) {}

  private ensureWorker(): WorkerLike {
    if (this.worker) return this.worker;
    const worker = this.options.createWorker();
    const generation = ++this.generation;
    worker.addEventListener('message', (event) => {
      if (generation === this.generation) this.receive(event.data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      if (generation === this.generation)
        this.reset('failed', `The model worker crashed: ${event.message || 'unknown error'}.`);
    });
    this.worker = worker;
    this.post({ type: 'init', numThreads: this.options.numThreads, wasmPaths: this.options.wasmPaths }).catch(
      () => undefined,
    );
    return worker;
  }

  private receive(message: Response): void {
    if (message.type === 'device-lost') {
      this.reset('device-lost', `${message.message} Its sessions were released; press Retry to start again.`);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message);
      return;
    }
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new RuntimeRequestError(message.error.kind, message.error.message));
  }

  /** End this worker generation: reject everything in flight, forget sessions, terminate. */
  private reset(kind: RuntimeErrorData['kind'], message: string): void {
    const worker = this.worker;
    this.worker = null;
    this.generation++;
    this.lastReset = message;
    worker?.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new RuntimeRequestError(kind, message));
    // Leases stay; their sessions are recreated on next use (generation mismatch).
    for (const s of this.shared.values()) s.generation = -1;
    this.options.onReset?.(message);
  }

  private post<T extends RequestType>(
    body: RequestBody<T> & { type: T },
    transfer: Transferable[] = [],
    onProgress?: Pending['onProgress'],
  ): Promise<ResultMap[T]> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<ResultMap[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      worker.postMessage({ ...body, id } as unknown as Request, transfer);
    });
  }

  private async create(shared: SharedSession, generation: number): Promise<CreateResult> {
    const model = await shared.options.load();
    if (generation !== this.generation)
      throw new RuntimeRequestError('device-lost', this.lastReset ?? 'The runtime restarted.');
    return this.post(
      {
        type: 'create',
        sessionId: shared.sessionId,
        model,
        backend: shared.options.backend,
        modelName: shared.options.modelName,
        contract: plainData(shared.options.contract),
        freeDimensionOverrides: plainData(shared.options.freeDimensionOverrides),
      },
      [model.buffer as ArrayBuffer],
    );
  }

  /** A live session for this key, created on first use and recreated after a reset. */
  private async live(shared: SharedSession): Promise<string> {
    if (shared.generation !== this.generation || !this.worker || shared.failed) {
      this.ensureWorker();
      shared.generation = this.generation;
      shared.failed = false;
      shared.sessionId = `${shared.key}#${this.nextSession++}`;
      shared.ready = this.create(shared, this.generation);
      shared.ready.catch(() => {
        shared.failed = true;
      });
    }
    await shared.ready;
    return shared.sessionId;
  }

  /** Take a reference to the session for `key` (created once, shared by every holder). */
  async acquire(key: string, options: SessionOptions): Promise<SessionLease> {
    const fullKey = `${key}@${options.backend}`;
    let shared = this.shared.get(fullKey);
    if (!shared) {
      shared = {
        key: fullKey,
        sessionId: '',
        generation: -1,
        refs: 0,
        failed: false,
        options,
        ready: Promise.resolve() as unknown as Promise<CreateResult>,
      };
      this.shared.set(fullKey, shared);
    }
    shared.refs++;
    try {
      await this.live(shared);
    } catch (error) {
      this.releaseShared(shared);
      throw error;
    }
    return new SessionLease(this, shared);
  }

  /** @internal */
  releaseShared(shared: SharedSession): void {
    shared.refs--;
    if (shared.refs > 0) return;
    this.shared.delete(shared.key);
    if (this.worker && shared.generation === this.generation) {
      const id = shared.sessionId;
      void shared.ready.then(
        () => this.post({ type: 'dispose', sessionId: id }).catch(() => undefined),
        () => undefined,
      );
    }
  }

  /** @internal */
  async runOn(shared: SharedSession, feeds: Record<string, TensorData>) {
    const sessionId = await this.live(shared);
    return this.post({ type: 'run', sessionId, feeds });
  }

  /** @internal */
  loopOn(
    shared: SharedSession,
    spec: LoopSpec,
    onProgress?: (step: number, steps: number, state?: Float32Array) => void,
  ): LoopHandle {
    const jobId = `job${this.nextJob++}`;
    let cancelled = false;
    const promise = (async () => {
      const sessionId = await this.live(shared);
      if (cancelled) throw new RuntimeRequestError('cancelled', 'Cancelled before the first step.');
      return this.post({ type: 'loop', sessionId, jobId, spec }, [], (p) => onProgress?.(p.step, p.steps, p.state));
    })();
    return {
      promise,
      cancel: () => {
        cancelled = true;
        if (this.worker) this.post({ type: 'cancel', jobId }).catch(() => undefined);
      },
    };
  }

  /** Sessions held (by key) and how many holders each has. */
  holders(): Record<string, number> {
    return Object.fromEntries([...this.shared.values()].map((s) => [s.key, s.refs]));
  }

  /** Stop the worker and forget everything (page teardown, tests). */
  terminate(): void {
    this.reset('disposed', 'The runtime was shut down.');
    this.shared.clear();
  }
}

/** One widget's hold on a shared session. */
export class SessionLease {
  private released = false;
  constructor(
    private readonly client: RuntimeClient,
    private readonly shared: SharedSession,
  ) {}

  get backend(): Backend {
    return this.shared.options.backend;
  }

  /** Resolves with the contract and timing of the live session (recreating it after a reset). */
  info(): Promise<CreateResult> {
    return this.shared.ready;
  }

  run(feeds: Record<string, TensorData>) {
    this.assertHeld();
    return this.client.runOn(this.shared, feeds);
  }

  loop(spec: LoopSpec, onProgress?: (step: number, steps: number, state?: Float32Array) => void): LoopHandle {
    this.assertHeld();
    return this.client.loopOn(this.shared, spec, onProgress);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.client.releaseShared(this.shared);
  }

  private assertHeld(): void {
    if (this.released) throw new RuntimeRequestError('disposed', 'This lease was released.');
  }
}

/**
 * A copy of JSON-like data that postMessage can clone: callers may hold contracts in a UI
 * framework's reactive state (a Svelte island's props are deep proxies), which structured clone rejects.
 */
function plainData<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
