/**
 * CLIP's image preprocessing, as Xenova/clip-vit-base-patch32's preprocessor_config.json states it
 * (the same as OpenAI's): convert to RGB, resize so the shortest edge is 224 with bicubic
 * resampling (`resample: 3`), centre-crop 224 × 224, scale to [0, 1], normalise each channel with
 * CLIP's mean and standard deviation, and lay the result out channel-first (CHW).
 *
 * The resize follows Pillow's `Image.resize(…, BICUBIC)`, which the reference processor calls: a
 * separable convolution with Keys' cubic kernel (a = −0.5), widened by the scale factor when
 * shrinking so every source pixel contributes (antialiasing), horizontal pass then vertical, each
 * rounded to 8 bits as Pillow does for 8-bit images.
 */

export const CLIP_IMAGE_SIZE = 224;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Pixels as a canvas ImageData holds them (RGBA) or packed RGB, row-major, 8 bits per channel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  /** 4 (RGBA, alpha ignored as Pillow's convert("RGB") does) or 3; default 4. */
  channels?: 3 | 4;
}

/** Keys' cubic convolution kernel with a = −0.5 (Pillow's bicubic filter). */
export function bicubicKernel(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** For each output index, the first source index and normalised weights (Pillow's precompute_coeffs). */
export function resampleWeights(inSize: number, outSize: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(centre + support + 0.5));
    const w = new Float64Array(hi - lo);
    let total = 0;
    for (let j = lo; j < hi; j++) {
      const v = bicubicKernel((j - centre + 0.5) / filterScale);
      w[j - lo] = v;
      total += v;
    }
    if (total !== 0) for (let k = 0; k < w.length; k++) w[k] /= total;
    start[i] = lo;
    weights.push(w);
  }
  return { start, weights };
}

const clamp8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Bicubic resize of 8-bit RGB (packed, 3 channels) to outW × outH, horizontal pass then vertical. */
export function resizeBicubic(rgb: Uint8Array, width: number, height: number, outW: number, outH: number): Uint8Array {
  const h = resampleWeights(width, outW);
  const tmp = new Uint8Array(outW * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      const w = h.weights[x]!;
      const s = h.start[x]!;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * rgb[(y * width + s + k) * 3 + c]!;
        tmp[(y * outW + x) * 3 + c] = clamp8(acc);
      }
    }
  }
  const v = resampleWeights(height, outH);
  const out = new Uint8Array(outW * outH * 3);
  for (let y = 0; y < outH; y++) {
    const w = v.weights[y]!;
    const s = v.start[y]!;
    for (let x = 0; x < outW; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k]! * tmp[((s + k) * outW + x) * 3 + c]!;
        out[(y * outW + x) * 3 + c] = clamp8(acc);
      }
    }
  }
  return out;
}

/** The size after "shortest edge → size" (transformers' get_resize_output_image_size: the long side is truncated). */
export function shortestEdgeSize(
  width: number,
  height: number,
  size = CLIP_IMAGE_SIZE,
): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

function toRgb(image: RgbImage): Uint8Array {
  const channels = image.channels ?? 4;
  const n = image.width * image.height;
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1) {
    throw new Error(`Image size must be positive integers, got ${image.width} × ${image.height}.`);
  }
  if (image.data.length !== n * channels) {
    throw new Error(
      `Image data has ${image.data.length} values; ${image.width} × ${image.height} × ${channels} expected.`,
    );
  }
  if (channels === 3) return Uint8Array.from(image.data);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = image.data[i * 4]!;
    rgb[i * 3 + 1] = image.data[i * 4 + 1]!;
    rgb[i * 3 + 2] = image.data[i * 4 + 2]!;
  }
  return rgb;
}

/** One image → Float32Array(3 × 224 × 224), CHW, normalised: (v/255 − mean_c) / std_c. */
export function clipPixelValues(image: RgbImage, size = CLIP_IMAGE_SIZE): Float32Array {
  const rgb = toRgb(image);
  const resized = shortestEdgeSize(image.width, image.height, size);
  const scaled =
    resized.width === image.width && resized.height === image.height
      ? rgb
      : resizeBicubic(rgb, image.width, image.height, resized.width, resized.height);
  // transformers' center_crop: top = (H − crop) // 2, left = (W − crop) // 2.
  const top = Math.floor((resized.height - size) / 2);
  const left = Math.floor((resized.width - size) / 2);
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = ((top + y) * resized.width + left + x) * 3;
      for (let c = 0; c < 3; c++)
        out[c * plane + y * size + x] = (scaled[src + c]! / 255 - CLIP_MEAN[c]!) / CLIP_STD[c]!;
    }
  }
  return out;
}

/** Several images as one [n, 3, 224, 224] batch. */
export function clipPixelBatch(
  images: readonly RgbImage[],
  size = CLIP_IMAGE_SIZE,
): { data: Float32Array; dims: [number, number, number, number] } {
  const per = 3 * size * size;
  const data = new Float32Array(images.length * per);
  images.forEach((img, i) => data.set(clipPixelValues(img, size), i * per));
  return { data, dims: [images.length, 3, size, size] };
}
