/**
 * CLIP ViT-B/32 end to end: prompts → ids (77 each) → text tower → text_embeds; images →
 * preprocessing → vision tower → image_embeds; both L2-normalised; cosine similarity matrix and
 * zero-shot probabilities. The towers are ModelSessions (direct ORT in Node, the runtime worker in
 * the browser), already checked against the manifest's contract.
 */
import type { TensorData } from '../../runtime/ort';
import type { ExpectedContract } from '../../runtime/contract';
import { float32Output, type ModelSession } from '../model-session';
import { ClipTokenizer, toInt64 } from '../tokenizers/clip';
import { clipPixelBatch, type RgbImage } from './preprocess';
import { CLIP_LOGIT_SCALE, l2NormalizeRows, similarityMatrix, zeroShotProbabilities } from './similarity';

/** Tensor names: taken from the manifest's contracts (the one place they are written). */
export interface ClipNames {
  inputIds: string;
  textEmbeds: string;
  pixelValues: string;
  imageEmbeds: string;
}

function onlyRequired(map: ExpectedContract['inputs'], what: string): string {
  const names = Object.entries(map)
    .filter(([, s]) => !s.optional)
    .map(([n]) => n);
  if (names.length !== 1)
    throw new Error(
      `CLIP ${what}: expected exactly one required tensor, the contract lists ${names.join(', ') || 'none'}.`,
    );
  return names[0]!;
}

/** Names from the manifest files `text_model` and `vision_model` (ModelFile.io). */
export function clipNames(text: ExpectedContract, vision: ExpectedContract): ClipNames {
  return {
    inputIds: onlyRequired(text.inputs, 'text_model input'),
    textEmbeds: onlyRequired(text.outputs, 'text_model output'),
    pixelValues: onlyRequired(vision.inputs, 'vision_model input'),
    imageEmbeds: onlyRequired(vision.outputs, 'vision_model output'),
  };
}

export interface Embeddings {
  /** n × dim, unit rows. */
  normalized: Float32Array;
  /** The tower's raw output, n × dim. */
  raw: Float32Array;
  count: number;
  dim: number;
}

export interface ZeroShotResult {
  labels: string[];
  /** cos(image, label prompt) per label. */
  cosines: number[];
  /** softmax(100 · cos) per label. */
  probabilities: number[];
}

export class ClipPipeline {
  constructor(
    readonly text: ModelSession,
    readonly vision: ModelSession,
    readonly tokenizer: ClipTokenizer,
    readonly names: ClipNames,
    readonly logitScale = CLIP_LOGIT_SCALE,
  ) {}

  /** The ids tensor in the dtype the loaded text tower declares (int64 for the Xenova export). */
  idsTensor(texts: readonly string[]): TensorData {
    const batch = this.tokenizer.encodeBatch(texts);
    const declared = this.text.contract.inputs.find((d) => d.name === this.names.inputIds)?.dtype;
    if (declared === 'int32') return { dtype: 'int32', data: batch.ids, dims: batch.dims };
    return { dtype: 'int64', data: toInt64(batch.ids), dims: batch.dims };
  }

  /** 1 up to and including EOS, 0 on padding — fed only to exports that declare attention_mask. */
  maskTensor(texts: readonly string[]): TensorData | null {
    const declared = this.text.contract.inputs.find((d) => d.name === 'attention_mask');
    if (!declared) return null;
    const { lengths, dims } = this.tokenizer.encodeBatch(texts);
    const mask = new Int32Array(dims[0] * dims[1]);
    lengths.forEach((n, row) => mask.fill(1, row * dims[1], row * dims[1] + n));
    if (declared.dtype === 'int32') return { dtype: 'int32', data: mask, dims };
    return { dtype: 'int64', data: toInt64(mask), dims };
  }

  async embedTexts(texts: readonly string[]): Promise<Embeddings> {
    if (texts.length === 0) throw new Error('No texts to embed.');
    const mask = this.maskTensor(texts);
    const out = await this.text.run({
      [this.names.inputIds]: this.idsTensor(texts),
      ...(mask ? { attention_mask: mask } : {}),
    });
    return embeddings(float32Output(out, this.names.textEmbeds), texts.length);
  }

  async embedImages(images: readonly RgbImage[]): Promise<Embeddings> {
    if (images.length === 0) throw new Error('No images to embed.');
    const batch = clipPixelBatch(images);
    const out = await this.vision.run({
      [this.names.pixelValues]: { dtype: 'float32', data: batch.data, dims: batch.dims },
    });
    return embeddings(float32Output(out, this.names.imageEmbeds), images.length);
  }

  /** cos[i][j] between image i and text j. */
  similarity(images: Embeddings, texts: Embeddings): number[][] {
    if (images.dim !== texts.dim)
      throw new Error(`Image embeddings have ${images.dim} dimensions, text embeddings ${texts.dim}.`);
    return similarityMatrix(images.normalized, texts.normalized, images.dim);
  }

  /** Zero-shot classification of each image over `labels`, each put into `template` ("a photo of a {}"). */
  async zeroShot(
    images: readonly RgbImage[],
    labels: readonly string[],
    template = 'a photo of a {}.',
  ): Promise<ZeroShotResult[]> {
    const texts = await this.embedTexts(labels.map((l) => template.replace('{}', l)));
    const imgs = await this.embedImages(images);
    return this.similarity(imgs, texts).map((cosines) => ({
      labels: [...labels],
      cosines,
      probabilities: zeroShotProbabilities(cosines, this.logitScale),
    }));
  }

  async close(): Promise<void> {
    await Promise.all([this.text.close(), this.vision.close()]);
  }
}

function embeddings(output: { data: Float32Array; dims: readonly number[] }, count: number): Embeddings {
  const dim = output.dims.at(-1) ?? 0;
  if (output.dims[0] !== count || output.data.length !== count * dim) {
    throw new Error(`Expected ${count} embeddings, the model returned dims [${output.dims.join(', ')}].`);
  }
  return { raw: output.data, normalized: l2NormalizeRows(output.data, dim), count, dim };
}
