/** Canvas drawing for one 2-D guidance panel: a density as a heat map, the blob centres, particles coloured by class. */
import { MIXTURE_MEANS, nearestBlob } from '../../lib/pocket/mixture2d-guidance';

/** Half-width of the square of the plane shown: [−EXTENT, EXTENT]². */
export const EXTENT = 2.6;

export interface GuidancePanelScene {
  /** size×size values in [0, 1], row 0 at the top (y = +EXTENT). */
  density: Float32Array;
  densitySize: number;
  /** Particles [n, 2]. */
  particles: Float32Array;
  /** The class being guided towards (its blobs are drawn larger). */
  classIndex: number;
  /** One colour per class, then the axis colour. */
  classColors: readonly string[];
  densityColor: string;
  axisColor: string;
}

export function cssColor(element: Element, name: string, fallback: string): string {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  return value.length > 0 ? value : fallback;
}

let heat: HTMLCanvasElement | null = null;

function heatMap(density: Float32Array, size: number, color: string): HTMLCanvasElement {
  heat ??= document.createElement('canvas');
  heat.width = size;
  heat.height = size;
  const ctx = heat.getContext('2d')!;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < density.length; i++) {
    image.data[4 * i] = r!;
    image.data[4 * i + 1] = g!;
    image.data[4 * i + 2] = b!;
    // A square root lifts the tails so the shape of low-density regions stays visible.
    image.data[4 * i + 3] = Math.round(150 * Math.sqrt(density[i]!));
  }
  ctx.putImageData(image, 0, 0);
  return heat;
}

export function drawGuidancePanel(canvas: HTMLCanvasElement, scene: GuidancePanelScene): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const size = canvas.width;
  const toPx = size / (2 * EXTENT);
  const px = (x: number) => (x + EXTENT) * toPx;
  const py = (y: number) => (EXTENT - y) * toPx;
  ctx.clearRect(0, 0, size, size);

  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(heatMap(scene.density, scene.densitySize, scene.densityColor), 0, 0, size, size);

  ctx.globalAlpha = 0.35;
  ctx.strokeStyle = scene.axisColor;
  ctx.lineWidth = Math.max(1, size / 600);
  ctx.beginPath();
  ctx.moveTo(0, py(0));
  ctx.lineTo(size, py(0));
  ctx.moveTo(px(0), 0);
  ctx.lineTo(px(0), size);
  ctx.stroke();

  // Blob centres: rings of radius σ·2 in the class colour; the guided class's are thicker.
  ctx.globalAlpha = 0.9;
  for (const blob of MIXTURE_MEANS) {
    ctx.strokeStyle = scene.classColors[blob.classIndex]!;
    ctx.lineWidth = blob.classIndex === scene.classIndex ? Math.max(2, size / 150) : Math.max(1, size / 400);
    ctx.beginPath();
    ctx.arc(px(blob.x), py(blob.y), 0.3 * toPx, 0, 2 * Math.PI);
    ctx.stroke();
  }

  const dot = Math.max(1.2, size / 300);
  ctx.globalAlpha = 0.8;
  const { particles } = scene;
  for (let c = 0; c < scene.classColors.length; c++) {
    ctx.fillStyle = scene.classColors[c]!;
    ctx.beginPath();
    for (let k = 0; k < particles.length; k += 2) {
      const x = particles[k]!;
      const y = particles[k + 1]!;
      if (MIXTURE_MEANS[nearestBlob(x, y)]!.classIndex !== c) continue;
      ctx.rect(px(x) - dot, py(y) - dot, 2 * dot, 2 * dot);
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}
