/**
 * One loaded model as the full-size pipelines see it: a runner plus the model's own input and
 * output names (read when the session was created, since some exports differ, e.g. GPT-2's
 * optional position_ids). Two ways to get one, both checked against the manifest's IO contract:
 * - `openDirectSession`: ort.ts in this realm (Node tests, benchmarks, a worker of one's own);
 * - `leaseSession`: a runtime-worker lease from pageRuntime() (the browser; the worker checks the
 *   contract when it creates the session).
 */
import { checkContract, type ExpectedContract } from '../runtime/contract';
import {
  createSession,
  dispose,
  run,
  sessionContract,
  type Backend,
  type SessionContract,
  type TensorData,
} from '../runtime/ort';
import type { RuntimeClient, SessionLease } from '../runtime/worker/client';

export type Feeds = Record<string, TensorData>;

export interface ModelSession {
  readonly backend: Backend;
  readonly contract: SessionContract;
  run(feeds: Feeds): Promise<Feeds>;
  /** Drops this holder's session (disposes it, or releases the lease). */
  close(): Promise<void>;
}

export class ContractMismatchError extends Error {
  override name = 'ContractMismatchError';
  constructor(
    message: string,
    readonly differences: string[],
  ) {
    super(message);
  }
}

export interface OpenOptions {
  backend: Backend;
  /** The manifest file's IO contract (ModelFile.io). */
  expected: ExpectedContract;
  /** Shown in messages: "The gpt2 decoder file does not match …". */
  modelName: string;
}

export async function openDirectSession(bytes: Uint8Array, options: OpenOptions): Promise<ModelSession> {
  const session = await createSession(bytes, { backend: options.backend });
  const contract = sessionContract(session);
  const check = checkContract(contract, options.expected, options.modelName);
  if (!check.ok) {
    await dispose(session);
    throw new ContractMismatchError(check.message, check.differences);
  }
  return {
    backend: session.backend,
    contract,
    run: (feeds) => run(session, feeds),
    close: () => dispose(session),
  };
}

/** A pageRuntime() lease acquired with `contract` set (so the worker has already checked it). */
export async function leaseSession(lease: SessionLease): Promise<ModelSession> {
  const info = await lease.info();
  return {
    backend: lease.backend,
    contract: info.contract,
    run: async (feeds) => (await lease.run(feeds)).outputs,
    close: async () => lease.release(),
  };
}

export function hasInput(session: ModelSession, name: string): boolean {
  return session.contract.inputs.some((d) => d.name === name);
}

export function float32Output(outputs: Feeds, name: string): { data: Float32Array; dims: readonly number[] } {
  const t = outputs[name];
  if (!t)
    throw new Error(
      `The model returned no "${name}" output (it returned ${Object.keys(outputs).join(', ') || 'nothing'}).`,
    );
  if (t.dtype !== 'float32') throw new Error(`Output "${name}" is ${t.dtype}; float32 expected.`);
  return { data: t.data as Float32Array, dims: t.dims };
}

/** The parts of a manifest entry (ModelEntry) the pipelines use: its id and each file's role and contract. */
export interface ContractEntry {
  id: string;
  files: readonly { role: string; io: ExpectedContract }[];
}

/** Opens one file of a model as a session, checked against that file's contract. */
export type SessionOpener = (role: string, bytes: Uint8Array, io: ExpectedContract) => Promise<ModelSession>;

/** In this realm (Node, a worker of one's own). */
export function directOpener(backend: Backend, modelId: string): SessionOpener {
  return (role, bytes, io) => openDirectSession(bytes, { backend, expected: io, modelName: `${modelId} ${role}` });
}

/** Through the page's runtime worker (pageRuntime().client); sessions are shared by `${modelId}/${role}`. */
export function workerOpener(client: RuntimeClient, backend: Backend, modelId: string): SessionOpener {
  return async (role, bytes, io) =>
    leaseSession(
      await client.acquire(`${modelId}/${role}`, {
        backend,
        modelName: `${modelId} ${role}`,
        contract: io,
        // The worker takes ownership of what it is sent; a copy is sent so a retry after a lost
        // device can send the bytes again.
        load: async () => bytes.slice(),
      }),
    );
}

/** The verified bytes of `role` from a loaded model (src/lib/runtime/download loadModel's `files`). */
export function fileBytes(files: ReadonlyMap<string, Uint8Array>, role: string, modelId: string): Uint8Array {
  const bytes = files.get(role);
  if (!bytes)
    throw new Error(`${modelId}: no "${role}" file was loaded (have ${[...files.keys()].join(', ') || 'none'}).`);
  return bytes;
}
