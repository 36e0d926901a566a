import { describe, expect, it } from 'vitest';
import { chwToRgba, objectCoverage, renderScene, renderSceneBytes } from '../../../src/lib/shapes-world/render.ts';
import { objectBounds, sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import type { Scene, SceneObject } from '../../../src/lib/shapes-world/types.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const { width: W, height: H, background } = vocabulary.canvas;
const PLANE = W * H;

function pixel(bytes: Uint8Array, x: number, y: number): [number, number, number] {
  return [bytes[y * W + x]!, bytes[PLANE + y * W + x]!, bytes[2 * PLANE + y * W + x]!];
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

/** Centroid of the pixels whose colour is closer to `rgb` than to the background and the other colours. */
function colourCentroid(bytes: Uint8Array, rgb: readonly number[], others: readonly (readonly number[])[]) {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = pixel(bytes, x, y);
      const d = distance(p, rgb);
      if (d < distance(p, background) && others.every((o) => d < distance(p, o))) {
        sx += x + 0.5;
        sy += y + 0.5;
        n++;
      }
    }
  }
  return { x: sx / n, y: sy / n, n };
}

function polygonPerimeter(points: readonly (readonly [number, number])[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!;
    const [x1, y1] = points[(i + 1) % points.length]!;
    sum += Math.hypot(x1 - x0, y1 - y0);
  }
  return sum;
}

/** Shoelace area of a polygon. */
function polygonArea(points: readonly (readonly [number, number])[]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i]!;
    const [x1, y1] = points[(i + 1) % points.length]!;
    twice += x0 * y1 - x1 * y0;
  }
  return Math.abs(twice) / 2;
}

const scenes: Scene[] = Array.from({ length: 1500 }, (_, seed) => sampleScene(seed));

