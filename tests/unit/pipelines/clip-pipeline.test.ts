import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { clipTextStandin, clipVisionStandin } from '../../../models/standins/clip';
import { MANIFEST_PATH, textStandins } from '../../../models/standins/clip-gpt2-files';
import { openClip } from '../../../src/lib/pipelines/clip/open';
import { ClipPipeline } from '../../../src/lib/pipelines/clip/pipeline';
import { CLIP_MEAN, CLIP_STD, type RgbImage } from '../../../src/lib/pipelines/clip/preprocess';
import { ContractMismatchError, directOpener, openDirectSession } from '../../../src/lib/pipelines/model-session';
import { ClipTokenizer } from '../../../src/lib/pipelines/tokenizers/clip';
import { parseManifest, type IoContract } from '../../../src/lib/runtime/manifest';
import { createSession, dispose, run } from '../../../src/lib/runtime/ort';

const entry = parseManifest(JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'))).get('clip-vit-b32')!;
const io = (role: string) => entry.files.find((f) => f.role === role)!.io;
const standins = textStandins();
const tokenizer = ClipTokenizer.from(standins.clipTokenizer.tokenizer, { config: standins.clipTokenizer.config });
let clip: ClipPipeline;

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return { width, height, data };
}
const gradient = image(224, 224, (x, y) => [x, y, (x * y) % 256]);
const stripes = image(320, 240, (x) => (Math.floor(x / 20) % 2 ? [250, 30, 30] : [20, 20, 200]));

beforeAll(async () => {
  // As a page would after loadModel(): verified bytes by role, plus the repository's tokenizer files.
  const files = new Map([
    ['text_model', standins.clipText],
    ['vision_model', standins.clipVision],
  ]);
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  clip = await openClip(
    entry,
    { files, tokenizer: enc(standins.clipTokenizer.tokenizer), tokenizerConfig: enc(standins.clipTokenizer.config) },
    directOpener('wasm', entry.id),
  );
});
afterAll(() => clip?.close());

