import { describe, expect, it } from 'vitest';
import { chooseBackend, wasmThreads } from '../../../src/lib/runtime/backend-choice';
import type { Capabilities } from '../../../src/lib/runtime/capabilities';

const gpu = (over: Partial<NonNullable<Capabilities['adapter']>> = {}): Capabilities => ({
  webgpuPresent: true,
  adapter: {
    vendor: 'google',
    architecture: 'swiftshader',
    description: '',
    isFallback: true,
    shaderF16: true,
    maxBufferSize: 2 ** 30,
    ...over,
  },
  webgpuProblem: null,
  crossOriginIsolated: true,
  logicalCores: 4,
});
const noGpu = (problem: string, isolated = false): Capabilities => ({
  webgpuPresent: problem !== 'this browser has no navigator.gpu',
  adapter: null,
  webgpuProblem: problem,
  crossOriginIsolated: isolated,
  logicalCores: 2,
});

describe('wasmThreads', () => {
  it('uses every core only when cross-origin isolated', () => {
    expect(wasmThreads({ crossOriginIsolated: true, logicalCores: 8 })).toEqual({ threads: 8, note: '8 threads' });
    expect(wasmThreads({ crossOriginIsolated: false, logicalCores: 8 })).toEqual({
      threads: 1,
      note: '1 thread (page not cross-origin isolated)',
    });
  });
});

describe('chooseBackend', () => {
  it('prefers WebGPU and names the adapter', () => {
    expect(chooseBackend(gpu(), { requiredFeatures: [] })).toEqual({
      runnable: true,
      backend: 'webgpu',
      threads: 4,
      reason: 'Running on WebGPU (google swiftshader, software fallback)',
    });
  });

  it('falls back to WASM with the exact reason when there is no adapter', () => {
    expect(chooseBackend(noGpu('no adapter', true), { requiredFeatures: [] })).toEqual({
      runnable: true,
      backend: 'wasm',
      threads: 2,
      reason: 'WebGPU unavailable: no adapter — running on WASM, 2 threads',
    });
  });

  it('says when navigator.gpu is missing and when threads are limited by isolation', () => {
    const choice = chooseBackend(noGpu('this browser has no navigator.gpu'), { requiredFeatures: [] });
    expect(choice).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(choice.reason).toBe(
      'WebGPU unavailable: this browser has no navigator.gpu — running on WASM, 1 thread (page not cross-origin isolated)',
    );
  });

  it('honours force-WASM even when WebGPU works', () => {
    expect(chooseBackend(gpu(), { requiredFeatures: [] }, true)).toMatchObject({
      runnable: true,
      backend: 'wasm',
      reason: 'WASM forced by you — running on WASM, 4 threads',
    });
  });

  it('refuses a shader-f16 model on an adapter without it, naming the feature and the adapter', () => {
    const choice = chooseBackend(gpu({ shaderF16: false }), { requiredFeatures: ['shader-f16'] });
    expect(choice.runnable).toBe(false);
    expect(choice.reason).toMatch(/shader-f16/);
    expect(choice.reason).toMatch(/google swiftshader/);
    // the same adapter still runs a model without that need
    expect(chooseBackend(gpu({ shaderF16: false }), { requiredFeatures: [] })).toMatchObject({
      runnable: true,
      backend: 'webgpu',
    });
  });

  it('refuses GPU-only models without WebGPU or under force-WASM', () => {
    expect(chooseBackend(noGpu('no adapter'), { requiredFeatures: ['webgpu'] })).toEqual({
      runnable: false,
      reason: 'This model needs WebGPU, which is unavailable here: no adapter.',
    });
    expect(chooseBackend(gpu(), { requiredFeatures: ['shader-f16'] }, true).runnable).toBe(false);
    expect(chooseBackend(gpu(), { requiredFeatures: ['shader-f16'] })).toMatchObject({
      runnable: true,
      backend: 'webgpu',
    });
  });

  it('lets a small model prefer WASM, but never a GPU-only one', () => {
    expect(chooseBackend(gpu(), { requiredFeatures: [], prefers: 'wasm' })).toMatchObject({ backend: 'wasm' });
    expect(chooseBackend(gpu(), { requiredFeatures: ['webgpu'], prefers: 'wasm' })).toMatchObject({
      backend: 'webgpu',
    });
  });
});
