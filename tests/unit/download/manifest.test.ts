import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hubUrl, loadability, ManifestError, mirrorPath, parseManifest } from '../../../src/lib/runtime/manifest';

const modelsDir = fileURLToPath(new URL('../../../models/', import.meta.url));
const raw = JSON.parse(readFileSync(`${modelsDir}manifest.json`, 'utf8'));
const clone = () => structuredClone(raw);

describe('models/manifest.json', () => {
  const entries = parseManifest(raw);

  it('validates and lists pocket and full-size models', () => {
    const tiers = [...entries.values()].map((e) => e.tier);
    expect(tiers).toContain('pocket');
    expect([...entries.keys()]).toEqual(
      expect.arrayContaining(['sd-turbo', 'sd15-webnn-fp16', 'clip-vit-b32', 'gpt2']),
    );
  });

  it('every pocket file exists with the stated bytes and SHA-256 (hashed here with node:crypto)', () => {
    const pocket = [...entries.values()].filter((e) => e.tier === 'pocket');
    expect(pocket.length).toBeGreaterThan(0);
    for (const entry of pocket) {
      const rel = raw.models[entry.id].file as string;
      const bytes = readFileSync(`${modelsDir}${rel}`);
      expect(statSync(`${modelsDir}${rel}`).size, entry.id).toBe(entry.files[0]!.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), entry.id).toBe(entry.files[0]!.sha256);
      expect(entry.files[0]!.sitePath).toBe(`/models/${rel}`);
      expect(loadability(entry)).toEqual({ loadable: true });
      // An ONNX file is a protobuf ModelProto: field 1 (ir_version, varint) comes first.
      expect(bytes[0]).toBe(0x08);
    }
  });

  it('pocket totals match the budget bookkeeping export.py writes', () => {
    const sum = [...entries.values()].filter((e) => e.tier === 'pocket').reduce((s, e) => s + e.totalBytes, 0);
    expect(raw.totalOnnxBytes).toBe(sum);
    expect(sum).toBeLessThanOrEqual(raw.budgetBytes);
  });

  it('full-size entries carry the contracts from the notes and are unloadable until pinned, saying why', () => {
    const turbo = entries.get('sd-turbo')!;
    const unet = turbo.files.find((f) => f.role === 'unet')!;
    // The published export keeps optimum's symbolic dims; the pipeline pins them with freeDimensionOverrides.
    expect(unet.io.inputs).toEqual({
      sample: { dtype: 'float32', shape: ['batch_size', 'num_channels', 'height', 'width'] },
      timestep: { dtype: 'int64', shape: ['steps'] },
      encoder_hidden_states: { dtype: 'float32', shape: ['batch_size', 'sequence_length', 1024] },
    });
    expect(turbo.requiredFeatures).toContain('shader-f16');
    expect(unet.sitePath).toBe(mirrorPath('sd-turbo', 'unet/model.onnx'));
    expect(unet.sitePath).toBe('/models-mirror/sd-turbo/unet/model.onnx');
    const sd15 = entries.get('sd15-webnn-fp16')!;
    expect(sd15.files.find((f) => f.role === 'unet')!.io.inputs['sample']).toEqual({
      dtype: 'float16',
      shape: [2, 4, 64, 64],
    });
    const gpt2 = entries.get('gpt2')!.files[0]!;
    expect(Object.keys(gpt2.io.inputs).filter((n) => n.startsWith('past_key_values.'))).toHaveLength(24);
    expect(gpt2.io.inputs['position_ids']!.optional).toBe(true);
    for (const id of ['sd-turbo', 'sd15-webnn-fp16', 'clip-vit-b32', 'gpt2']) {
      const verdict = loadability(entries.get(id)!);
      expect(verdict.loadable).toBe(false);
      if (!verdict.loadable) expect(verdict.reason).toMatch(/not pinned yet: unknown .*SHA-256.*revision/);
      expect(() => hubUrl(entries.get(id)!.files[0]!)).toThrow(/revision not pinned/);
    }
  });
});

