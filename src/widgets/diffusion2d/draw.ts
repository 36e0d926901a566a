/** Canvas drawing for one particle panel: faint data, trails for a few particles, all particles. */

/** Half-width of the square of the plane that is shown: [-EXTENT, EXTENT]². */
export const EXTENT = 3.2;

export interface TrailSource {
  /** Number of traced particles. */
  count: number;
  /** Points per trail (step index 0 … length − 1). */
  length: number;
  /** Writes the position of traced particle i at step j into out[0], out[1]. */
  point(j: number, i: number, out: Float64Array): void;
}

export interface PanelColors {
  data: string;
  particle: string;
  trail: string;
  axis: string;
}

export interface PanelScene {
  data: Float32Array;
  particles: Float32Array;
  trails: TrailSource | null;
  colors: PanelColors;
}

/** Reads a CSS custom property on `element`, with a fallback for pages without the site styles. */
export function cssColor(element: Element, name: string, fallback: string): string {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  return value.length > 0 ? value : fallback;
}

export function drawPanel(canvas: HTMLCanvasElement, scene: PanelScene): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const size = canvas.width;
  const toPx = size / (2 * EXTENT);
  const px = (x: number) => (x + EXTENT) * toPx;
  const py = (y: number) => (EXTENT - y) * toPx;
  ctx.clearRect(0, 0, canvas.width, canvas.height);

  // Axes through the origin, very faint, for orientation.
  ctx.globalAlpha = 0.35;
  ctx.strokeStyle = scene.colors.axis;
  ctx.lineWidth = Math.max(1, size / 600);
  ctx.beginPath();
  ctx.moveTo(0, py(0));
  ctx.lineTo(size, py(0));
  ctx.moveTo(px(0), 0);
  ctx.lineTo(px(0), size);
  ctx.stroke();

  const dot = Math.max(1.5, size / 260);
  ctx.globalAlpha = 0.3;
  ctx.fillStyle = scene.colors.data;
  const { data } = scene;
  for (let i = 0; i < data.length; i += 2) {
    ctx.fillRect(px(data[i]) - dot, py(data[i + 1]) - dot, 2 * dot, 2 * dot);
  }

  const trails = scene.trails;
  if (trails && trails.length > 1) {
    const at = new Float64Array(2);
    ctx.globalAlpha = 0.35;
    ctx.strokeStyle = scene.colors.trail;
    ctx.lineWidth = Math.max(1, size / 500);
    ctx.beginPath();
    for (let i = 0; i < trails.count; i++) {
      trails.point(0, i, at);
      ctx.moveTo(px(at[0]), py(at[1]));
      for (let j = 1; j < trails.length; j++) {
        trails.point(j, i, at);
        ctx.lineTo(px(at[0]), py(at[1]));
      }
    }
    ctx.stroke();
  }

  const particle = Math.max(1, size / 400);
  ctx.globalAlpha = 0.75;
  ctx.fillStyle = scene.colors.particle;
  const { particles } = scene;
  for (let k = 0; k < particles.length; k += 2) {
    ctx.fillRect(px(particles[k]) - particle, py(particles[k + 1]) - particle, 2 * particle, 2 * particle);
  }
  ctx.globalAlpha = 1;
}
