/**
 * Rendering a scene to pixels. Each object's coverage of a pixel is measured on an n×n grid of
 * sample points (n = canvas.supersample), which gives anti-aliased edges; the object's colour is
 * blended over the background by that coverage. Only +, −, ×, ÷, Math.sqrt (correctly rounded
 * by IEEE 754), comparisons, floor/ceil and Math.round are used, so the bytes are identical in
 * every engine.
 *
 * `scale` renders the same scene on a larger canvas (scale 2: 64×64, for the cascade's upsampler):
 * every coordinate and radius is multiplied by the scale (exact for powers of two), the sample
 * grid per pixel stays n×n, so a 64×64 image is the same picture as its 32×32 version, sharper.
 */
import type { Scene, SceneObject } from './types.ts';
import { vocabulary, type ShapeOutline, type Vocabulary } from './vocabulary.ts';

/**
 * Where the horizontal line at height y (relative to the centre, in units of the radius) is inside
 * the outline: a sorted list [x0, x1, x2, x3, …] meaning [x0, x1) ∪ [x2, x3) ∪ … (even–odd rule).
 */
function insideIntervals(outline: ShapeOutline, y: number): number[] {
  if (outline.kind === 'disc') {
    const r2 = outline.radius * outline.radius - y * y;
    if (r2 <= 0) return [];
    const half = Math.sqrt(r2); // correctly rounded in every engine
    return [-half, half];
  }
  const points = outline.points;
  const crossings: number[] = [];
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const pi = points[i]!;
    const pj = points[j]!;
    if (pi[1] > y !== pj[1] > y) crossings.push(pi[0] + ((y - pi[1]) * (pj[0] - pi[0])) / (pj[1] - pi[1]));
  }
  return crossings.sort((a, b) => a - b);
}

/**
 * Coverage in [0, 1] of every pixel by one object, as a width×height array (row-major): the
 * fraction of the pixel's n×n sample points ((i + ½)/n, (j + ½)/n) that fall inside the shape.
 * Each row of sample points is intersected with the outline once, then the samples inside each
 * interval are counted per pixel.
 */
export function objectCoverage(object: SceneObject, vocab: Vocabulary = vocabulary, scale = 1): Float32Array {
  const { supersample: n } = vocab.canvas;
  const width = vocab.canvas.width * scale;
  const height = vocab.canvas.height * scale;
  const coverage = new Float32Array(width * height);
  const radius = vocab.sizes[object.size]!.radius * scale;
  const outline = vocab.shapes[object.shape]!.outline;
  const cx = object.cx * scale;
  const cy = object.cy * scale;
  const y0 = Math.max(0, Math.floor(cy - radius));
  const y1 = Math.min(height - 1, Math.floor(cy + radius));
  const lastColumn = width * n - 1;
  const hits = new Int32Array(width);
  for (let py = y0; py <= y1; py++) {
    hits.fill(0);
    for (let sy = 0; sy < n; sy++) {
      const intervals = insideIntervals(outline, (py + (sy + 0.5) / n - cy) / radius);
      for (let k = 0; k + 1 < intervals.length; k += 2) {
        // Global sample columns c with (c + ½)/n in [left, right): c ∈ [ceil(left·n − ½), ceil(right·n − ½) − 1].
        const left = cx + intervals[k]! * radius;
        const right = cx + intervals[k + 1]! * radius;
        const first = Math.max(0, Math.ceil(left * n - 0.5));
        const last = Math.min(lastColumn, Math.ceil(right * n - 0.5) - 1);
        for (let c = first; c <= last;) {
          const px = Math.floor(c / n);
          const end = Math.min(last, px * n + n - 1);
          hits[px] = hits[px]! + (end - c + 1);
          c = end + 1;
        }
      }
    }
    for (let px = 0; px < width; px++) if (hits[px]! > 0) coverage[py * width + px] = hits[px]! / (n * n);
  }
  return coverage;
}

/**
 * The scene as 8-bit RGB, channel-first (3 × height × width): the `images.u8` row of the dataset.
 * `scale` 2 gives the 64×64 rendering of the same scene.
 */
export function renderSceneBytes(scene: Scene, vocab: Vocabulary = vocabulary, scale = 1): Uint8Array {
  if (scale !== 1 && scale !== 2 && scale !== 4)
    throw new RangeError(`renderSceneBytes: scale ${scale} is not 1, 2 or 4`);
  const { background } = vocab.canvas;
  const plane = vocab.canvas.width * scale * (vocab.canvas.height * scale);
  const linear = new Float64Array(3 * plane);
  for (let c = 0; c < 3; c++) linear.fill(background[c]!, c * plane, (c + 1) * plane);
  for (const object of scene.objects) {
    const coverage = objectCoverage(object, vocab, scale);
    const rgb = vocab.colours[object.colour]!.rgb;
    for (let i = 0; i < plane; i++) {
      const a = coverage[i]!;
      if (a === 0) continue;
      for (let c = 0; c < 3; c++) linear[c * plane + i] = linear[c * plane + i]! * (1 - a) + rgb[c]! * a;
    }
  }
  const bytes = new Uint8Array(3 * plane);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(linear[i]!);
  return bytes;
}

/** Bytes → model input: x = v / 127.5 − 1 ∈ [−1, 1] (the same map the Python training code applies). */
export function bytesToModelInput(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]! / 127.5 - 1;
  return out;
}

/** The scene as a model sees it: Float32Array, CHW (3 × 32 × 32 at scale 1), values in [−1, 1]. */
export function renderScene(scene: Scene, vocab: Vocabulary = vocabulary, scale = 1): Float32Array {
  return bytesToModelInput(renderSceneBytes(scene, vocab, scale));
}

/** Channel-first RGB bytes → interleaved RGBA (opaque), e.g. for a PNG or an ImageData. */
export function chwToRgba(bytes: Uint8Array, width: number, height: number): Uint8ClampedArray {
  const plane = width * height;
  if (bytes.length !== 3 * plane) throw new RangeError(`chwToRgba: expected ${3 * plane} bytes, got ${bytes.length}`);
  const rgba = new Uint8ClampedArray(4 * plane);
  for (let i = 0; i < plane; i++) {
    rgba[4 * i] = bytes[i]!;
    rgba[4 * i + 1] = bytes[plane + i]!;
    rgba[4 * i + 2] = bytes[2 * plane + i]!;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}