describe('manifest schema', () => {
  const expectInvalid = (doc: unknown, message: RegExp) => {
    expect(() => parseManifest(doc)).toThrow(ManifestError);
    expect(() => parseManifest(doc)).toThrow(message);
  };

  it('rejects a pocket entry without a SHA-256, naming the path', () => {
    const doc = clone();
    delete doc.models['mixture2d-mlp'].sha256;
    expectInvalid(doc, /models\.mixture2d-mlp\.sha256/);
  });

  it('rejects an id that differs from its key, and a wrong pocket total', () => {
    const doc = clone();
    doc.models['mixture2d-mlp'].id = 'other';
    expectInvalid(doc, /differs from its key/);
    const doc2 = clone();
    doc2.totalOnnxBytes += 1;
    expectInvalid(doc2, /sum of pocket bytes/);
  });

  it('rejects a branch name as a revision and a shape with a bad symbolic dim', () => {
    const doc = clone();
    doc.models['gpt2'].hub.revision = 'main';
    expectInvalid(doc, /40-hex commit/);
    const doc2 = clone();
    doc2.models['gpt2'].files.decoder.inputs.input_ids.shape = ['Batch Size', 3];
    expectInvalid(doc2, /symbolic dimension/);
  });

  it("accepts exporters' dim names and files without a contract only when they are not .onnx", () => {
    const doc = clone();
    doc.models['gpt2'].files.decoder.inputs.input_ids.shape = ['Addlast_hidden_state_dim_0', 3];
    doc.models['gpt2'].files.tokenizer = { path: 'tokenizer.json', bytes: null, bytesApprox: 2_100_000, sha256: null };
    const tokenizer = parseManifest(doc)
      .get('gpt2')!
      .files.find((f) => f.role === 'tokenizer')!;
    expect(tokenizer.io).toEqual({ inputs: {}, outputs: {} });
    expect(tokenizer.sitePath).toBe('/models-mirror/gpt2/tokenizer.json');
    const doc2 = clone();
    doc2.models['gpt2'].files.extra = { path: 'onnx/extra.onnx', bytes: null, bytesApprox: 1000, sha256: null };
    expectInvalid(doc2, /an \.onnx file needs its inputs and outputs/);
    const doc3 = clone();
    doc3.models['gpt2'].files.decoder.path = 'onnx/decoder.onnx_data';
    expectInvalid(doc3, /only \.onnx files have inputs and outputs/);
  });

  it('rejects an unknown tier and an unknown required feature', () => {
    const doc = clone();
    doc.models['gpt2'].tier = 'huge';
    expect(() => parseManifest(doc)).toThrow(ManifestError);
    const doc2 = clone();
    doc2.models['gpt2'].requiredFeatures = ['quantum'];
    expectInvalid(doc2, /requiredFeatures/);
  });

  it('a file can live in another repository than its entry, with its own revision', () => {
    const turbo = parseManifest(raw).get('sd-turbo')!;
    const byRole = (role: string) => turbo.files.find((f) => f.role === role)!;
    expect(byRole('unet').hub).toMatchObject({ repo: 'schmuell/sd-turbo-ort-web', path: 'unet/model.onnx' });
    expect(byRole('tokenizer').hub).toMatchObject({ repo: 'Xenova/clip-vit-base-patch32', path: 'tokenizer.json' });
    expect(byRole('tokenizer').sitePath).toBe('/models-mirror/sd-turbo/tokenizer.json');
    const doc = clone();
    doc.models['sd-turbo'].files.tokenizer.hub.revision = 'main';
    expect(() => parseManifest(doc)).toThrow(/sd-turbo\.files\.tokenizer\.hub\.revision: revision: a 40-hex commit id/);
    doc.models['sd-turbo'].files.tokenizer.hub.revision = 'd'.repeat(40);
    expect(
      hubUrl(
        parseManifest(doc)
          .get('sd-turbo')!
          .files.find((f) => f.role === 'tokenizer')!,
        'http://h',
      ),
    ).toBe(`http://h/Xenova/clip-vit-base-patch32/resolve/${'d'.repeat(40)}/tokenizer.json`);
  });

  it('a pinned full-size entry becomes loadable and gets a Hub resolve URL', () => {
    const doc = clone();
    const rev = 'a'.repeat(40);
    doc.models['gpt2'].hub.revision = rev;
    doc.models['gpt2'].files.decoder.bytes = 128_000_123;
    doc.models['gpt2'].files.decoder.sha256 = 'b'.repeat(64);
    expect(loadability(parseManifest(doc).get('gpt2')!)).toMatchObject({
      loadable: false,
      reason: expect.stringMatching(/unknown tokenizer \(size, SHA-256\); tokenizer_config/),
    });
    for (const role of ['tokenizer', 'tokenizer_config']) {
      doc.models['gpt2'].files[role].bytes = 1000;
      doc.models['gpt2'].files[role].sha256 = 'c'.repeat(64);
    }
    const gpt2 = parseManifest(doc).get('gpt2')!;
    expect(loadability(gpt2)).toEqual({ loadable: true });
    expect(gpt2.totalBytes).toBe(128_002_123);
    expect(hubUrl(gpt2.files[0]!, 'http://127.0.0.1:9/')).toBe(
      `http://127.0.0.1:9/Xenova/gpt2/resolve/${rev}/onnx/decoder_model_merged_quantized.onnx`,
    );
  });
});
