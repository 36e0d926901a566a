/**
 * Training vs held-out combinations. The rules look only at colours and shapes, so they apply
 * equally to a sampled scene and to a parsed caption: a scene is held out exactly when its
 * caption's attributes are.
 */
import { vocabulary, type ColourShape, type Vocabulary } from './vocabulary.ts';
import type { CaptionAttributes, Scene, Split } from './types.ts';

type ObjectLike = { readonly colour: number; readonly shape: number };
type Combination = { readonly kind: 'one' | 'two'; readonly objects: readonly ObjectLike[] };

function same(a: ObjectLike, b: ColourShape): boolean {
  return a.colour === b.colour && a.shape === b.shape;
}

function combinationOf(item: Scene | CaptionAttributes): Combination {
  if ('objects' in item) return item;
  return { kind: 'one', objects: [item.object] };
}

/** Why a scene or caption is held out (a sentence for error messages and the site), or null if it is a training combination. */
export function heldOutReason(item: Scene | CaptionAttributes, vocab: Vocabulary = vocabulary): string | null {
  const { kind, objects } = combinationOf(item);
  const describe = (o: ObjectLike) => `${vocab.colours[o.colour]!.name} ${vocab.shapes[o.shape]!.name}`;
  if (kind === 'one') {
    const rule = vocab.heldOut.oneObjectColourShape.find((r) => same(objects[0]!, r));
    return rule ? `a lone ${describe(objects[0]!)} is held out for evaluation` : null;
  }
  const [a, b] = objects as readonly [ObjectLike, ObjectLike];
  const pair = vocab.heldOut.twoObjectPairs.find(([p, q]) => (same(a, p) && same(b, q)) || (same(a, q) && same(b, p)));
  return pair ? `a ${describe(a)} together with a ${describe(b)} is held out for evaluation` : null;
}

export function isHeldOut(item: Scene | CaptionAttributes, vocab: Vocabulary = vocabulary): boolean {
  return heldOutReason(item, vocab) !== null;
}

/** Whether `split` may contain this scene: "train" excludes held-out combinations, "heldout" keeps only them, "all" keeps everything. */
export function belongsToSplit(item: Scene | CaptionAttributes, split: Split, vocab: Vocabulary = vocabulary): boolean {
  if (split === 'all') return true;
  return isHeldOut(item, vocab) === (split === 'heldout');
}

export const SPLITS: readonly Split[] = ['train', 'heldout', 'all'];

export function isSplit(value: string): value is Split {
  return (SPLITS as readonly string[]).includes(value);
}
