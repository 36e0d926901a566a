/// <reference lib="webworker" />
/**
 * Benchmark baseline only: a bare `InferenceSession.run` loop in a worker thread, with none of the
 * runtime's layers (no protocol, no queue, no copies). The page asks for a block of steps and gets
 * back each step's time measured inside this worker, so the baseline pays no messaging at all.
 * Used by /test-fixtures/runtime/ (npm run bench).
 */
import { configureOrt, ortForBaseline as ort, type TensorData } from '../ort';

type BareBenchRequest =
  | {
      type: 'create';
      model: Uint8Array;
      backend: 'wasm' | 'webgpu';
      feeds: Record<string, TensorData>;
      threads: number;
      wasmPaths: string;
    }
  | { type: 'block'; steps: number }
  | { type: 'release' };

const scope = self as unknown as DedicatedWorkerGlobalScope;
let session: Awaited<ReturnType<typeof ort.InferenceSession.create>> | null = null;
let feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};

scope.addEventListener('message', async (event: MessageEvent<BareBenchRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'create') {
      configureOrt({ numThreads: request.threads, wasmPaths: request.wasmPaths });
      session = await ort.InferenceSession.create(request.model, {
        executionProviders: [request.backend],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      feeds = Object.fromEntries(
        Object.entries(request.feeds).map(([name, t]) => [
          name,
          new ort.Tensor(t.dtype, t.data as InstanceType<typeof ort.Tensor>['data'], t.dims),
        ]),
      );
      scope.postMessage({ ok: true });
    } else if (request.type === 'block') {
      const ms: number[] = [];
      for (let i = 0; i < request.steps; i++) {
        const t0 = performance.now();
        const out = await session!.run(feeds);
        void (out[session!.outputNames[0]] as { data: unknown }).data;
        ms.push(performance.now() - t0);
      }
      scope.postMessage({ ms });
    } else {
      await session?.release();
      session = null;
      scope.postMessage({ ok: true });
    }
  } catch (error) {
    scope.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
