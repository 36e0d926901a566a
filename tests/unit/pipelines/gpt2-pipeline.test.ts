import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gpt2DecoderStandin } from '../../../models/standins/gpt2';
import { MANIFEST_PATH, textStandins } from '../../../models/standins/clip-gpt2-files';
import { Gpt2Decoder } from '../../../src/lib/pipelines/gpt2/decoder';
import { Gpt2Generation } from '../../../src/lib/pipelines/gpt2/generator';
import {
  ContractMismatchError,
  directOpener,
  openDirectSession,
  type ModelSession,
} from '../../../src/lib/pipelines/model-session';
import { openGpt2 } from '../../../src/lib/pipelines/gpt2/open';
import { Gpt2Tokenizer } from '../../../src/lib/pipelines/tokenizers/gpt2';
import { nextTokenDistribution } from '../../../src/lib/autoregressive/sampling';
import { parseManifest } from '../../../src/lib/runtime/manifest';

const entry = parseManifest(JSON.parse(readFileSync(MANIFEST_PATH, 'utf8'))).get('gpt2')!;
const contract = entry.files.find((f) => f.role === 'decoder')!.io;
const standins = textStandins();
const tokenizer = Gpt2Tokenizer.from(standins.gpt2Tokenizer.tokenizer, standins.gpt2Tokenizer.config);
const open = (bytes: Uint8Array) =>
  openDirectSession(bytes, { backend: 'wasm', expected: contract, modelName: 'gpt2 decoder' });
let session: ModelSession;
let decoder: Gpt2Decoder;

let closeModel: () => Promise<void>;

beforeAll(async () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  const model = await openGpt2(
    entry,
    {
      files: new Map([['decoder', standins.gpt2Decoder]]),
      tokenizer: enc(standins.gpt2Tokenizer.tokenizer),
      tokenizerConfig: enc(standins.gpt2Tokenizer.config),
    },
    directOpener('wasm', entry.id),
  );
  decoder = model.decoder;
  session = decoder.session;
  closeModel = model.close;
  expect(model.tokenizer.vocabSize).toBe(50257);
});
afterAll(() => closeModel?.());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('GPT-2 decoder with KV cache on the stand-in (Node, WASM)', () => {
  it('reads layers, heads and head size from the session: 12 × 12 × 64, with position_ids', () => {
    expect([decoder.layers, decoder.heads, decoder.headDim, decoder.usesPositionIds]).toEqual([12, 12, 64, true]);
  });

  it('stepping token by token through the cache gives the same logits as one full forward pass', async () => {
    const prompt = tokenizer.encode('the cat sat on').ids;
    const continuation = tokenizer.encode(' the mat and the dog').ids;
    const all = [...prompt, ...continuation];
    const full = await decoder.forward(all);
    expect(full.vocab).toBe(50257);
    expect(full.cache.length).toBe(all.length);
    let step = await decoder.forward(prompt);
    const row = (i: number) => full.logits.subarray(i * 50257, (i + 1) * 50257);
    expect(maxAbsDiff(step.last, row(prompt.length - 1))).toBeLessThan(1e-4);
    for (let i = 0; i < continuation.length; i++) {
      step = await decoder.forward([continuation[i]!], step.cache);
      expect(step.cache.length).toBe(prompt.length + i + 1);
      expect(maxAbsDiff(step.last, row(prompt.length + i))).toBeLessThan(1e-4);
    }
    // The logits really depend on the context: the same last token after another prompt differs.
    const other = await decoder.forward([...tokenizer.encode('a photo of').ids, continuation.at(-1)!]);
    expect(maxAbsDiff(other.last, step.last)).toBeGreaterThan(1e-2);
  });

  it('an export without position_ids (older optimum) is driven by its own input names and agrees', async () => {
    const bytes = gpt2DecoderStandin(contract, { positionIds: false });
    const s = await open(bytes);
    const d = new Gpt2Decoder(s);
    expect(d.usesPositionIds).toBe(false);
    const ids = tokenizer.encode('once upon a time').ids;
    const [a, b] = [await d.forward(ids), await decoder.forward(ids)];
    expect(maxAbsDiff(a.logits, b.logits)).toBeLessThan(1e-5);
    const a2 = await d.forward([5], a.cache);
    const b2 = await decoder.forward([5], b.cache);
    expect(maxAbsDiff(a2.last, b2.last)).toBeLessThan(1e-5);
    await s.close();
  });

  it('refuses to go past the 1024-token context', async () => {
    await expect(decoder.forward(new Array(1025).fill(11))).rejects.toThrow(/at most 1024 tokens; this would be 1025/);
  });
});

