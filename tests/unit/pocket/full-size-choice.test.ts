import { describe, expect, it } from 'vitest';
import manifestJson from '../../../models/manifest.json';
import {
  downloadSizeText,
  FULL_SIZE_IDS,
  fullEntryFromJson,
  fullSizeSettings,
  needsText,
  parseModelChoice,
  readiness,
  type FullEntryJson,
} from '../../../src/lib/full-size-model';
import { chooseBackend } from '../../../src/lib/runtime/backend-choice';
import { detectCapabilities, type CapabilityEnvironment } from '../../../src/lib/runtime/capabilities';
import { parseManifest } from '../../../src/lib/runtime/manifest';
import type { ModelEntry } from '../../../src/lib/runtime/model-entry';

const parsed = parseManifest(manifestJson);
const raw = manifestJson.models as unknown as Record<string, FullEntryJson>;
const sd15 = parsed.get(FULL_SIZE_IDS.sd15)!;

/** A browser as detectCapabilities sees it: optional WebGPU adapter with or without shader-f16. */
function browser(gpu: 'none' | 'no-adapter' | 'no-f16' | 'f16'): CapabilityEnvironment {
  if (gpu === 'none') return { navigator: { hardwareConcurrency: 4 }, crossOriginIsolated: false };
  const features = new Set(gpu === 'f16' ? ['shader-f16'] : []);
  const adapter = {
    features: { has: (name: string) => features.has(name) },
    limits: { maxBufferSize: 2 ** 31 },
    info: {
      vendor: gpu === 'f16' ? 'acme' : 'google',
      architecture: gpu === 'f16' ? 'rdna' : 'swiftshader',
      description: '',
      isFallbackAdapter: gpu !== 'f16',
    },
  };
  return {
    navigator: { hardwareConcurrency: 4, gpu: { requestAdapter: async () => (gpu === 'no-adapter' ? null : adapter) } },
    crossOriginIsolated: false,
  };
}

async function verdict(entry: ModelEntry, gpu: Parameters<typeof browser>[0], forceWasm = false) {
  return readiness(
    entry,
    chooseBackend(await detectCapabilities(browser(gpu)), { requiredFeatures: entry.requiredFeatures }, forceWasm),
  );
}

/** A copy of an entry as if the manifest pinned every file and listed the tokenizer. */
function pinnedWithTokenizer(entry: ModelEntry): ModelEntry {
  const files = entry.files.map((f) => ({
    ...f,
    bytes: f.bytesApprox,
    sha256: 'a'.repeat(64),
    hub: { ...f.hub!, revision: 'b'.repeat(40) },
  }));
  const tokenizer = {
    ...files[0]!,
    role: 'tokenizer',
    bytes: 2_000_000,
    bytesApprox: 2_000_000,
    io: { inputs: {}, outputs: {} },
  };
  return { ...entry, files: [...files, tokenizer], totalBytes: [...files, tokenizer].reduce((s, f) => s + f.bytes, 0) };
}

describe('full-size model choice', () => {
  it('builds the same entries as the validated manifest parser, without it', () => {
    for (const id of Object.values(FULL_SIZE_IDS)) expect(fullEntryFromJson(raw[id]!)).toEqual(parsed.get(id));
  });

  it('sizes the SD entries from their file sizes, marked approximate while unpinned', () => {
    const bytes = Object.values(raw[FULL_SIZE_IDS.sd15]!.files).reduce((s, f) => s + (f.bytes ?? f.bytesApprox), 0);
    expect(sd15.totalBytes).toBe(bytes);
    expect(bytes).toBeGreaterThan(1e9); // three fp16 ONNX files of SD 1.5: gigabytes
    expect(downloadSizeText(sd15)).toMatch(/^about \d+(\.\d+)? GB$/);
    expect(downloadSizeText(pinnedWithTokenizer(sd15))).toMatch(/^\d+(\.\d+)? GB$/);
  });

  it('says what the SD entries need', () => {
    expect(needsText(sd15)).toContain('shader-f16');
    expect(needsText({ requiredFeatures: ['webgpu'] })).toBe('WebGPU');
    expect(needsText({ requiredFeatures: [] })).toContain('nothing special');
  });

  it('keeps the pocket model when the browser lacks WebGPU, an adapter or shader-f16, saying which', async () => {
    const none = await verdict(sd15, 'none');
    expect(none.ready).toBe(false);
    expect(none.reason).toMatch(/needs WebGPU/);
    expect((await verdict(sd15, 'no-adapter')).reason).toMatch(/needs WebGPU.*unavailable/);
    const noF16 = await verdict(sd15, 'no-f16');
    expect(noF16.ready).toBe(false);
    expect(noF16.reason).toMatch(/shader-f16.*does not offer/);
    expect(noF16.reason).toMatch(/software fallback/);
    expect(noF16.reason).toMatch(/pocket model stays in use/);
    expect((await verdict(sd15, 'f16', true)).reason).toMatch(/WASM is forced/);
  });

  it('does not offer an unverifiable download even where the browser could run it', async () => {
    const unpinned = await verdict(sd15, 'f16');
    expect(unpinned.ready).toBe(false);
    expect(unpinned.reason).toMatch(/could run it.*not pinned/);
    const noTokenizer = { ...pinnedWithTokenizer(sd15) };
    noTokenizer.files = noTokenizer.files.filter((f) => f.role !== 'tokenizer');
    expect((await verdict(noTokenizer, 'f16')).reason).toMatch(/tokenizer/);
  });

  it('offers a runnable, pinned model with its size and asks consent first', async () => {
    const entry = pinnedWithTokenizer(sd15);
    const ok = await verdict(entry, 'f16');
    expect(ok.ready).toBe(true);
    expect(ok.reason).toContain('WebGPU');
    expect(ok.reason).toContain(downloadSizeText(entry));
    expect(ok.reason).toMatch(/only after you agree/);
  });

  it('reads t2i.model, falling back to pocket with a note for unknown values', () => {
    expect(parseModelChoice(null)).toEqual({ model: 'pocket', note: null });
    expect(parseModelChoice('sd15')).toEqual({ model: 'sd15', note: null });
    expect(parseModelChoice('sd-turbo').model).toBe('sd-turbo');
    const bad = parseModelChoice('sdxl');
    expect(bad.model).toBe('pocket');
    expect(bad.note).toContain('sdxl');
  });

  it('maps the widget settings: caption → prompt, w → guidance weight, SD-Turbo steps clamped to 1–4', () => {
    const widget = { caption: 'a red circle', w: 3, steps: 50, seed: 7 };
    expect(fullSizeSettings('sd-turbo', widget)).toEqual({
      prompt: 'a red circle',
      guidanceWeight: 3,
      steps: 4,
      seed: 7,
    });
    expect(fullSizeSettings('sd-turbo', { ...widget, steps: 0 }).steps).toBe(1);
    expect(fullSizeSettings('sd15', widget).steps).toBe(50);
  });
});