describe('CLIP pipeline on the stand-ins (Node, WASM)', () => {
  it('opens from the loaded files and takes its tensor names from the manifest contract', () => {
    expect(clip.text.backend).toBe('wasm');
    expect(clip.names).toEqual({
      inputIds: 'input_ids',
      textEmbeds: 'text_embeds',
      pixelValues: 'pixel_values',
      imageEmbeds: 'image_embeds',
    });
  });

  it('text embeddings equal the tower run directly on hand-built ids (BOS, word tokens, EOS, EOS padding), as int64', async () => {
    const vocab = (standins.clipTokenizer.tokenizer as any).model.vocab as Record<string, number>;
    const ids = new BigInt64Array(77).fill(49407n);
    [49406, vocab['a</w>']!, vocab['photo</w>']!, vocab['of</w>']!, vocab['a</w>']!, vocab['dog</w>']!, 49407].forEach(
      (v, i) => (ids[i] = BigInt(v)),
    );
    const session = await createSession(standins.clipText, { backend: 'wasm' });
    const direct = (await run(session, { input_ids: { dtype: 'int64', data: ids, dims: [1, 77] } })).text_embeds!
      .data as Float32Array;
    await dispose(session);
    const e = await clip.embedTexts(['A photo of a DOG']);
    expect(e.dim).toBe(512);
    expect(e.count).toBe(1);
    expect([...e.raw]).toEqual([...direct]);
    let sq = 0;
    for (const v of e.normalized) sq += v * v;
    expect(sq).toBeCloseTo(1, 5);
  });

  it('padding after EOS does not change a text embedding (pad EOS or pad "!")', async () => {
    const bang = ClipTokenizer.from(standins.clipTokenizer.tokenizer, {
      config: { ...standins.clipTokenizer.config, pad_token: '!' },
    });
    const other = new ClipPipeline(clip.text, clip.vision, bang, clip.names);
    const [a, b] = await Promise.all([clip.embedTexts(['a red car']), other.embedTexts(['a red car'])]);
    expect(bang.encode('a red car').ids[10]).toBe(0);
    for (let i = 0; i < 512; i++) expect(b.raw[i]).toBeCloseTo(a.raw[i]!, 5);
    const c = await clip.embedTexts(['a blue car']);
    expect(c.raw).not.toEqual(a.raw);
  });

  it('feeds attention_mask (1 up to EOS, 0 after) to exports that declare it', async () => {
    const masked = await openDirectSession(clipTextStandin(io('text_model'), { attentionMask: true }), {
      backend: 'wasm',
      expected: io('text_model'),
      modelName: 'clip-vit-b32 text_model',
    });
    expect(masked.contract.inputs.map((d) => d.name)).toEqual(['input_ids', 'attention_mask']);
    const withMask = new ClipPipeline(masked, clip.vision, tokenizer, clip.names);
    const texts = ['a photo of a cat', 'an astronaut riding a horse on the moon'];
    expect(withMask.maskTensor(texts)!.dims).toEqual([2, 77]);
    const [a, b] = [await withMask.embedTexts(texts), await clip.embedTexts(texts)];
    for (let i = 0; i < a.raw.length; i++) expect(a.raw[i]).toBeCloseTo(b.raw[i]!, 5);
    // The mask matters: all ones would pool at position 76 instead of at EOS.
    const ids = withMask.idsTensor(texts.slice(0, 1));
    const ones = await masked.run({
      input_ids: ids,
      attention_mask: { dtype: 'int64', data: new BigInt64Array(77).fill(1n), dims: [1, 77] },
    });
    expect(Math.abs((ones.text_embeds!.data as Float32Array)[0]! - a.raw[0]!)).toBeGreaterThan(1e-4);
    await masked.close();
  });

  it('image embeddings equal the tower run on hand-normalised CHW pixels (a 224 × 224 image needs no resize)', async () => {
    const px = new Float32Array(3 * 224 * 224);
    for (let y = 0; y < 224; y++) {
      for (let x = 0; x < 224; x++) {
        const rgb = [x, y, (x * y) % 256];
        for (let c = 0; c < 3; c++) px[c * 224 * 224 + y * 224 + x] = (rgb[c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
      }
    }
    const session = await createSession(standins.clipVision, { backend: 'wasm' });
    const direct = (await run(session, { pixel_values: { dtype: 'float32', data: px, dims: [1, 3, 224, 224] } }))
      .image_embeds!.data as Float32Array;
    await dispose(session);
    const e = await clip.embedImages([gradient]);
    for (let i = 0; i < 512; i++) expect(e.raw[i]).toBeCloseTo(direct[i]!, 5);
  });

  it('similarity matrix and zero-shot probabilities: cosines of unit embeddings, softmax(100 · cos) per image', async () => {
    const labels = ['cat', 'dog', 'red car'];
    const results = await clip.zeroShot([gradient, stripes], labels);
    const texts = await clip.embedTexts(labels.map((l) => `a photo of a ${l}.`));
    const imgs = await clip.embedImages([gradient, stripes]);
    expect(results).toHaveLength(2);
    results.forEach((r, i) => {
      const cos = labels.map((_, j) => {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let k = 0; k < 512; k++) {
          dot += imgs.raw[i * 512 + k]! * texts.raw[j * 512 + k]!;
          na += imgs.raw[i * 512 + k]! ** 2;
          nb += texts.raw[j * 512 + k]! ** 2;
        }
        return dot / Math.sqrt(na * nb);
      });
      r.cosines.forEach((c, j) => expect(c).toBeCloseTo(cos[j]!, 5));
      const z = cos.map((c) => Math.exp(100 * c));
      r.probabilities.forEach((p, j) => expect(p).toBeCloseTo(z[j]! / z.reduce((s, v) => s + v, 0), 4));
      expect(r.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    });
    expect(results[0]!.cosines).not.toEqual(results[1]!.cosines);
  });
});

describe('stand-ins that differ from the manifest are rejected, naming the difference', () => {
  const reject = async (bytes: Uint8Array, expected: IoContract, role: string) => {
    const files = new Map([
      ['text_model', standins.clipText],
      ['vision_model', standins.clipVision],
      [role, bytes],
    ]);
    const viaOpen = await openClip(
      entry,
      { files, tokenizer: standins.clipTokenizer.tokenizer },
      directOpener('wasm', entry.id),
    ).catch((e: unknown) => e);
    expect(viaOpen).toBeInstanceOf(ContractMismatchError);
    const error = await openDirectSession(bytes, { backend: 'wasm', expected, modelName: `clip-vit-b32 ${role}` }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractMismatchError);
    return error as ContractMismatchError;
  };
  const text = io('text_model');
  const vision = io('vision_model');

  it('a wrong input name', async () => {
    const e = await reject(
      clipTextStandin({ ...text, inputs: { ids: text.inputs['input_ids']! } }),
      text,
      'text_model',
    );
    expect(e.differences).toEqual([
      'input "input_ids" is missing (the model has "ids")',
      'input "ids" is not in the manifest',
    ]);
    expect(e.message).toMatch(/^The clip-vit-b32 text_model file does not match its manifest contract/);
  });

  it('a wrong input dtype (int32 ids where the export has int64)', async () => {
    const e = await reject(
      clipTextStandin({ ...text, inputs: { input_ids: { dtype: 'int32', shape: ['batch_size', 'sequence_length'] } } }),
      text,
      'text_model',
    );
    expect(e.differences).toEqual(['input "input_ids" is int32, the manifest says int64']);
  });

  it('a wrong output shape (256-d embeddings)', async () => {
    const e = await reject(
      clipVisionStandin({ ...vision, outputs: { image_embeds: { dtype: 'float32', shape: ['batch_size', 256] } } }),
      vision,
      'vision_model',
    );
    expect(e.differences).toEqual(['output "image_embeds" dimension 1 is 256, the manifest says 512']);
  });
});
