import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeClient, RuntimeRequestError } from '../../../src/lib/runtime/worker/client';
import { affineModel } from './onnx-builder';
import { LoopbackWorker } from './loopback';

// y = x·W + b on 2-vectors
const W = [
  [0.9, -0.2],
  [0.1, 0.8],
];
const B = [0.05, -0.03];
const model = () => affineModel(W, B);
const contract = {
  inputs: { x: { dtype: 'float32', shape: ['batch', 2] } },
  outputs: { y: { dtype: 'float32', shape: ['batch', 2] } },
};

let workers: LoopbackWorker[] = [];
let client: RuntimeClient;
function newClient() {
  workers = [];
  client = new RuntimeClient({
    numThreads: 1,
    createWorker: () => {
      const w = new LoopbackWorker();
      workers.push(w);
      return w;
    },
  });
  return client;
}
afterEach(() => client?.terminate());

/** The loop's update, computed independently in plain JS. */
function referenceLoop(x0: number[], a: number[], b: number[], c: number[], noise: number[]): number[] {
  let x = [...x0];
  for (let k = 0; k < a.length; k++) {
    const next: number[] = [];
    for (let r = 0; r < x.length / 2; r++) {
      for (let j = 0; j < 2; j++) {
        const y = x[2 * r] * W[0][j] + x[2 * r + 1] * W[1][j] + B[j];
        next.push(a[k] * x[2 * r + j] + b[k] * y + c[k] * noise[k * x.length + 2 * r + j]);
      }
    }
    x = next;
  }
  return x;
}

