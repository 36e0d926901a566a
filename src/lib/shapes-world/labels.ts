/**
 * Attribute labels of a scene, the targets of the evaluator classifier. The layout is the
 * `labels.i32` row of the dataset format (models/shapes-world/README.md); −1 = not applicable.
 */
import { isHeldOut } from './splits.ts';
import type { Scene } from './types.ts';
import { vocabulary, type Vocabulary } from './vocabulary.ts';

export const LABEL_FIELDS = [
  'objectCount',
  'colour0',
  'shape0',
  'size0',
  'position0',
  'colour1',
  'shape1',
  'size1',
  'relation',
  'sizeMentioned',
  'positionMentioned',
  'heldOut',
] as const;

export type LabelField = (typeof LABEL_FIELDS)[number];

export const NOT_APPLICABLE = -1;

/** Index of a field in a label row. */
export function labelIndex(field: LabelField): number {
  return LABEL_FIELDS.indexOf(field);
}

/** The label row of a scene, in `LABEL_FIELDS` order. */
export function sceneLabels(scene: Scene, vocab: Vocabulary = vocabulary): Int32Array {
  const row = new Int32Array(LABEL_FIELDS.length).fill(NOT_APPLICABLE);
  const set = (field: LabelField, value: number) => {
    row[labelIndex(field)] = value;
  };
  const [first] = scene.objects;
  set('objectCount', scene.objects.length);
  set('colour0', first.colour);
  set('shape0', first.shape);
  set('size0', first.size);
  set('sizeMentioned', scene.mentionSize ? 1 : 0);
  set('heldOut', isHeldOut(scene, vocab) ? 1 : 0);
  if (scene.kind === 'one') {
    set('position0', scene.position);
    set('positionMentioned', scene.mentionPosition ? 1 : 0);
  } else {
    const second = scene.objects[1];
    set('colour1', second.colour);
    set('shape1', second.shape);
    set('size1', second.size);
    set('relation', scene.relation);
    set('positionMentioned', 0);
  }
  return row;
}

/** Per object (centre x, centre y, radius) in pixels; zeros for a missing second object. The `geometry.f32` row. */
export function sceneGeometry(scene: Scene, vocab: Vocabulary = vocabulary): Float32Array {
  const row = new Float32Array(6);
  scene.objects.forEach((o, i) => {
    row[3 * i] = o.cx;
    row[3 * i + 1] = o.cy;
    row[3 * i + 2] = vocab.sizes[o.size]!.radius;
  });
  return row;
}
