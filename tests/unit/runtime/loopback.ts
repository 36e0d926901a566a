/**
 * An in-process stand-in for the worker *transport* only: the real RuntimeEngine runs the real ORT
 * WASM engine; messages cross real MessagePorts (structured clone + transfer lists, as with a worker).
 */
import { RuntimeEngine } from '../../../src/lib/runtime/worker/engine';
import type { WorkerLike } from '../../../src/lib/runtime/worker/client';
import type { Request, Response } from '../../../src/lib/runtime/worker/protocol';

export class LoopbackWorker implements WorkerLike {
  private readonly toWorker = new MessageChannel();
  private readonly toPage = new MessageChannel();
  private readonly listeners: ((event: MessageEvent<Response>) => void)[] = [];
  readonly engine: RuntimeEngine;
  terminated = false;
  /** Every request type the "worker" received, in order. */
  readonly received: Request['type'][] = [];

  constructor() {
    this.engine = new RuntimeEngine((message, transfer = []) => {
      if (!this.terminated) this.toPage.port2.postMessage(message, transfer);
    });
    this.toWorker.port1.onmessage = (event: MessageEvent<Request>) => {
      if (this.terminated) return;
      this.received.push(event.data.type);
      void this.engine.handle(event.data);
    };
    this.toPage.port1.onmessage = (event: MessageEvent<Response>) => {
      if (!this.terminated) for (const l of this.listeners) l(event);
    };
  }

  postMessage(message: Request, transfer: Transferable[] = []): void {
    if (!this.terminated) this.toWorker.port2.postMessage(message, transfer);
  }

  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    if (type === 'message') this.listeners.push(listener as (event: MessageEvent<Response>) => void);
  }

  terminate(): void {
    this.terminated = true;
    for (const port of [this.toWorker.port1, this.toWorker.port2, this.toPage.port1, this.toPage.port2]) port.close();
  }

  /** Delivers the message the worker posts when ORT's GPUDevice resolves `lost` (the real loss is an e2e test). */
  simulateDeviceLost(message: string): void {
    for (const l of this.listeners) l({ data: { type: 'device-lost', message } } as MessageEvent<Response>);
  }
}
