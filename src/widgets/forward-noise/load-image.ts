/**
 * Decoding an image in the browser (it never leaves the page) and reducing it to a small square
 * of signed pixels. Browser-only: uses createImageBitmap and a canvas.
 */
import { centerSquare, rgbaToSigned } from '../../lib/image/pixels';

/** Larger files are refused before decoding (a phone photo is a few MB). */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

export class ImageLoadError extends Error {}

export interface LoadedImage {
  /** size × size × 3 values in [−1, 1] (HWC). */
  pixels: Float32Array;
  size: number;
}

/** Centre-crops a decoded image to a square and downsamples it to size×size with smoothing. */
export function imageToPixels(
  source: CanvasImageSource & { width: number; height: number },
  size: number,
): LoadedImage {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new ImageLoadError('This browser could not create a canvas to read the image.');
  const { sx, sy, size: side } = centerSquare(source.width, source.height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size, size);
  context.drawImage(source, sx, sy, side, side, 0, 0, size, size);
  const { data } = context.getImageData(0, 0, size, size);
  return { pixels: rgbaToSigned(data, size, size), size };
}

/** Reads a user-chosen file; throws ImageLoadError with a reader-facing message when it cannot. */
export async function loadImageFile(file: File, size: number): Promise<LoadedImage> {
  if (file.size === 0) throw new ImageLoadError('That file is empty.');
  if (file.size > MAX_FILE_BYTES) {
    throw new ImageLoadError(`That file is too large (over ${MAX_FILE_BYTES / 1024 / 1024} MB). Try a smaller image.`);
  }
  if (file.type !== '' && !file.type.startsWith('image/')) {
    throw new ImageLoadError('That file is not an image. Choose a PNG, JPEG, GIF or WebP file.');
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageLoadError('That file could not be read as an image: it may be damaged or in an unsupported format.');
  }
  try {
    if (bitmap.width === 0 || bitmap.height === 0) throw new ImageLoadError('That image has no pixels.');
    return imageToPixels(bitmap, size);
  } finally {
    bitmap.close();
  }
}

/** Fetches and decodes a bundled image by URL. */
export async function loadImageUrl(url: string, size: number): Promise<LoadedImage> {
  const response = await fetch(url);
  if (!response.ok) throw new ImageLoadError(`The sample image could not be loaded (HTTP ${response.status}).`);
  const bitmap = await createImageBitmap(await response.blob());
  try {
    return imageToPixels(bitmap, size);
  } finally {
    bitmap.close();
  }
}

/** Paints signed HWC pixels onto a canvas of the same size. */
export function paintSigned(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, size: number): void {
  if (canvas.width !== size) canvas.width = size;
  if (canvas.height !== size) canvas.height = size;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.putImageData(new ImageData(new Uint8ClampedArray(rgba), size, size), 0, 0);
}
