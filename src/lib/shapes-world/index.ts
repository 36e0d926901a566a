/** The shapes world: vocabulary, scene sampling, captions, rendering, labels and splits. */
export * from './types.ts';
export * from './vocabulary.ts';
export * from './scene.ts';
export * from './caption.ts';
export * from './render.ts';
export * from './labels.ts';
export * from './splits.ts';
export * from './png.ts';
