/** The Hub repositories and the small manifest the models:pin tests share. */
import { createHash, randomBytes } from 'node:crypto';
import type { FakeRepo } from './fake-hub';

export const COMMIT = {
  sdMain: 'a'.repeat(40),
  sdV2: 'b'.repeat(40),
  clipMain: 'c'.repeat(40),
  gatedMain: 'd'.repeat(40),
};
export const TOKEN = 'hf_test_secret';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const lfs = (size: number) => ({ size, sha256: sha256(randomBytes(32)) });

export const tokenizerConfig = Buffer.from(
  `${JSON.stringify({ model_max_length: 77, do_lower_case: true, bos_token: '<|startoftext|>', eos_token: '<|endoftext|>' }, null, 2)}\n`,
);
export const HUB = {
  unet: lfs(1_731_234_567),
  unetV2: lfs(1_731_999_999),
  textEncoder: lfs(492_265_879),
  gated: lfs(129_000_001),
};

export function fakeRepos(): Record<string, FakeRepo> {
  const sdFiles = (unet: { size: number; sha256: string }) => [
    { path: '.gitattributes', bytes: Buffer.from('*.onnx filter=lfs diff=lfs merge=lfs -text\n') },
    { path: 'README.md', bytes: Buffer.from('# sd-test\n') },
    { path: 'unet/model.onnx', lfs: unet },
    { path: 'tokenizer/tokenizer_config.json', bytes: tokenizerConfig },
    { path: 'tokenizer/vocab.json', bytes: Buffer.from('{"a": 0}\n') },
    { path: 'big/weights.bin', size: 60_000_000 },
  ];
  return {
    'owner/sd-test': {
      refs: { main: COMMIT.sdMain, v2: COMMIT.sdV2 },
      commits: { [COMMIT.sdMain]: sdFiles(HUB.unet), [COMMIT.sdV2]: sdFiles(HUB.unetV2) },
    },
    'other/clip-test': {
      refs: { main: COMMIT.clipMain },
      commits: {
        [COMMIT.clipMain]: [
          { path: 'README.md', bytes: Buffer.from('# clip\n') },
          { path: 'config.json', bytes: Buffer.from('{}\n') },
          { path: 'text_encoder.onnx', lfs: HUB.textEncoder },
        ],
      },
    },
    'gated/gpt-test': {
      token: TOKEN,
      refs: { main: COMMIT.gatedMain },
      commits: { [COMMIT.gatedMain]: [{ path: 'onnx/decoder.onnx', lfs: HUB.gated }] },
    },
  };
}

const io = (name: string) => ({ [name]: { dtype: 'float32', shape: ['batch', 4] } });

/** A manifest document: one pocket entry and two full ones (test-sd with a file on another repo; test-gpt on a gated repo). */
export function manifestDocument() {
  return {
    models: {
      'pocket-a': {
        id: 'pocket-a',
        tier: 'pocket',
        task: 'toy',
        licence: 'CC-BY-4.0',
        model: 'toy',
        file: 'pocket/a.onnx',
        bytes: 1000,
        sha256: 'e'.repeat(64),
        opset: 17,
        parameters: 10,
        inputs: io('x'),
        outputs: io('eps'),
        metrics: { accuracy: 1234567, tiny: 7654321 },
        requiredFeatures: [],
        memoryEstimateBytes: 2000,
        title: 'Toy',
        summary: 'A toy.',
        card: 'cards/a.md',
      },
      'test-sd': {
        id: 'test-sd',
        tier: 'full',
        task: 'text-to-image',
        title: 'SD test — ε-prediction',
        licence: 'MIT',
        licenceUrl: 'https://example.com/licence',
        hub: { repo: 'owner/sd-test', revision: null },
        files: {
          text_encoder: {
            hub: { repo: 'other/clip-test', revision: null },
            path: 'text_encoder.onnx',
            bytes: null,
            bytesApprox: 400_000_000,
            sha256: null,
            inputs: io('input_ids'),
            outputs: io('last_hidden_state'),
          },
          unet: {
            path: 'unet/model.onnx',
            bytes: null,
            bytesApprox: 1_720_000_000,
            sha256: null,
            inputs: io('sample'),
            outputs: io('out_sample'),
          },
          tokenizer_config: {
            path: 'tokenizer/tokenizer_config.json',
            bytes: null,
            bytesApprox: tokenizerConfig.length + 3,
            sha256: null,
          },
        },
        requiredFeatures: ['webgpu'],
        memoryEstimateBytes: 3_000_000_000,
        memoryBasis: 'fp16 weights',
      },
      'test-gpt': {
        id: 'test-gpt',
        tier: 'full',
        task: 'text generation',
        title: 'GPT test',
        licence: 'MIT',
        licenceUrl: 'https://example.com/licence',
        hub: { repo: 'gated/gpt-test', revision: null },
        files: {
          decoder: {
            path: 'onnx/decoder.onnx',
            bytes: null,
            bytesApprox: 128_000_000,
            sha256: null,
            inputs: io('input_ids'),
            outputs: io('logits'),
          },
        },
        requiredFeatures: [],
        memoryEstimateBytes: 400_000_000,
        memoryBasis: 'int8 weights',
      },
    },
    totalOnnxBytes: 1000,
    budgetBytes: 10_000_000,
  };
}

/** As Python's json.dump(indent=2) writes it (the real manifest's writer): `1.0` and `2.5e-07` stay as written. */
export function manifestText(doc: unknown = manifestDocument()): string {
  return `${JSON.stringify(doc, null, 2)}\n`
    .replace('"accuracy": 1234567', '"accuracy": 1.0')
    .replace('"tiny": 7654321', '"tiny": 2.5e-07');
}

export { sha256 };
