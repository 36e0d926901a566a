import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captionOf, parseCaption } from '../../../src/lib/shapes-world/caption.ts';
import { sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import { heldOutReason, isHeldOut } from '../../../src/lib/shapes-world/splits.ts';
import type { Scene } from '../../../src/lib/shapes-world/types.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

// The held-out rules, read straight from the JSON by name (not through the library's index logic).
const raw = JSON.parse(readFileSync('models/shapes-world/vocabulary.json', 'utf8'));
const key = (o: { colour: string; shape: string }) => `${o.colour} ${o.shape}`;
const heldOutSingles = new Set<string>(raw.heldOut.oneObjectColourShape.map(key));
const heldOutPairs = new Set<string>(
  raw.heldOut.twoObjectPairs.flatMap(([a, b]: any[]) => [`${key(a)}|${key(b)}`, `${key(b)}|${key(a)}`]),
);
const named = (o: Scene['objects'][number]) =>
  `${vocabulary.colours[o.colour]!.name} ${vocabulary.shapes[o.shape]!.name}`;
function heldOutByName(scene: Scene): boolean {
  if (scene.kind === 'one') return heldOutSingles.has(named(scene.objects[0]));
  return heldOutPairs.has(`${named(scene.objects[0])}|${named(scene.objects[1])}`);
}

const N = 12_000;

describe('splits', () => {
  it('never produce a held-out combination in the training split', () => {
    const seenSingles = new Set<string>();
    const seenInPairs = new Set<string>();
    for (let seed = 0; seed < N; seed++) {
      const scene = sampleScene(seed, 'train');
      expect(heldOutByName(scene), captionOf(scene)).toBe(false);
      if (scene.kind === 'one') seenSingles.add(named(scene.objects[0]));
      else scene.objects.forEach((o) => seenInPairs.add(named(o)));
    }
    // Every other colour+shape is seen alone, and the held-out ones are still seen inside pairs.
    expect(seenSingles.size).toBe(vocabulary.colours.length * vocabulary.shapes.length - heldOutSingles.size);
    for (const single of heldOutSingles) expect(seenInPairs.has(single)).toBe(true);
  });

  it('produce only held-out combinations in the held-out split, of every kind', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 3000; seed++) {
      const scene = sampleScene(seed, 'heldout');
      expect(heldOutByName(scene)).toBe(true);
      seen.add(
        scene.kind === 'one'
          ? named(scene.objects[0])
          : [named(scene.objects[0]), named(scene.objects[1])].sort().join('|'),
      );
    }
    expect(seen.size).toBe(heldOutSingles.size + heldOutPairs.size / 2);
  });

  it('classify scenes of the full distribution like the JSON rules, with a reason', () => {
    let heldOut = 0;
    for (let seed = 0; seed < N; seed++) {
      const scene = sampleScene(seed);
      expect(isHeldOut(scene)).toBe(heldOutByName(scene));
      if (isHeldOut(scene)) {
        heldOut++;
        expect(heldOutReason(scene)).toMatch(/held out/);
      } else {
        expect(sampleScene(seed, 'train')).toEqual(scene); // a training draw is kept as is
      }
    }
    expect(heldOut / N).toBeGreaterThan(0.03);
    expect(heldOut / N).toBeLessThan(0.2);
  });

  it('reserve evaluation captions that all parse and are all held out', () => {
    const captions = [...vocabulary.evaluationCaptions.oneObject, ...vocabulary.evaluationCaptions.twoObjects];
    expect(vocabulary.evaluationCaptions.oneObject.length).toBeGreaterThanOrEqual(4);
    expect(vocabulary.evaluationCaptions.twoObjects.length).toBeGreaterThanOrEqual(4);
    for (const caption of captions) {
      const parsed = parseCaption(caption);
      expect(parsed.ok, caption).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.caption).toBe(caption);
      expect(isHeldOut(parsed.attributes), caption).toBe(true);
    }
    for (const caption of vocabulary.evaluationCaptions.oneObject)
      expect(parseCaption(caption)).toMatchObject({ attributes: { kind: 'one' } });
    for (const caption of vocabulary.evaluationCaptions.twoObjects)
      expect(parseCaption(caption)).toMatchObject({ attributes: { kind: 'two' } });
  });
});
