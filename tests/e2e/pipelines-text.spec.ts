import { expect, test } from './support/test';
import { readFileSync } from 'node:fs';
import { clipTextStandin, clipVisionStandin } from '../../models/standins/clip';
import { gpt2DecoderStandin } from '../../models/standins/gpt2';
import { clipStandinTokenizer, gpt2StandinTokenizer } from '../../models/standins/tokenizers';
import { openClip } from '../../src/lib/pipelines/clip/open';
import { Gpt2Generation } from '../../src/lib/pipelines/gpt2/generator';
import { openGpt2 } from '../../src/lib/pipelines/gpt2/open';
import { directOpener, type ContractEntry } from '../../src/lib/pipelines/model-session';

declare global {
  interface Window {
    textPipelines: any;
  }
}

type FileJson = { inputs: Record<string, any>; outputs: Record<string, any> };
const manifest = JSON.parse(readFileSync(new URL('../../models/manifest.json', import.meta.url), 'utf8'));
const entryOf = (id: string): { entry: ContractEntry; files: Record<string, FileJson> } => {
  const files = (manifest.models as unknown as Record<string, { files: Record<string, FileJson> }>)[id]!.files;
  return {
    files,
    entry: {
      id,
      files: Object.entries(files).map(([role, f]) => ({ role, io: { inputs: f.inputs, outputs: f.outputs } })),
    },
  };
};

