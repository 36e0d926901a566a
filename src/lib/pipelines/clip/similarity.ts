/**
 * CLIP's contrastive scores (Radford et al. 2021, Figure 3): embeddings are L2-normalised, their
 * dot products are cosine similarities, and logits = t · cos with the learned temperature
 * t = exp(logit_scale), which training clips at 100 (and ViT-B/32 reaches). Zero-shot
 * classification is a softmax over the class prompts' logits for each image.
 */

/** CLIP ViT-B/32's exp(logit_scale) = 100. */
export const CLIP_LOGIT_SCALE = 100;

/** Rows of a [n, d] matrix scaled to unit length (a zero row stays zero). */
export function l2NormalizeRows(data: Float32Array, dim: number): Float32Array {
  if (dim <= 0 || data.length % dim !== 0) throw new Error(`${data.length} values are not rows of ${dim}.`);
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length / dim; r++) {
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += data[r * dim + k]! ** 2;
    const norm = Math.sqrt(sq);
    if (norm === 0) continue;
    for (let k = 0; k < dim; k++) out[r * dim + k] = data[r * dim + k]! / norm;
  }
  return out;
}

/** cos[i][j] between row i of `a` and row j of `b` (both already unit rows of width dim). */
export function similarityMatrix(a: Float32Array, b: Float32Array, dim: number): number[][] {
  const rows = a.length / dim;
  const cols = b.length / dim;
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < cols; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[i * dim + k]! * b[j * dim + k]!;
      row.push(dot);
    }
    out.push(row);
  }
  return out;
}

/** softmax(scale · cos) over one row: the probability of each class prompt for one image. */
export function zeroShotProbabilities(cosines: readonly number[], scale = CLIP_LOGIT_SCALE): number[] {
  const logits = cosines.map((c) => scale * c);
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / total);
}