describe('RuntimeClient + RuntimeEngine (real ORT WASM, in-process transport)', () => {
  it('accepts a contract held in reactive state (a deep Proxy, which postMessage cannot clone)', async () => {
    const deepProxy = <T extends object>(value: T): T =>
      new Proxy(value, {
        get: (target, key) =>
          typeof target[key as keyof T] === 'object' && target[key as keyof T] !== null
            ? deepProxy(target[key as keyof T] as object)
            : target[key as keyof T],
      });
    const reactive = deepProxy(structuredClone(contract));
    expect(() => structuredClone(reactive)).toThrow(/could not be cloned/);
    const lease = await newClient().acquire('affine-proxy', {
      backend: 'wasm',
      modelName: 'affine',
      contract: reactive,
      load: async () => model(),
    });
    const { outputs } = await lease.run({ x: { dtype: 'float32', data: Float32Array.from([1, 0]), dims: [1, 2] } });
    expect(Array.from(outputs['y']!.data as Float32Array)).toEqual(
      [W[0][0] + B[0], W[0][1] + B[1]].map((v) => Math.fround(v)),
    );
    lease.release();
  });

  it('runs a sampling loop in the worker that matches a plain JS loop, with progress', async () => {
    const lease = await newClient().acquire('affine', {
      backend: 'wasm',
      modelName: 'affine',
      contract,
      load: async () => model(),
    });
    const steps = 5;
    const a = [0.9, 0.8, 1.1, 0.7, 1];
    const b = [0.1, -0.3, 0.2, 0.5, -1];
    const c = [0.01, 0.02, 0, 0.05, 0.1];
    const noise = Array.from({ length: steps * 4 }, (_, i) => Math.sin(i + 1));
    const x0 = [1, -1, 0.5, 2];
    const progress: number[] = [];
    const states: number[] = [];
    const handle = lease.loop(
      {
        steps,
        stateInput: 'x',
        stateDims: [2, 2],
        initialState: Float32Array.from(x0),
        output: 'y',
        a: Float32Array.from(a),
        b: Float32Array.from(b),
        c: Float32Array.from(c),
        noise: Float32Array.from(noise),
        emitStateEvery: 2,
      },
      (step, _steps, state) => {
        progress.push(step);
        if (state) states.push(step);
      },
    );
    const result = await handle.promise;
    const expected = referenceLoop(x0, a, b, c, noise);
    Array.from(result.state).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(states).toEqual([2, 4, 5]);
    lease.release();
  }, 30_000); // the first test of the file pays for instantiating ORT's WASM engine

  it('shares one session between holders and disposes it when the last releases', async () => {
    newClient();
    const options = { backend: 'wasm' as const, modelName: 'affine', contract, load: async () => model() };
    const [first, second] = await Promise.all([client.acquire('affine', options), client.acquire('affine', options)]);
    expect(workers).toHaveLength(1);
    expect(workers[0].received.filter((t) => t === 'create')).toHaveLength(1);
    expect(client.holders()).toEqual({ 'affine@wasm': 2 });
    first.release();
    first.release(); // a second release of the same lease counts once
    await new Promise((r) => setTimeout(r, 20));
    expect(workers[0].engine.sessionIds()).toHaveLength(1);
    second.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(workers[0].received).toContain('dispose');
    expect(workers[0].engine.sessionIds()).toEqual([]);
    expect(client.holders()).toEqual({});
    expect(() => first.run({})).toThrow(/released/);
  });

  it('serialises runs on one session in submission order', async () => {
    const lease = await newClient().acquire('affine', {
      backend: 'wasm',
      modelName: 'affine',
      load: async () => model(),
    });
    const done: number[] = [];
    const runs = [0, 1, 2, 3].map((i) =>
      lease.run({ x: { dtype: 'float32', data: Float32Array.from([i, i]), dims: [1, 2] } }).then((r) => {
        done.push(i);
        return r.outputs.y.data as Float32Array;
      }),
    );
    const outs = await Promise.all(runs);
    expect(done).toEqual([0, 1, 2, 3]);
    outs.forEach((y, i) => {
      expect(y[0]).toBeCloseTo(i * (W[0][0] + W[1][0]) + B[0], 5);
      expect(y[1]).toBeCloseTo(i * (W[0][1] + W[1][1]) + B[1], 5);
    });
    lease.release();
  });

  it('cancels a loop between steps and the retry runs to the end', async () => {
    const lease = await newClient().acquire('affine', {
      backend: 'wasm',
      modelName: 'affine',
      load: async () => model(),
    });
    const steps = 400;
    const spec = {
      steps,
      stateInput: 'x',
      stateDims: [1, 2],
      initialState: Float32Array.from([1, 1]),
      output: 'y',
      a: new Float32Array(steps).fill(0.5),
      b: new Float32Array(steps).fill(0.5),
    };
    let handle = lease.loop(spec, (step) => {
      if (step === 3) handle.cancel();
    });
    const error = await handle.promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeRequestError);
    expect((error as RuntimeRequestError).kind).toBe('cancelled');
    const stoppedAt = Number(/Cancelled after (\d+) of 400 steps/.exec((error as Error).message)?.[1]);
    expect(stoppedAt).toBeGreaterThanOrEqual(3);
    expect(stoppedAt).toBeLessThan(steps);
    handle = lease.loop(spec);
    const result = await handle.promise;
    expect(result.steps).toBe(steps);
    expect(Number.isFinite(result.state[0])).toBe(true);
    lease.release();
  });

  it('fails creation with a message naming the contract difference, and stays retryable', async () => {
    newClient();
    const wrong = { inputs: { x_t: { dtype: 'float32', shape: ['batch', 2] } }, outputs: contract.outputs };
    const error = await client
      .acquire('affine', { backend: 'wasm', modelName: 'affine-model', contract: wrong, load: async () => model() })
      .catch((e: unknown) => e);
    expect((error as RuntimeRequestError).kind).toBe('contract');
    expect((error as Error).message).toBe(
      'The affine-model file does not match its manifest contract: input "x_t" is missing (the model has "x"); input "x" is not in the manifest.',
    );
    expect(client.holders()).toEqual({});
    await new Promise((r) => setTimeout(r, 20));
    expect(workers[0].engine.sessionIds()).toEqual([]);
  });

  it('on device loss rejects the running loop at once, drops the worker, and a retry recreates the session', async () => {
    const lease = await newClient().acquire('affine', {
      backend: 'wasm',
      modelName: 'affine',
      load: async () => model(),
    });
    const steps = 2000;
    const handle = lease.loop(
      {
        steps,
        stateInput: 'x',
        stateDims: [1, 2],
        initialState: Float32Array.from([1, 1]),
        output: 'y',
        a: new Float32Array(steps).fill(0.5),
        b: new Float32Array(steps).fill(0.5),
      },
      (step) => {
        if (step === 2) {
          lostAt = performance.now();
          workers[0].simulateDeviceLost('The GPU device was lost (destroyed).');
        }
      },
    );
    let lostAt = 0;
    const error = await handle.promise.catch((e: unknown) => e);
    expect(performance.now() - lostAt).toBeLessThan(1000);
    expect((error as RuntimeRequestError).kind).toBe('device-lost');
    expect((error as Error).message).toMatch(/GPU device was lost .* press Retry/);
    expect(workers[0].terminated).toBe(true);
    expect(client.lastReset).toMatch(/device was lost/);
    const out = await lease.run({ x: { dtype: 'float32', data: Float32Array.from([1, 0]), dims: [1, 2] } });
    expect(workers).toHaveLength(2);
    expect((out.outputs.y.data as Float32Array)[0]).toBeCloseTo(W[0][0] + B[0], 5);
    lease.release();
  });

  it('rejects an invalid loop spec with every problem named', async () => {
    const lease = await newClient().acquire('affine', {
      backend: 'wasm',
      modelName: 'affine',
      load: async () => model(),
    });
    const error = await lease
      .loop({
        steps: 3,
        stateInput: 'x',
        stateDims: [1, 2],
        initialState: new Float32Array(3),
        output: 'y',
        a: new Float32Array(3),
        b: new Float32Array(1),
        c: new Float32Array(3),
      })
      .promise.catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'Invalid loop: initialState has 3 values, stateDims need 2; a and b need one coefficient per step; c and noise come together.',
    );
    lease.release();
  });
});
