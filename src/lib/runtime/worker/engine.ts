/**
 * The worker's side of the protocol, independent of the worker global so Node tests run it for
 * real against ORT's WASM engine. Runs on one session are serialised through a per-session queue;
 * WebGPU sessions all share one queue, because ORT's WebGPU engine runs one session at a time (two
 * overlapping runs on different sessions fail with "Session mismatch"). Loops check their cancel
 * flag between steps.
 */
import { checkContract } from '../contract';
import {
  configureOrt,
  createSession,
  dispose,
  run,
  sessionContract,
  webGpuDevice,
  type OrtSession,
  type TensorData,
} from '../ort';
import type { LoopResult, LoopSpec, Request, Response, RuntimeErrorData } from './protocol';

export class RuntimeError extends Error {
  constructor(
    readonly kind: RuntimeErrorData['kind'],
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

interface Queue {
  tail: Promise<unknown>;
}

interface Entry {
  session: OrtSession;
  queue: Queue;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Let queued messages (a cancel) run before the next step: a finished ORT run resolves through
 * microtasks only, so without this a loop would never see its cancel. A MessageChannel task
 * avoids setTimeout's nested-timer clamping (≥ 4 ms).
 */
const yieldToMessages = (() => {
  // Node (unit tests): setImmediate runs after pending I/O and port messages; Node drains a port's
  // queue in one batch, so a MessageChannel yield there would starve other ports.
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (immediate) return () => new Promise<void>((r) => void immediate(r));
  if (typeof MessageChannel === 'undefined') return () => new Promise<void>((r) => setTimeout(r, 0));
  const channel = new MessageChannel();
  const waiting: (() => void)[] = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  (channel.port1 as { unref?: () => void }).unref?.();
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      channel.port2.postMessage(null);
    });
})();

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function sliceStep(value: TensorData, step: number): TensorData {
  const size = product(value.dims);
  return {
    dtype: value.dtype,
    dims: value.dims,
    data: value.data.subarray(step * size, (step + 1) * size) as TensorData['data'],
  };
}

export function validateLoop(spec: LoopSpec): void {
  const size = product(spec.stateDims);
  const problems: string[] = [];
  if (!Number.isInteger(spec.steps) || spec.steps < 1)
    problems.push(`steps must be a positive integer (got ${spec.steps})`);
  if (spec.initialState.length !== size)
    problems.push(`initialState has ${spec.initialState.length} values, stateDims need ${size}`);
  if (spec.a.length < spec.steps || spec.b.length < spec.steps) problems.push('a and b need one coefficient per step');
  if ((spec.c === undefined) !== (spec.noise === undefined)) problems.push('c and noise come together');
  if (spec.c && spec.noise && (spec.c.length < spec.steps || spec.noise.length < spec.steps * size))
    problems.push('c needs one value per step and noise steps × state size values');
  for (const [name, value] of Object.entries(spec.stepFeeds ?? {})) {
    if (value.data.length < spec.steps * product(value.dims))
      problems.push(`stepFeeds "${name}" needs steps × ${product(value.dims)} values`);
  }
  if (problems.length) throw new RuntimeError('failed', `Invalid loop: ${problems.join('; ')}.`);
}

export class RuntimeEngine {
  private readonly sessions = new Map<string, Entry>();
  private readonly cancelled = new Set<string>();
  private watchedDevice: unknown = null;
  /** Resolves with a message once the watched GPUDevice is lost. */
  private deviceLost: Promise<string> | null = null;
  private readonly gpuSessions = new Set<string>();
  /**
   * Session creations run one at a time: ORT initialises its WASM engine during the first create of
   * each backend, and two overlapping first creates (say WASM and WebGPU for two widgets) fail with
   * "multiple calls to 'initWasm()' detected".
   */
  private creating: Promise<unknown> = Promise.resolve();
  private readonly gpuQueue: Queue = { tail: Promise.resolve() };

  constructor(private readonly post: (message: Response, transfer?: Transferable[]) => void) {}

