/**
 * The typed messages between the page (client.ts) and the runtime worker (engine.ts).
 * Every request carries an id; exactly one response answers it. Progress and device-lost are
 * events without a reply.
 */
import type { Backend, SessionContract, TensorData } from '../ort';
import type { ExpectedContract } from '../contract';

/**
 * A sampling loop run inside the worker, so a multi-step job costs one round trip and can be
 * cancelled between steps. Each step runs the model, then updates the state affinely:
 *   x_{k+1} = a[k]·x_k + b[k]·out_k + c[k]·noise_k
 * which covers DDPM ancestral steps (Ho et al. 2020, Algorithm 2), DDIM (Song et al. 2021, eq. (12))
 * and Euler steps in σ (Karras et al. 2022, Algorithm 1) with coefficients computed by the caller.
 */
export interface LoopSpec {
  steps: number;
  /** Model input fed with the evolving state (float32). */
  stateInput: string;
  stateDims: number[];
  initialState: Float32Array;
  /** Model output used in the update. */
  output: string;
  a: Float32Array;
  b: Float32Array;
  /** Noise coefficients per step; with `noise` (steps × state size values). */
  c?: Float32Array;
  noise?: Float32Array;
  /** Inputs that stay the same on every step (e.g. a class label). */
  fixedFeeds?: Record<string, TensorData>;
  /** Inputs that change per step: `data` holds steps × product(dims) values, step k at offset k·product(dims). */
  stepFeeds?: Record<string, TensorData>;
  /** Send the state every n steps as progress (0: progress without state). */
  emitStateEvery?: number;
}

export type ErrorKind = 'contract' | 'cancelled' | 'device-lost' | 'disposed' | 'failed';

export interface RuntimeErrorData {
  kind: ErrorKind;
  message: string;
}

export type Request =
  | { id: number; type: 'init'; numThreads: number; wasmPaths?: string }
  | {
      id: number;
      type: 'create';
      sessionId: string;
      model: Uint8Array;
      backend: Backend;
      modelName: string;
      contract?: ExpectedContract;
      freeDimensionOverrides?: Record<string, number>;
    }
  | { id: number; type: 'run'; sessionId: string; feeds: Record<string, TensorData> }
  | { id: number; type: 'loop'; sessionId: string; jobId: string; spec: LoopSpec }
  | { id: number; type: 'dispose'; sessionId: string }
  | { id: number; type: 'cancel'; jobId: string };

export type RequestType = Request['type'];

export interface CreateResult {
  contract: SessionContract;
  backend: Backend;
  wasmThreads: number;
  createMs: number;
}
export interface RunResult {
  outputs: Record<string, TensorData>;
  runMs: number;
}
export interface LoopResult {
  state: Float32Array;
  steps: number;
  msPerStep: number;
}

export interface ResultMap {
  init: { threads: number };
  create: CreateResult;
  run: RunResult;
  loop: LoopResult;
  dispose: { disposed: boolean };
  cancel: { cancelled: boolean };
}

export type Response =
  | { type: 'result'; id: number; ok: true; result: ResultMap[RequestType] }
  | { type: 'result'; id: number; ok: false; error: RuntimeErrorData }
  | { type: 'progress'; id: number; jobId: string; step: number; steps: number; state?: Float32Array }
  | { type: 'device-lost'; message: string };

/** Distribute Omit over the request union so each variant keeps its own fields. */
export type RequestBody<T extends RequestType> = Omit<Extract<Request, { type: T }>, 'id'>;
