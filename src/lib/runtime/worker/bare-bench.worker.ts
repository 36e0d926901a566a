/// <reference lib="webworker" />
/**
 * Benchmark baseline only: a bare InferenceSession.run in a worker thread, with none of the
 * runtime's layers (no protocol, no queue, no copies). The page sends 'step' and gets back the
 * time of session.run measured inside this worker, so its steps can be interleaved with the
 * runtime's under the same background load. Used by /test-fixtures/runtime/ (npm run bench).
 */
import { configureOrt, ortForBaseline as ort } from '../ort';

type BareBenchRequest =
  | { type: 'create'; model: Uint8Array; backend: 'wasm' | 'webgpu'; input: Float32Array; dims: number[]; wasmPaths: string }
  | { type: 'step' }
  | { type: 'release' };

const scope = self as unknown as DedicatedWorkerGlobalScope;
let session: Awaited<ReturnType<typeof ort.InferenceSession.create>> | null = null;
let feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};

scope.addEventListener('message', async (event: MessageEvent<BareBenchRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'create') {
      configureOrt({ numThreads: 1, wasmPaths: request.wasmPaths });
      session = await ort.InferenceSession.create(request.model, { executionProviders: [request.backend], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
      feeds = { [session.inputNames[0]]: new ort.Tensor('float32', request.input, request.dims) };
      scope.postMessage({ ok: true });
    } else if (request.type === 'step') {
      const t0 = performance.now();
      const out = await session!.run(feeds);
      void (out[session!.outputNames[0]] as { data: unknown }).data;
      scope.postMessage({ ms: performance.now() - t0 });
    } else {
      await session?.release();
      session = null;
      scope.postMessage({ ok: true });
    }
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
