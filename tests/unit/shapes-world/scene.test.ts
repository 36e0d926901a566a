import { describe, expect, it } from 'vitest';
import { objectBounds, sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import type { Scene, TwoObjectScene } from '../../../src/lib/shapes-world/types.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const SEEDS = Array.from({ length: 6000 }, (_, i) => i * 7919 + 13);
const scenes: Scene[] = SEEDS.map((seed) => sampleScene(seed));

describe('sampleScene', () => {
  it('gives the same scene for the same seed and split, and different scenes for different seeds', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1, 123456.5]) {
      expect(sampleScene(seed)).toEqual(sampleScene(seed));
      expect(sampleScene(seed, 'train')).toEqual(sampleScene(seed, 'train'));
    }
    const distinct = new Set(scenes.map((s) => JSON.stringify(s.objects)));
    expect(distinct.size).toBe(scenes.length);
  });

  it('keeps every object inside the canvas with the margin', () => {
    const { width, height, margin } = vocabulary.canvas;
    for (const scene of scenes) {
      for (const object of scene.objects) {
        const box = objectBounds(object);
        expect(box.xMin).toBeGreaterThanOrEqual(margin - 1e-9);
        expect(box.yMin).toBeGreaterThanOrEqual(margin - 1e-9);
        expect(box.xMax).toBeLessThanOrEqual(width - margin + 1e-9);
        expect(box.yMax).toBeLessThanOrEqual(height - margin + 1e-9);
      }
    }
  });

  it('puts a single object’s centre inside the region of its position', () => {
    for (const scene of scenes) {
      if (scene.kind !== 'one') continue;
      const { region } = vocabulary.positions[scene.position]!;
      const [o] = scene.objects;
      expect(o.cx).toBeGreaterThanOrEqual(region.xMin);
      expect(o.cx).toBeLessThanOrEqual(region.xMax);
      expect(o.cy).toBeGreaterThanOrEqual(region.yMin);
      expect(o.cy).toBeLessThanOrEqual(region.yMax);
    }
  });

  it('places two objects apart, with the relation holding along its axis and no other reading', () => {
    const gap = vocabulary.layout.relationGap;
    const pairs = scenes.filter((s): s is TwoObjectScene => s.kind === 'two');
    expect(pairs.length).toBeGreaterThan(2500);
    for (const scene of pairs) {
      const [a, b] = scene.objects.map((o) => objectBounds(o));
      const name = vocabulary.relations[scene.relation]!.name;
      // Boxes separated by the gap in the stated direction …
      if (name === 'left-of') expect(b!.xMin - a!.xMax).toBeGreaterThanOrEqual(gap - 1e-9);
      if (name === 'right-of') expect(a!.xMin - b!.xMax).toBeGreaterThanOrEqual(gap - 1e-9);
      if (name === 'above') expect(b!.yMin - a!.yMax).toBeGreaterThanOrEqual(gap - 1e-9);
      if (name === 'below') expect(a!.yMin - b!.yMax).toBeGreaterThanOrEqual(gap - 1e-9);
      // … and overlapping across it, so the perpendicular relations do not also hold.
      const horizontal = name === 'left-of' || name === 'right-of';
      const acrossOverlap = horizontal
        ? Math.min(a!.yMax, b!.yMax) - Math.max(a!.yMin, b!.yMin)
        : Math.min(a!.xMax, b!.xMax) - Math.max(a!.xMin, b!.xMin);
      expect(acrossOverlap).toBeGreaterThan(0);
      expect(scene.objects[0].colour).not.toBe(scene.objects[1].colour);
    }
  });

  it('draws colours, shapes, sizes, positions, relations and object counts roughly uniformly', () => {
    const tally = (values: number[], k: number) => {
      const counts = new Array<number>(k).fill(0);
      for (const v of values) counts[v]!++;
      return counts;
    };
    // Within 15 % of the expected count (the samples hold thousands per cell, so the standard error is ~3 %).
    const expectUniform = (values: number[], k: number) => {
      const expected = values.length / k;
      for (const count of tally(values, k)) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
    };
    const objects = scenes.flatMap((s) => s.objects);
    expectUniform(
      objects.map((o) => o.colour),
      vocabulary.colours.length,
    );
    expectUniform(
      objects.map((o) => o.shape),
      vocabulary.shapes.length,
    );
    expectUniform(
      objects.map((o) => o.size),
      vocabulary.sizes.length,
    );
    expectUniform(
      scenes.map((s) => s.objects.length - 1),
      2,
    );
    expectUniform(
      scenes.flatMap((s) => (s.kind === 'one' ? [s.position] : [])),
      vocabulary.positions.length,
    );
    expectUniform(
      scenes.flatMap((s) => (s.kind === 'two' ? [s.relation] : [])),
      vocabulary.relations.length,
    );
  });

  it('mentions optional attributes at the configured rates', () => {
    const ones = scenes.filter((s) => s.kind === 'one');
    const rate = (flags: boolean[]) => flags.filter(Boolean).length / flags.length;
    expect(rate(ones.map((s) => s.mentionSize))).toBeCloseTo(vocabulary.mention.oneObjectSize, 1);
    expect(rate(ones.map((s) => s.kind === 'one' && s.mentionPosition))).toBeCloseTo(
      vocabulary.mention.oneObjectPosition,
      1,
    );
    expect(rate(scenes.filter((s) => s.kind === 'two').map((s) => s.mentionSize))).toBeCloseTo(
      vocabulary.mention.twoObjectsSizes,
      1,
    );
  });
});