  async handle(request: Request): Promise<void> {
    try {
      const [result, transfer] = await this.dispatch(request);
      this.post({ type: 'result', id: request.id, ok: true, result }, transfer);
    } catch (error) {
      const lost = await this.gpuLossBehind(request);
      if (lost !== null) {
        this.post({ type: 'result', id: request.id, ok: false, error: { kind: 'device-lost', message: lost } });
        return;
      }
      const data: RuntimeErrorData =
        error instanceof RuntimeError
          ? { kind: error.kind, message: error.message }
          : { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
      this.post({ type: 'result', id: request.id, ok: false, error: data });
    }
  }

  private async dispatch(request: Request): Promise<[Extract<Response, { ok: true }>['result'], Transferable[]]> {
    switch (request.type) {
      case 'init': {
        configureOrt({ numThreads: request.numThreads, wasmPaths: request.wasmPaths });
        return [{ threads: request.numThreads }, []];
      }
      case 'create': {
        if (this.sessions.has(request.sessionId))
          throw new RuntimeError('failed', `Session ${request.sessionId} already exists.`);
        const creation = this.creating.then(async () => {
          const start = now();
          const created = await createSession(request.model, {
            backend: request.backend,
            freeDimensionOverrides: request.freeDimensionOverrides,
          });
          return { session: created, createMs: now() - start };
        });
        this.creating = creation.catch(() => undefined);
        const { session, createMs } = await creation;
        const contract = sessionContract(session);
        if (request.contract) {
          const check = checkContract(contract, request.contract, request.modelName);
          if (!check.ok) {
            await dispose(session);
            throw new RuntimeError('contract', check.message);
          }
        }
        if (request.backend === 'webgpu') {
          await this.watchDevice();
          this.gpuSessions.add(request.sessionId);
        }
        const queue = request.backend === 'webgpu' ? this.gpuQueue : { tail: Promise.resolve() };
        this.sessions.set(request.sessionId, { session, queue });
        return [{ contract, backend: session.backend, wasmThreads: session.wasmThreads, createMs }, []];
      }
      case 'run': {
        const entry = this.entry(request.sessionId);
        const result = await this.serialise(entry, async () => {
          const start = now();
          const outputs = await run(entry.session, request.feeds);
          return { outputs, runMs: now() - start };
        });
        return [result, Object.values(result.outputs).map((t) => t.data.buffer as ArrayBuffer)];
      }
      case 'loop': {
        const entry = this.entry(request.sessionId);
        validateLoop(request.spec);
        try {
          const result = await this.serialise(entry, () => this.loop(entry, request.id, request.jobId, request.spec));
          return [result, [result.state.buffer as ArrayBuffer]];
        } finally {
          this.cancelled.delete(request.jobId);
        }
      }
      case 'dispose': {
        const entry = this.sessions.get(request.sessionId);
        if (!entry) return [{ disposed: false }, []];
        this.sessions.delete(request.sessionId);
        // Wait for queued work on this session before releasing it.
        await entry.queue.tail.catch(() => undefined);
        await dispose(entry.session);
        return [{ disposed: true }, []];
      }
      case 'cancel': {
        this.cancelled.add(request.jobId);
        return [{ cancelled: true }, []];
      }
    }
  }

  private entry(sessionId: string): Entry {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new RuntimeError('disposed', `Session ${sessionId} is not loaded (disposed, or never created).`);
    return entry;
  }

  private serialise<T>(entry: Entry, task: () => Promise<T>): Promise<T> {
    const next = entry.queue.tail.then(task, task);
    entry.queue.tail = next.catch(() => undefined);
    return next;
  }

  private async loop(entry: Entry, id: number, jobId: string, spec: LoopSpec): Promise<LoopResult> {
    const size = product(spec.stateDims);
    let x = Float32Array.from(spec.initialState);
    const start = now();
    for (let k = 0; k < spec.steps; k++) {
      if (k > 0) await yieldToMessages();
      if (this.cancelled.has(jobId))
        throw new RuntimeError('cancelled', `Cancelled after ${k} of ${spec.steps} steps.`);
      if (entry.session.disposed) throw new RuntimeError('disposed', 'The session was disposed during the loop.');
      const feeds: Record<string, TensorData> = {
        ...spec.fixedFeeds,
        [spec.stateInput]: { dtype: 'float32', data: x, dims: spec.stateDims },
      };
      for (const [name, value] of Object.entries(spec.stepFeeds ?? {})) feeds[name] = sliceStep(value, k);
      const outputs = await run(entry.session, feeds);
      const out = outputs[spec.output];
      if (!out || out.dtype !== 'float32' || out.data.length !== size) {
        throw new RuntimeError('failed', `Loop output "${spec.output}" must be float32 with ${size} values.`);
      }
      const o = out.data as Float32Array;
      const next = new Float32Array(size);
      const a = spec.a[k];
      const b = spec.b[k];
      const c = spec.c ? spec.c[k] : 0;
      const noiseOffset = k * size;
      for (let i = 0; i < size; i++) next[i] = a * x[i] + b * o[i] + (c !== 0 ? c * spec.noise![noiseOffset + i] : 0);
      x = next;
      const every = spec.emitStateEvery ?? 0;
      const withState = every > 0 && ((k + 1) % every === 0 || k + 1 === spec.steps);
      this.post({
        type: 'progress',
        id,
        jobId,
        step: k + 1,
        steps: spec.steps,
        ...(withState ? { state: Float32Array.from(x) } : {}),
      });
    }
    return { state: x, steps: spec.steps, msPerStep: (now() - start) / spec.steps };
  }

  /** Watch ORT's GPUDevice once: when it is lost, every session on it is dead. */
  private async watchDevice(): Promise<void> {
    const device = await webGpuDevice();
    if (!device || device === this.watchedDevice) return;
    this.watchedDevice = device;
    this.deviceLost = device.lost.then((info) => {
      this.sessions.clear();
      const detail = [info.reason, info.message].filter(Boolean).join(': ');
      const message = `The GPU device was lost${detail ? ` (${detail})` : ''}.`;
      this.post({ type: 'device-lost', message });
      return message;
    });
  }

  /**
   * A run that fails because its GPU device died usually fails with a vague error ("mapAsync
   * failed") just before `lost` resolves; report it as the device loss it is.
   */
  private async gpuLossBehind(request: Request): Promise<string | null> {
    if (!this.deviceLost || !('sessionId' in request) || !this.gpuSessions.has(request.sessionId)) return null;
    return Promise.race([this.deviceLost, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
  }

  /**
   * When a GPUDevice dies, ORT's own pending buffer reads reject with nobody awaiting them
   * ("mapAsync … Buffer was unmapped"). Those are the loss we already report, not new errors:
   * returns true (swallow) for a WebGPU failure while a device is watched, and re-raises it if
   * the device turns out not to be lost within 500 ms.
   */
  absorbGpuRejection(reason: unknown): boolean {
    if (!this.deviceLost) return false;
    const text = reason instanceof Error ? `${reason.name} ${reason.message}` : String(reason);
    if (!/GPUBuffer|mapAsync|GPUDevice|device (is |was )?lost|OperationError|AbortError/i.test(text)) return false;
    const lost = this.deviceLost;
    void Promise.race([lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]).then(
      (wasLost) => {
        if (!wasLost)
          setTimeout(() => {
            throw reason;
          });
      },
    );
    return true;
  }

  /** Sessions currently loaded (diagnostics and tests). */
  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }
}