describe('renderScene', () => {
  it('returns 3×32×32 floats in [−1, 1], channel-first, deterministic', () => {
    for (const scene of scenes.slice(0, 200)) {
      const image = renderScene(scene);
      expect(image).toBeInstanceOf(Float32Array);
      expect(image).toHaveLength(3 * PLANE);
      let min = Infinity;
      let max = -Infinity;
      for (const v of image) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      expect(min).toBeGreaterThanOrEqual(-1);
      expect(max).toBeLessThanOrEqual(1);
      expect(renderScene(sampleScene(scene.seed))).toEqual(image);
    }
  });

  it('leaves a dark background wherever no object reaches', () => {
    for (const scene of scenes.slice(0, 300)) {
      const bytes = renderSceneBytes(scene);
      const boxes = scene.objects.map((o) => objectBounds(o));
      let backgroundPixels = 0;
      const wrong: string[] = [];
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const touched = boxes.some((b) => x + 1 > b.xMin && x < b.xMax && y + 1 > b.yMin && y < b.yMax);
          if (!touched) {
            if (distance(pixel(bytes, x, y), background) !== 0) wrong.push(`${x},${y}`);
            backgroundPixels++;
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(backgroundPixels).toBeGreaterThan(PLANE / 3);
      const [r, g, b] = background;
      expect(0.2126 * r + 0.7152 * g + 0.0722 * b).toBeLessThan(30);
    }
  });

  it('covers each shape’s true area (supersampled coverage vs the geometric area)', () => {
    // With n×n samples per pixel an edge is located to within half a sample spacing, 1/(2n) px,
    // so the covered area is within perimeter/(2n) of the true area.
    const n = vocabulary.canvas.supersample;
    for (const [shapeIndex, shape] of vocabulary.shapes.entries()) {
      for (const [sizeIndex, size] of vocabulary.sizes.entries()) {
        for (const [cx, cy] of [
          [15.3, 16.7],
          [16, 16],
          [14.91, 17.07],
        ] as const) {
          const object: SceneObject = { colour: 0, shape: shapeIndex, size: sizeIndex, cx, cy };
          const covered = objectCoverage(object).reduce((sum, v) => sum + v, 0);
          const outline = shape.outline;
          const unitArea = outline.kind === 'disc' ? Math.PI * outline.radius ** 2 : polygonArea(outline.points);
          const unitPerimeter =
            outline.kind === 'disc' ? 2 * Math.PI * outline.radius : polygonPerimeter(outline.points);
          const area = unitArea * size.radius ** 2;
          expect(Math.abs(covered - area), `${size.name} ${shape.name} at ${cx},${cy}`).toBeLessThanOrEqual(
            (unitPerimeter * size.radius) / (2 * n),
          );
          expect(Math.abs(covered - area) / area).toBeLessThan(0.04);
        }
      }
    }
  });

  it('anti-aliases edges: partly covered pixels blend colour and background', () => {
    const circle = vocabulary.shapes.findIndex((s) => s.name === 'circle');
    const coverage = objectCoverage({ colour: 0, shape: circle, size: 1, cx: 16.2, cy: 15.9 });
    const partial = Array.from(coverage).filter((v) => v > 0 && v < 1);
    expect(partial.length).toBeGreaterThan(20);
    const full = Array.from(coverage).filter((v) => v === 1);
    expect(full.length).toBeGreaterThan(80);
  });

  it('draws two-object relations that hold in the picture (colour-mask centroids)', () => {
    let checked = 0;
    for (const scene of scenes) {
      if (scene.kind !== 'two') continue;
      const bytes = renderSceneBytes(scene);
      const [rgbA, rgbB] = scene.objects.map((o) => vocabulary.colours[o.colour]!.rgb);
      const a = colourCentroid(bytes, rgbA!, [rgbB!]);
      const b = colourCentroid(bytes, rgbB!, [rgbA!]);
      expect(a.n).toBeGreaterThan(10);
      expect(b.n).toBeGreaterThan(10);
      const dx = a.x - b.x;
      const dy = a.y - b.y;
      const relation = vocabulary.relations[scene.relation]!.name;
      if (relation === 'left-of') expect(dx).toBeLessThan(-Math.abs(dy));
      if (relation === 'right-of') expect(dx).toBeGreaterThan(Math.abs(dy));
      if (relation === 'above') expect(dy).toBeLessThan(-Math.abs(dx));
      if (relation === 'below') expect(dy).toBeGreaterThan(Math.abs(dx));
      checked++;
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('draws one-object positions where the caption says (colour-mask centroid)', () => {
    // Regions end 5.5 px from the middle; a triangle's centroid sits up to 1.5 px below its box centre.
    const middle = W / 2;
    for (const scene of scenes) {
      if (scene.kind !== 'one') continue;
      const bytes = renderSceneBytes(scene);
      const c = colourCentroid(bytes, vocabulary.colours[scene.objects[0].colour]!.rgb, []);
      const position = vocabulary.positions[scene.position]!.name;
      if (position === 'left') expect(c.x).toBeLessThan(middle - 3);
      if (position === 'right') expect(c.x).toBeGreaterThan(middle + 3);
      if (position === 'top') expect(c.y).toBeLessThan(middle - 3);
      if (position === 'bottom') expect(c.y).toBeGreaterThan(middle + 3);
      if (position === 'centre') expect(Math.max(Math.abs(c.x - middle), Math.abs(c.y - middle))).toBeLessThan(5);
    }
  });

  it('converts channel-first bytes to opaque RGBA', () => {
    const bytes = renderSceneBytes(scenes[0]!);
    const rgba = chwToRgba(bytes, W, H);
    expect(rgba).toHaveLength(4 * PLANE);
    for (let i = 0; i < PLANE; i += 37) {
      expect([rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]]).toEqual([
        bytes[i],
        bytes[PLANE + i],
        bytes[2 * PLANE + i],
        255,
      ]);
    }
    expect(() => chwToRgba(bytes.subarray(1), W, H)).toThrow(RangeError);
  });

  it('renders the same scene at 64×64 (scale 2): 2×2 averages match the 32×32 image, areas scale by 4', () => {
    let sum = 0;
    let count = 0;
    for (const scene of scenes.slice(0, 40)) {
      const small = renderSceneBytes(scene);
      const big = renderSceneBytes(scene, vocabulary, 2);
      expect(big).toHaveLength(4 * small.length);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const at = (i: number, j: number) => big[c * 4 * PLANE + i * 2 * W + j]!;
            const avg = (at(2 * y, 2 * x) + at(2 * y, 2 * x + 1) + at(2 * y + 1, 2 * x) + at(2 * y + 1, 2 * x + 1)) / 4;
            sum += Math.abs(avg - small[c * PLANE + y * W + x]!);
            count++;
          }
      for (const object of scene.objects) {
        const area = objectCoverage(object).reduce((s, v) => s + v, 0);
        const area2 = objectCoverage(object, vocabulary, 2).reduce((s, v) => s + v, 0);
        // 64 samples per 32-px pixel against 256 at scale 2: the estimates differ only at the edge
        expect(Math.abs(area2 / 4 - area) / area).toBeLessThan(0.04);
      }
    }
    // Only anti-aliased edge pixels differ (finer sampling at scale 2); the mean stays well under one level.
    expect(sum / count).toBeLessThan(0.5);
    expect(() => renderSceneBytes(scenes[0]!, vocabulary, 3)).toThrow(RangeError);
  });
});
