/**
 * SD components as ONNX Runtime sessions in this JS realm (Node tests, scripts): bytes → session →
 * contract check against the manifest → `run`. The browser uses ./worker-sessions.ts instead, so
 * page bundles never import ORT on the main thread.
 */
import { checkContract } from '../../runtime/contract.ts';
import type { ModelEntry, ModelFile } from '../../runtime/model-entry.ts';
import { createSession, dispose, run, sessionContract, type Backend, type OrtSession } from '../../runtime/ort.ts';
import type { OpenComponent, SdComponent } from './components.ts';

export class ContractMismatchError extends Error {
  override name = 'ContractMismatchError';
  constructor(
    message: string,
    readonly differences: string[],
  ) {
    super(message);
  }
}

export interface OrtComponent extends SdComponent {
  readonly session: OrtSession;
  readonly createMs: number;
}

/** Create a session from bytes and check it against the file's manifest contract (throws naming every difference). */
export async function openOrtComponent(
  bytes: Uint8Array,
  file: ModelFile,
  modelName: string,
  options: { backend?: Backend; freeDimensionOverrides?: Record<string, number> } = {},
): Promise<OrtComponent> {
  const t0 = performance.now();
  const session = await createSession(bytes, {
    backend: options.backend ?? 'wasm',
    ...(options.freeDimensionOverrides ? { freeDimensionOverrides: options.freeDimensionOverrides } : {}),
  });
  const createMs = performance.now() - t0;
  const verdict = checkContract(sessionContract(session), file.io, modelName);
  if (!verdict.ok) {
    await dispose(session);
    throw new ContractMismatchError(verdict.message, verdict.differences);
  }
  return { io: file.io, session, createMs, run: (feeds) => run(session, feeds) };
}

/** An `OpenComponent` for openSdComponents that reads each file's bytes with `load`. */
export function ortOpener(
  load: (entry: ModelEntry, file: ModelFile) => Promise<Uint8Array>,
  opened: OrtComponent[] = [],
): OpenComponent {
  return async (entry, file, freeDimensionOverrides) => {
    const component = await openOrtComponent(
      await load(entry, file),
      file,
      `${entry.id} ${file.role}`,
      freeDimensionOverrides ? { freeDimensionOverrides } : {},
    );
    opened.push(component);
    return component;
  };
}

export async function disposeAll(components: readonly OrtComponent[]): Promise<void> {
  for (const c of components) await dispose(c.session);
}