/** The same pipelines in Node (Playwright's own process), for the browser's numbers to be held against. */
async function inNode() {
  const clipDef = entryOf('clip-vit-b32');
  const clipTok = clipStandinTokenizer();
  const clip = await openClip(
    clipDef.entry,
    {
      files: new Map([
        ['text_model', clipTextStandin(clipDef.files.text_model!)],
        ['vision_model', clipVisionStandin(clipDef.files.vision_model!)],
      ]),
      tokenizer: clipTok.tokenizer,
      tokenizerConfig: clipTok.config,
    },
    directOpener('wasm', 'clip-vit-b32'),
  );
  const textEmbeds = Array.from((await clip.embedTexts(['cat', 'dog', 'red car'])).raw);
  await clip.close();
  const gptDef = entryOf('gpt2');
  const gptTok = gpt2StandinTokenizer();
  const gpt2 = await openGpt2(
    gptDef.entry,
    {
      files: new Map([['decoder', gpt2DecoderStandin(gptDef.files.decoder!)]]),
      tokenizer: gptTok.tokenizer,
      tokenizerConfig: gptTok.config,
    },
    directOpener('wasm', 'gpt2'),
  );
  const g = await Gpt2Generation.start(gpt2.decoder, gpt2.tokenizer, 'the cat sat on', { temperature: 0, seed: 1 });
  for (let i = 0; i < 6; i++) await g.step();
  const sampled = await Gpt2Generation.start(gpt2.decoder, gpt2.tokenizer, 'a photo of', {
    temperature: 0.8,
    topK: 20,
    topP: 0.9,
    seed: 7,
  });
  for (let i = 0; i < 4; i++) await sampled.step();
  await gpt2.close();
  return { textEmbeds, greedyTokens: g.tokens, text: g.text(), sampledTokens: sampled.tokens };
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(b).toHaveLength(a.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

test.describe('CLIP and GPT-2 pipelines on stand-ins: Chromium WASM, Chromium WebGPU and Node agree', () => {
  test.setTimeout(240_000);

  test.beforeEach(async ({ page }) => {
    await page.goto('/test-fixtures/pipelines-text/');
    await page.locator('html[data-text-pipelines="ready"]').waitFor({ state: 'attached' });
    const caps = await page.evaluate(() => window.textPipelines.caps());
    expect(caps.adapter, 'Chromium with --enable-unsafe-webgpu offers an adapter (SwiftShader)').not.toBeNull();
  });

  test('CLIP: embeddings, similarities and zero-shot probabilities', async ({ page }, testInfo) => {
    const wasm = await page.evaluate(() => window.textPipelines.runClip('wasm'));
    const webgpu = await page.evaluate(() => window.textPipelines.runClip('webgpu'));
    expect([wasm.backend, webgpu.backend]).toEqual(['wasm', 'webgpu']);
    expect(wasm.textEmbeds).toHaveLength(3 * 512);
    expect(wasm.imageEmbeds).toHaveLength(2 * 512);
    expect(wasm.textEmbeds.some((v: number) => v !== 0)).toBe(true);
    for (const row of wasm.probabilities as number[][]) expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    const diffs = {
      text: maxAbsDiff(wasm.textEmbeds, webgpu.textEmbeds),
      image: maxAbsDiff(wasm.imageEmbeds, webgpu.imageEmbeds),
      cosine: maxAbsDiff(wasm.cosines.flat(), webgpu.cosines.flat()),
      probability: maxAbsDiff(wasm.probabilities.flat(), webgpu.probabilities.flat()),
    };
    testInfo.annotations.push({ type: 'CLIP max |WASM − WebGPU|', description: JSON.stringify(diffs) });
    console.log(
      `CLIP stand-ins: WASM ${wasm.ms.toFixed(0)} ms, WebGPU ${webgpu.ms.toFixed(0)} ms; max diffs ${JSON.stringify(diffs)}`,
    );
    expect(diffs.text).toBeLessThan(1e-3);
    expect(diffs.image).toBeLessThan(1e-3);
    expect(diffs.cosine).toBeLessThan(1e-4);
    // softmax(100·cos) magnifies cosine differences a hundredfold.
    expect(diffs.probability).toBeLessThan(1e-2);
    expect(await page.evaluate(() => window.textPipelines.holders())).toEqual({});
  });

  test('GPT-2: greedy tokens, next-token distributions, KV cache = full pass, seeded sampling', async ({
    page,
  }, testInfo) => {
    const wasm = await page.evaluate(() => window.textPipelines.runGpt2('wasm'));
    const webgpu = await page.evaluate(() => window.textPipelines.runGpt2('webgpu'));
    expect([wasm.backend, webgpu.backend]).toEqual(['wasm', 'webgpu']);
    expect(wasm.greedyTokens).toHaveLength(6);
    expect(wasm.text.startsWith('the cat sat on')).toBe(true);
    for (const r of [wasm, webgpu]) {
      expect(r.cacheDiff, `${r.backend}: stepping through the cache reproduces the full pass`).toBeLessThan(1e-3);
      expect(r.distributions).toHaveLength(6);
      // Greedy: all probability on the top token, which is the token taken.
      r.distributions.forEach((top: { id: number; probability: number }[], i: number) => {
        expect(top[0]).toEqual({ id: r.greedyTokens[i], probability: 1 });
      });
      expect(r.sampledTokens).toHaveLength(4);
    }
    expect(webgpu.greedyTokens).toEqual(wasm.greedyTokens);
    expect(webgpu.sampledTokens).toEqual(wasm.sampledTokens);
    const logitDiff = maxAbsDiff(wasm.lastLogits, webgpu.lastLogits);
    testInfo.annotations.push({ type: 'GPT-2 max |WASM − WebGPU| logits', description: String(logitDiff) });
    console.log(
      `GPT-2 stand-in: WASM ${wasm.ms.toFixed(0)} ms, WebGPU ${webgpu.ms.toFixed(0)} ms; max logit diff ${logitDiff.toExponential(2)}`,
    );
    expect(logitDiff).toBeLessThan(1e-2);
    expect(await page.evaluate(() => window.textPipelines.holders())).toEqual({});
  });

  test('the browser on WASM gives the numbers Node gives (same stand-ins, same code)', async ({ page }) => {
    const node = await inNode();
    const clip = await page.evaluate(() => window.textPipelines.runClip('wasm'));
    expect(maxAbsDiff(node.textEmbeds, clip.textEmbeds)).toBeLessThan(1e-5);
    const gpt2 = await page.evaluate(() => window.textPipelines.runGpt2('wasm'));
    expect(gpt2.greedyTokens).toEqual(node.greedyTokens);
    expect(gpt2.text).toBe(node.text);
    expect(gpt2.sampledTokens).toEqual(node.sampledTokens);
  });

  test('a stand-in that breaks the contract is refused by the worker, naming the difference', async ({ page }) => {
    for (const backend of ['wasm', 'webgpu']) {
      const result = await page.evaluate((b) => window.textPipelines.wrongContract(b), backend);
      expect(result).toEqual({
        rejected: true,
        kind: 'contract',
        message:
          'The clip-vit-b32 text_model file does not match its manifest contract: output "text_embeds" dimension 1 is 256, the manifest says 512.',
      });
    }
  });
});
