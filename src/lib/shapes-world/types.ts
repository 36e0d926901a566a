/** Data types shared by the shapes-world modules. All attribute values are indices into the vocabulary arrays. */

/** One object as drawn: attributes plus its centre in canvas pixels (x right, y down). */
export interface SceneObject {
  readonly colour: number;
  readonly shape: number;
  readonly size: number;
  readonly cx: number;
  readonly cy: number;
}

export interface OneObjectScene {
  readonly kind: 'one';
  readonly seed: number;
  readonly objects: readonly [SceneObject];
  readonly position: number;
  readonly mentionSize: boolean;
  readonly mentionPosition: boolean;
}

export interface TwoObjectScene {
  readonly kind: 'two';
  readonly seed: number;
  /** objects[0] is the first object named by the caption: "objects[0] relation objects[1]". */
  readonly objects: readonly [SceneObject, SceneObject];
  readonly relation: number;
  readonly mentionSize: boolean;
}

export type Scene = OneObjectScene | TwoObjectScene;

/** What a caption says about one object; `size` is null when the caption does not name it. */
export interface ObjectDescription {
  readonly colour: number;
  readonly shape: number;
  readonly size: number | null;
}

/** The meaning of a caption. */
export type CaptionAttributes =
  | { readonly kind: 'one'; readonly object: ObjectDescription; readonly position: number | null }
  | {
      readonly kind: 'two';
      readonly objects: readonly [ObjectDescription, ObjectDescription];
      readonly relation: number;
    };

export type Split = 'train' | 'heldout' | 'all';
