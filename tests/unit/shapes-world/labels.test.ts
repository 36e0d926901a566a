import { describe, expect, it } from 'vitest';
import { captionOf, parseCaption } from '../../../src/lib/shapes-world/caption.ts';
import {
  LABEL_FIELDS,
  NOT_APPLICABLE,
  labelIndex,
  sceneGeometry,
  sceneLabels,
} from '../../../src/lib/shapes-world/labels.ts';
import { sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import { isHeldOut } from '../../../src/lib/shapes-world/splits.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const field = (row: Int32Array, name: (typeof LABEL_FIELDS)[number]) => row[labelIndex(name)];

describe('sceneLabels', () => {
  it('has the 12 documented fields in order', () => {
    expect(LABEL_FIELDS).toEqual([
      'objectCount',
      'colour0',
      'shape0',
      'size0',
      'position0',
      'colour1',
      'shape1',
      'size1',
      'relation',
      'sizeMentioned',
      'positionMentioned',
      'heldOut',
    ]);
  });

  it('agrees with what the caption says and marks missing fields −1', () => {
    for (let seed = 0; seed < 3000; seed++) {
      const scene = sampleScene(seed);
      const row = sceneLabels(scene);
      expect(row).toHaveLength(LABEL_FIELDS.length);
      const parsed = parseCaption(captionOf(scene));
      if (!parsed.ok) throw new Error(parsed.error.message);
      const a = parsed.attributes;
      expect(field(row, 'heldOut')).toBe(isHeldOut(scene) ? 1 : 0);
      if (a.kind === 'one') {
        expect(field(row, 'objectCount')).toBe(1);
        expect([field(row, 'colour0'), field(row, 'shape0')]).toEqual([a.object.colour, a.object.shape]);
        if (a.object.size !== null) expect(field(row, 'size0')).toBe(a.object.size);
        expect(field(row, 'sizeMentioned')).toBe(a.object.size === null ? 0 : 1);
        expect(field(row, 'positionMentioned')).toBe(a.position === null ? 0 : 1);
        if (a.position !== null) expect(field(row, 'position0')).toBe(a.position);
        expect(field(row, 'position0')).toBeGreaterThanOrEqual(0);
        for (const name of ['colour1', 'shape1', 'size1', 'relation'] as const)
          expect(field(row, name)).toBe(NOT_APPLICABLE);
      } else {
        expect(field(row, 'objectCount')).toBe(2);
        expect([
          field(row, 'colour0'),
          field(row, 'shape0'),
          field(row, 'colour1'),
          field(row, 'shape1'),
          field(row, 'relation'),
        ]).toEqual([a.objects[0].colour, a.objects[0].shape, a.objects[1].colour, a.objects[1].shape, a.relation]);
        expect(field(row, 'position0')).toBe(NOT_APPLICABLE);
        expect(field(row, 'size1')).toBeLessThan(vocabulary.sizes.length);
        expect(field(row, 'size1')).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('gives per-object centre and radius, zeros for a missing object', () => {
    for (let seed = 0; seed < 200; seed++) {
      const scene = sampleScene(seed);
      const g = sceneGeometry(scene);
      scene.objects.forEach((o, i) => {
        expect(g[3 * i]).toBeCloseTo(o.cx, 4);
        expect(g[3 * i + 1]).toBeCloseTo(o.cy, 4);
        expect(g[3 * i + 2]).toBe(vocabulary.sizes[o.size]!.radius);
      });
      if (scene.kind === 'one') expect(Array.from(g.subarray(3))).toEqual([0, 0, 0]);
    }
  });
});
