/**
 * Scoring generated shapes-world images with the evaluator (models/pocket/shapes-evaluator.onnx):
 * decode its heads into attributes, compare them with what the caption asked for, and measure
 * diversity. Used by `npm run models:eval` (Node) and the fidelity-versus-diversity widget, so the
 * book's table and the live plot are the same computation.
 *
 * Head layout and the canonical A/B order of two-object scenes: models/train/README.md.
 */
import { vocabulary, type Vocabulary } from '../shapes-world/vocabulary.ts';
import type { CaptionAttributes, ObjectDescription } from '../shapes-world/types.ts';

export interface PredictedObject {
  colour: number;
  shape: number;
  size: number;
}

export interface PredictedScene {
  objectCount: 1 | 2;
  /** The one-object heads (meaningful when objectCount is 1). */
  single: PredictedObject;
  position: number;
  /** The two-object heads: A is the left (axis 0) or upper (axis 1) object. */
  a: PredictedObject;
  b: PredictedObject;
  /** 0: the objects are side by side (horizontal relation), 1: one above the other. */
  axis: 0 | 1;
}

/** Each head's name and number of classes, in the order of the evaluator's logits. */
export function evaluatorHeads(vocab: Vocabulary = vocabulary): [string, number][] {
  const c = vocab.colours.length;
  const s = vocab.shapes.length;
  const z = vocab.sizes.length;
  return [
    ['objectCount', 2],
    ['colour', c],
    ['shape', s],
    ['size', z],
    ['position', vocab.positions.length],
    ['colourA', c],
    ['shapeA', s],
    ['sizeA', z],
    ['colourB', c],
    ['shapeB', s],
    ['sizeB', z],
    ['axis', 2],
  ];
}

function argmax(values: Float32Array, start: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[start + i]! > values[start + best]!) best = i;
  return best;
}

/** The evaluator's logits [batch, heads] → the most likely attributes of each image. */
export function decodeEvaluator(logits: Float32Array, batch: number, vocab: Vocabulary = vocabulary): PredictedScene[] {
  const heads = evaluatorHeads(vocab);
  const width = heads.reduce((sum, [, n]) => sum + n, 0);
  if (logits.length !== batch * width)
    throw new Error(`Evaluator logits hold ${logits.length} values, expected ${batch} × ${width}.`);
  const scenes: PredictedScene[] = [];
  for (let i = 0; i < batch; i++) {
    const head: Record<string, number> = {};
    let offset = i * width;
    for (const [name, n] of heads) {
      head[name] = argmax(logits, offset, n);
      offset += n;
    }
    scenes.push({
      objectCount: head.objectCount === 0 ? 1 : 2,
      single: { colour: head.colour!, shape: head.shape!, size: head.size! },
      position: head.position!,
      a: { colour: head.colourA!, shape: head.shapeA!, size: head.sizeA! },
      b: { colour: head.colourB!, shape: head.shapeB!, size: head.sizeB! },
      axis: head.axis === 0 ? 0 : 1,
    });
  }
  return scenes;
}

/** Per-attribute verdicts; null where the caption does not ask for that attribute. */
export interface CaptionMatch {
  objectCount: boolean;
  colour: boolean | null;
  shape: boolean | null;
  size: boolean | null;
  position: boolean | null;
  /** Two objects: colour and shape of both objects right (in either role). */
  bothObjects: boolean | null;
  /** Two objects: the right axis and the objects in the caption's order along it. */
  relation: boolean | null;
  /** Everything the caption asked for is in the image. */
  all: boolean;
}

function sameObject(predicted: PredictedObject, wanted: ObjectDescription): boolean {
  return predicted.colour === wanted.colour && predicted.shape === wanted.shape;
}

function sizeMatches(predicted: PredictedObject, wanted: ObjectDescription): boolean {
  return wanted.size === null || predicted.size === wanted.size;
}

/**
 * Does the image (as the evaluator sees it) show what the caption says?
 * "X rel Y" maps to the canonical order through the relation's sign: sign −1 (left of, above)
 * puts X first (A = X, B = Y), sign +1 puts Y first; the relation's axis must match too.
 */
export function matchCaption(
  predicted: PredictedScene,
  caption: CaptionAttributes,
  vocab: Vocabulary = vocabulary,
): CaptionMatch {
  if (caption.kind === 'one') {
    const countOk = predicted.objectCount === 1;
    const o = caption.object;
    const colour = countOk && predicted.single.colour === o.colour;
    const shape = countOk && predicted.single.shape === o.shape;
    const size = o.size === null ? null : countOk && predicted.single.size === o.size;
    const position = caption.position === null ? null : countOk && predicted.position === caption.position;
    return {
      objectCount: countOk,
      colour,
      shape,
      size,
      position,
      bothObjects: null,
      relation: null,
      all: countOk && colour && shape && size !== false && position !== false,
    };
  }
  const countOk = predicted.objectCount === 2;
  const relation = vocab.relations[caption.relation]!;
  const [x, y] = caption.objects;
  const [first, second] = relation.sign < 0 ? [x, y] : [y, x];
  const inOrder = sameObject(predicted.a, first) && sameObject(predicted.b, second);
  const swapped = sameObject(predicted.a, second) && sameObject(predicted.b, first);
  const axis = relation.axis === 'x' ? 0 : 1;
  const bothObjects = countOk && (inOrder || swapped);
  const relationOk = countOk && inOrder && predicted.axis === axis;
  const sizes = inOrder ? sizeMatches(predicted.a, first) && sizeMatches(predicted.b, second) : false;
  return {
    objectCount: countOk,
    colour: null,
    shape: null,
    size: null,
    position: null,
    bothObjects,
    relation: relationOk,
    all: relationOk && sizes,
  };
}

/** Mean Euclidean distance over all pairs of feature vectors [batch, dim]; 0 for fewer than two. */
export function meanPairwiseDistance(features: Float32Array, batch: number, dim = 256): number {
  if (features.length !== batch * dim)
    throw new Error(`Features hold ${features.length} values, expected ${batch} × ${dim}.`);
  if (batch < 2) return 0;
  let total = 0;
  for (let i = 0; i < batch; i++) {
    for (let j = i + 1; j < batch; j++) {
      let sq = 0;
      for (let k = 0; k < dim; k++) {
        const d = features[i * dim + k]! - features[j * dim + k]!;
        sq += d * d;
      }
      total += Math.sqrt(sq);
    }
  }
  return total / ((batch * (batch - 1)) / 2);
}

/** Fraction of `true` among the verdicts that apply (null = not asked); NaN when none apply. */
export function accuracy(verdicts: readonly (boolean | null)[]): number {
  const asked = verdicts.filter((v): v is boolean => v !== null);
  return asked.length === 0 ? Number.NaN : asked.filter(Boolean).length / asked.length;
}
