/**
 * Sampling a scene from a seed. Every random choice comes from `createRng(seed)` (bit-identical
 * in every engine) and uses only +, −, ×, ÷ and Math.floor, so a seed gives the same scene
 * everywhere. Splits are honoured by redrawing from the same generator until the scene belongs
 * to the split, which keeps the map seed → scene a function.
 */
import { createRng, type Rng } from '../rng.ts';
import { belongsToSplit } from './splits.ts';
import type { OneObjectScene, Scene, SceneObject, Split, TwoObjectScene } from './types.ts';
import { vocabulary, type Region, type Vocabulary } from './vocabulary.ts';

/** Redraw limit for a split; the held-out split has probability ≈ 0.09 per draw, so this is never reached in practice. */
const MAX_DRAWS = 10_000;

function uniformIndex(rng: Rng, count: number): number {
  return Math.min(count - 1, Math.floor(rng.uniform() * count));
}

function uniformIn(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/** Range of centre coordinates that keeps an object of radius r at least `margin` inside [0, extent]. */
function centreRange(vocab: Vocabulary, radius: number, extent: number): [number, number] {
  return [vocab.canvas.margin + radius, extent - vocab.canvas.margin - radius];
}

function clampedRegion(vocab: Vocabulary, region: Region, radius: number): Region {
  const [xLo, xHi] = centreRange(vocab, radius, vocab.canvas.width);
  const [yLo, yHi] = centreRange(vocab, radius, vocab.canvas.height);
  return {
    xMin: Math.max(region.xMin, xLo),
    xMax: Math.min(region.xMax, xHi),
    yMin: Math.max(region.yMin, yLo),
    yMax: Math.min(region.yMax, yHi),
  };
}

function drawOneObject(rng: Rng, seed: number, vocab: Vocabulary): OneObjectScene {
  const colour = uniformIndex(rng, vocab.colours.length);
  const shape = uniformIndex(rng, vocab.shapes.length);
  const size = uniformIndex(rng, vocab.sizes.length);
  const position = uniformIndex(rng, vocab.positions.length);
  const mentionSize = rng.uniform() < vocab.mention.oneObjectSize;
  const mentionPosition = rng.uniform() < vocab.mention.oneObjectPosition;
  const box = clampedRegion(vocab, vocab.positions[position]!.region, vocab.sizes[size]!.radius);
  const cx = uniformIn(rng, box.xMin, box.xMax);
  const cy = uniformIn(rng, box.yMin, box.yMax);
  return { kind: 'one', seed, objects: [{ colour, shape, size, cx, cy }], position, mentionSize, mentionPosition };
}

/**
 * Places two objects so that "A relation B" holds unambiguously: along the relation's axis the
 * bounding boxes are at least `relationGap` apart; across it the centres differ by at most
 * min(overlapRatio·(rA + rB), dominance·distance), so the boxes overlap across the axis and the
 * relation could not be read as one of the other three.
 */
function placePair(rng: Rng, vocab: Vocabulary, relationIndex: number, rA: number, rB: number) {
  const relation = vocab.relations[relationIndex]!;
  const along = relation.axis === 'x' ? vocab.canvas.width : vocab.canvas.height;
  const across = relation.axis === 'x' ? vocab.canvas.height : vocab.canvas.width;
  // The object with the smaller coordinate along the axis comes "first".
  const [rFirst, rSecond] = relation.sign < 0 ? [rA, rB] : [rB, rA];
  const [loFirst, hiFirst] = centreRange(vocab, rFirst, along);
  const [loSecond, hiSecond] = centreRange(vocab, rSecond, along);
  const minDistance = rA + rB + vocab.layout.relationGap;
  const maxDistance = hiSecond - loFirst;
  const distance = uniformIn(rng, minDistance, maxDistance);
  const first = uniformIn(rng, Math.max(loFirst, loSecond - distance), Math.min(hiFirst, hiSecond - distance));
  const second = first + distance;

  const maxOffset = Math.min(
    vocab.layout.perpendicularOverlapRatio * (rA + rB),
    vocab.layout.perpendicularDominance * distance,
  );
  const offset = uniformIn(rng, -maxOffset, maxOffset); // centre_B − centre_A across the axis
  const [loA, hiA] = centreRange(vocab, rA, across);
  const [loB, hiB] = centreRange(vocab, rB, across);
  const acrossA = uniformIn(rng, Math.max(loA, loB - offset), Math.min(hiA, hiB - offset));
  const acrossB = acrossA + offset;

  const alongA = relation.sign < 0 ? first : second;
  const alongB = relation.sign < 0 ? second : first;
  return relation.axis === 'x'
    ? { a: { cx: alongA, cy: acrossA }, b: { cx: alongB, cy: acrossB } }
    : { a: { cx: acrossA, cy: alongA }, b: { cx: acrossB, cy: alongB } };
}

function drawTwoObjects(rng: Rng, seed: number, vocab: Vocabulary): TwoObjectScene {
  const colourA = uniformIndex(rng, vocab.colours.length);
  const shapeA = uniformIndex(rng, vocab.shapes.length);
  const sizeA = uniformIndex(rng, vocab.sizes.length);
  const colourB = vocab.layout.twoObjectsDistinctColours
    ? (colourA + 1 + uniformIndex(rng, vocab.colours.length - 1)) % vocab.colours.length
    : uniformIndex(rng, vocab.colours.length);
  const shapeB = uniformIndex(rng, vocab.shapes.length);
  const sizeB = uniformIndex(rng, vocab.sizes.length);
  const relation = uniformIndex(rng, vocab.relations.length);
  const mentionSize = rng.uniform() < vocab.mention.twoObjectsSizes;
  const { a, b } = placePair(rng, vocab, relation, vocab.sizes[sizeA]!.radius, vocab.sizes[sizeB]!.radius);
  const objectA: SceneObject = { colour: colourA, shape: shapeA, size: sizeA, ...a };
  const objectB: SceneObject = { colour: colourB, shape: shapeB, size: sizeB, ...b };
  return { kind: 'two', seed, objects: [objectA, objectB], relation, mentionSize };
}

function drawScene(rng: Rng, seed: number, vocab: Vocabulary): Scene {
  return rng.uniform() < vocab.layout.oneObjectProbability
    ? drawOneObject(rng, seed, vocab)
    : drawTwoObjects(rng, seed, vocab);
}

/**
 * The scene of `seed` in `split` ("all" by default). Deterministic: the same seed and split give
 * the same scene in Node and in every browser.
 */
export function sampleScene(seed: number, split: Split = 'all', vocab: Vocabulary = vocabulary): Scene {
  const rng = createRng(seed);
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const scene = drawScene(rng, rng.seed, vocab);
    if (belongsToSplit(scene, split, vocab)) return scene;
  }
  throw new Error(
    `shapes-world: no "${split}" scene found for seed ${seed} in ${MAX_DRAWS} draws; is the split empty?`,
  );
}

/**
 * The first scene, scanning seeds from `from` upward in `split`, that satisfies `predicate`
 * (e.g. to show an example of each position); throws after `limit` seeds.
 */
export function findScene(
  predicate: (scene: Scene) => boolean,
  options: { split?: Split; from?: number; limit?: number } = {},
  vocab: Vocabulary = vocabulary,
): Scene {
  const { split = 'all', from = 0, limit = 100_000 } = options;
  for (let seed = from; seed < from + limit; seed++) {
    const scene = sampleScene(seed, split, vocab);
    if (predicate(scene)) return scene;
  }
  throw new Error(`shapes-world: no matching "${split}" scene among seeds ${from}…${from + limit - 1}.`);
}

/** Axis-aligned bounding box of an object in pixels. */
export function objectBounds(object: SceneObject, vocab: Vocabulary = vocabulary): Region {
  const r = vocab.sizes[object.size]!.radius;
  return { xMin: object.cx - r, xMax: object.cx + r, yMin: object.cy - r, yMax: object.cy + r };
}
