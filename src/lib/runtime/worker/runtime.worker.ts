/// <reference lib="webworker" />
/**
 * The module Web Worker that owns every ORT session. Requests are handled concurrently (so a
 * cancel reaches a running loop); the engine serialises work per session.
 */
import { webGpuDevice } from '../ort';
import { RuntimeEngine } from './engine';
import type { Request, Response } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const engine = new RuntimeEngine((message: Response, transfer: Transferable[] = []) =>
  scope.postMessage(message, transfer),
);

scope.addEventListener('message', (event: MessageEvent<Request>) => {
  void engine.handle(event.data);
});

scope.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
  if (engine.absorbGpuRejection(event.reason)) event.preventDefault();
});

// Diagnostics hook for fault-injection tests (Playwright's worker.evaluate): the live GPUDevice.
(scope as unknown as { __dsbsRuntime: unknown }).__dsbsRuntime = Object.freeze({
  gpuDevice: webGpuDevice,
  sessionIds: () => engine.sessionIds(),
});
