/** A scene as a PNG file (32×32 RGBA), for build-time figures and downloads. */
import { encodePng } from '../image/png.ts';
import { chwToRgba, renderSceneBytes } from './render.ts';
import type { Scene } from './types.ts';
import { vocabulary, type Vocabulary } from './vocabulary.ts';

/** PNG bytes of a scene at its native size. Pass node:zlib's `deflateSync` for smaller files (default: stored blocks). */
export function scenePng(
  scene: Scene,
  deflate?: (data: Uint8Array) => Uint8Array,
  vocab: Vocabulary = vocabulary,
): Uint8Array {
  const { width, height } = vocab.canvas;
  return encodePng(chwToRgba(renderSceneBytes(scene, vocab), width, height), width, height, deflate);
}
