import { describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../../src/lib/runtime/capabilities';

const adapter = (features: string[]) => ({
  features: new Set(features),
  limits: { maxBufferSize: 268435456 },
  info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader', isFallbackAdapter: true },
});

describe('detectCapabilities', () => {
  it('reads adapter, shader-f16, maxBufferSize, isolation and cores, and freezes the result', async () => {
    const caps = await detectCapabilities({
      navigator: { gpu: { requestAdapter: async () => adapter(['shader-f16']) }, hardwareConcurrency: 6 },
      crossOriginIsolated: true,
    });
    expect(caps).toEqual({
      webgpuPresent: true,
      adapter: {
        vendor: 'google',
        architecture: 'swiftshader',
        description: 'SwiftShader',
        isFallback: true,
        shaderF16: true,
        maxBufferSize: 268435456,
      },
      webgpuProblem: null,
      crossOriginIsolated: true,
      logicalCores: 6,
    });
    expect(Object.isFrozen(caps)).toBe(true);
    expect(Object.isFrozen(caps.adapter)).toBe(true);
  });

  it('names each way WebGPU can be missing', async () => {
    expect((await detectCapabilities({ navigator: { hardwareConcurrency: 2 } })).webgpuProblem).toBe(
      'this browser has no navigator.gpu',
    );
    const nullAdapter = await detectCapabilities({ navigator: { gpu: { requestAdapter: async () => null } } });
    expect(nullAdapter).toMatchObject({
      webgpuPresent: true,
      adapter: null,
      webgpuProblem: 'no adapter',
      logicalCores: 1,
      crossOriginIsolated: false,
    });
    const throwing = await detectCapabilities({
      navigator: {
        gpu: {
          requestAdapter: async () => {
            throw new Error('blocked');
          },
        },
      },
    });
    expect(throwing.webgpuProblem).toBe('requestAdapter() failed (blocked)');
  });

  it('reports a missing shader-f16', async () => {
    const caps = await detectCapabilities({ navigator: { gpu: { requestAdapter: async () => adapter([]) } } });
    expect(caps.adapter?.shaderF16).toBe(false);
  });
});