describe('GPT-2 generation, one token at a time', () => {
  it('exposes the distribution before each token; greedy decoding takes its top token', async () => {
    const g = await Gpt2Generation.start(decoder, tokenizer, 'The model predicts', {
      temperature: 0,
      seed: 1,
      topN: 5,
    });
    for (let i = 0; i < 4; i++) {
      const before = g.top(5);
      expect(before[0]!.probability).toBe(1);
      const step = await g.step();
      expect(step.token.id).toBe(before[0]!.id);
      expect(step.top).toEqual(before);
    }
    expect(g.tokens).toHaveLength(4);
    expect(g.text()).toBe('The model predicts' + g.tokens.map((t) => tokenizer.display(t)).join(''));
  });

  it('the distribution is temperature → top-k → top-p of the decoder logits for the context so far', async () => {
    const opts = { temperature: 0.7, topK: 40, topP: 0.9, seed: 3 };
    const g = await Gpt2Generation.start(decoder, tokenizer, 'a photo of', opts);
    await g.step();
    const context = [...g.promptIds, ...g.tokens];
    const expected = nextTokenDistribution((await decoder.forward(context)).last, opts);
    expect(maxAbsDiff(g.distribution, expected)).toBeLessThan(1e-6);
    const kept = g.distribution.filter((p) => p > 0).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(40);
    expect(g.distribution.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });

  it('is reproducible from its seed, draws only from the top-k, and takes the reader’s choice', async () => {
    const run = async (seed: number) => {
      const g = await Gpt2Generation.start(decoder, tokenizer, 'the dog', { temperature: 1.5, topK: 3, seed });
      for (let i = 0; i < 5; i++) {
        const allowed = g.top(3).map((t) => t.id);
        const step = await g.step();
        expect(allowed).toContain(step.token.id);
      }
      return g.tokens;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    const g = await Gpt2Generation.start(decoder, tokenizer, 'the dog', { temperature: 1, seed: 42 });
    const pick = tokenizer.encode(' sat').ids[0]!;
    const p = g.distribution[pick]!;
    const step = await g.step(pick);
    expect(step.chosen).toBe(true);
    expect(step.token).toEqual({ id: pick, text: ' sat', probability: p });
    expect(g.text()).toBe('the dog sat');
  });

  it('an empty prompt starts from <|endoftext|>', async () => {
    const g = await Gpt2Generation.start(decoder, tokenizer, '', { temperature: 1, seed: 0 });
    expect(g.promptIds).toEqual([50256]);
    expect(g.top(3)).toHaveLength(3);
  });
});

describe('a decoder that differs from the manifest is rejected, naming the difference', () => {
  const reject = async (bytes: Uint8Array) => {
    const error = await open(bytes).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ContractMismatchError);
    return (error as ContractMismatchError).differences;
  };

  it('8 heads instead of 12', async () => {
    const inputs = Object.fromEntries(
      Object.entries(contract.inputs).map(([n, s]) => [
        n,
        n.startsWith('past_key_values.') ? { ...s, shape: ['batch_size', 8, 'past_sequence_length', 64] } : s,
      ]),
    );
    const outputs = Object.fromEntries(
      Object.entries(contract.outputs).map(([n, s]) => [
        n,
        n.startsWith('present.') ? { ...s, shape: ['batch_size', 8, 'total_sequence_length', 64] } : s,
      ]),
    );
    const differences = await reject(gpt2DecoderStandin({ inputs, outputs }, { width: 4 }));
    expect(differences).toHaveLength(48);
    expect(differences[0]).toBe('input "past_key_values.0.key" dimension 1 is 8, the manifest says 12');
    expect(differences).toContain('output "present.11.value" dimension 1 is 8, the manifest says 12');
  });

  it('int32 ids where the export has int64', async () => {
    const inputs = {
      ...contract.inputs,
      input_ids: { dtype: 'int32' as const, shape: ['batch_size', 'sequence_length'] },
    };
    const differences = await reject(gpt2DecoderStandin({ inputs, outputs: contract.outputs }, { width: 4 }));
    expect(differences).toEqual(['input "input_ids" is int32, the manifest says int64']);
  });
});
