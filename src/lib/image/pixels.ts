/**
 * Pixel conversions between 8-bit RGBA (canvas ImageData layout) and the signed floats a
 * diffusion model sees. Ho et al. 2020 (§4) scale pixels linearly from {0..255} to [−1, 1];
 * we do the same and keep three channels, row-major, interleaved (HWC): [r, g, b, r, g, b, …].
 */

/** Number of colour channels kept in the signed representation. */
export const CHANNELS = 3;

function checkSize(width: number, height: number): number {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image: bad size ${width}×${height}`);
  }
  return width * height;
}

/**
 * RGBA bytes → Float32 RGB in [−1, 1]. Transparent pixels are composited over white first,
 * so a logo with an alpha channel looks the way it does on the page.
 */
export function rgbaToSigned(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const pixels = checkSize(width, height);
  if (rgba.length !== pixels * 4) throw new RangeError(`image: expected ${pixels * 4} bytes, got ${rgba.length}`);
  const out = new Float32Array(pixels * CHANNELS);
  for (let p = 0; p < pixels; p++) {
    const alpha = rgba[p * 4 + 3]! / 255;
    for (let c = 0; c < CHANNELS; c++) {
      const composited = rgba[p * 4 + c]! * alpha + 255 * (1 - alpha);
      out[p * CHANNELS + c] = (composited / 255) * 2 - 1;
    }
  }
  return out;
}

/** Float32 RGB (any range) → opaque RGBA bytes; values are clipped to [−1, 1] first. */
export function signedToRgba(values: ArrayLike<number>, width: number, height: number): Uint8ClampedArray {
  const pixels = checkSize(width, height);
  if (values.length !== pixels * CHANNELS) {
    throw new RangeError(`image: expected ${pixels * CHANNELS} values, got ${values.length}`);
  }
  const out = new Uint8ClampedArray(pixels * 4);
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < CHANNELS; c++) {
      const v = values[p * CHANNELS + c]!;
      const clipped = Number.isNaN(v) ? 0 : Math.min(1, Math.max(-1, v));
      out[p * 4 + c] = Math.round(((clipped + 1) / 2) * 255);
    }
    out[p * 4 + 3] = 255;
  }
  return out;
}

/**
 * The largest centred square of a width×height image, as a source rectangle for drawImage:
 * the scrubber shows square images and crops rather than squashes.
 */
export function centerSquare(width: number, height: number): { sx: number; sy: number; size: number } {
  checkSize(width, height);
  const size = Math.min(width, height);
  return { sx: Math.floor((width - size) / 2), sy: Math.floor((height - size) / 2), size };
}
