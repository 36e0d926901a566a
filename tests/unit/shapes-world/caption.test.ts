import { describe, expect, it } from 'vitest';
import {
  captionFromAttributes,
  captionOf,
  completeCaption,
  decodeTokens,
  encodeCaption,
  parseCaption,
  sceneAttributes,
} from '../../../src/lib/shapes-world/caption.ts';
import { sampleScene } from '../../../src/lib/shapes-world/scene.ts';
import type { CaptionAttributes, ObjectDescription } from '../../../src/lib/shapes-world/types.ts';
import { vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every caption the grammar allows (one object: all options; two objects: sizes both or neither). */
function allAttributes(): CaptionAttributes[] {
  const { colours, shapes, sizes, positions, relations } = vocabulary;
  const bare: ObjectDescription[] = range(colours.length).flatMap((colour) =>
    range(shapes.length).map((shape) => ({ colour, shape, size: null })),
  );
  const sized = (size: number) => bare.map((o) => ({ ...o, size }));
  const one: CaptionAttributes[] = [bare, ...range(sizes.length).map(sized)]
    .flat()
    .flatMap((object) =>
      [null, ...range(positions.length)].map((position) => ({ kind: 'one' as const, object, position })),
    );
  const two: CaptionAttributes[] = [];
  for (const relation of range(relations.length)) {
    for (const a of bare) for (const b of bare) two.push({ kind: 'two', objects: [a, b], relation });
    for (const sa of range(sizes.length))
      for (const sb of range(sizes.length)) {
        for (const a of sized(sa)) for (const b of sized(sb)) two.push({ kind: 'two', objects: [a, b], relation });
      }
  }
  return [...one, ...two];
}

describe('captions', () => {
  it('write the examples of the issue', () => {
    const red = vocabulary.colours.findIndex((c) => c.name === 'red');
    const blue = vocabulary.colours.findIndex((c) => c.name === 'blue');
    const circle = vocabulary.shapes.findIndex((s) => s.name === 'circle');
    const square = vocabulary.shapes.findIndex((s) => s.name === 'square');
    const small = vocabulary.sizes.findIndex((s) => s.name === 'small');
    const large = vocabulary.sizes.findIndex((s) => s.name === 'large');
    const left = vocabulary.positions.findIndex((p) => p.name === 'left');
    const above = vocabulary.relations.findIndex((r) => r.name === 'above');
    expect(
      captionFromAttributes({ kind: 'one', object: { colour: red, shape: circle, size: small }, position: null }),
    ).toBe('a small red circle');
    expect(
      captionFromAttributes({ kind: 'one', object: { colour: blue, shape: square, size: large }, position: left }),
    ).toBe('a large blue square on the left');
    expect(
      captionFromAttributes({
        kind: 'two',
        objects: [
          { colour: red, shape: circle, size: null },
          { colour: blue, shape: square, size: null },
        ],
        relation: above,
      }),
    ).toBe('a red circle above a blue square');
  });

  it('round-trip attributes → caption → attributes for every caption of the grammar', () => {
    const all = allAttributes();
    expect(all.length).toBeGreaterThan(10_000);
    const texts = new Set<string>();
    for (const attributes of all) {
      const text = captionFromAttributes(attributes);
      texts.add(text);
      const parsed = parseCaption(text);
      expect(parsed.ok && parsed.attributes).toEqual(attributes);
    }
    expect(texts.size).toBe(all.length); // no two meanings share a caption
  });

  it('round-trip sampled scenes: caption → parse gives what the scene says', () => {
    for (let seed = 0; seed < 2000; seed++) {
      const scene = sampleScene(seed);
      const parsed = parseCaption(captionOf(scene));
      expect(parsed.ok && parsed.attributes).toEqual(sceneAttributes(scene));
    }
  });

  it('ignore case and extra spaces, and return the canonical caption', () => {
    const parsed = parseCaption('  A  Large BLUE square   on the LEFT ');
    expect(parsed.ok && parsed.caption).toBe('a large blue square on the left');
  });

  it('reject unknown words with a message naming the word and its place', () => {
    const purple = parseCaption('a purple circle');
    expect(purple.ok).toBe(false);
    if (purple.ok) return;
    expect(purple.error.word).toBe('purple');
    expect(purple.error.message).toContain('"purple"');
    expect(purple.error.message).toMatch(/unknown word/i);
    expect(purple.error.wordIndex).toBe(1);
    expect('a purple circle'.slice(purple.error.start, purple.error.end)).toBe('purple');
    expect(purple.error.expected).toEqual(expect.arrayContaining(['red', 'small']));

    const typo = parseCaption('a red circel');
    expect(!typo.ok && typo.error.message).toMatch(/"circel".*Did you mean "circle"\?/);
    const center = parseCaption('a red circle in the center');
    expect(!center.ok && center.error.message).toMatch(/"center".*Did you mean "centre"\?/);
  });

  it('explain known words in the wrong place, early ends and trailing words', () => {
    const misplaced = parseCaption('a circle red');
    expect(!misplaced.ok && misplaced.error.word).toBe('circle');
    expect(!misplaced.ok && misplaced.error.message).toMatch(/"circle" cannot come here.*colour/);
    const early = parseCaption('a red');
    expect(!early.ok && early.error).toMatchObject({
      word: null,
      wordIndex: 2,
      expected: ['circle', 'square', 'triangle', 'cross'],
    });
    expect(!early.ok && early.error.message).toMatch(/stops too early.*shape/);
    const trailing = parseCaption('a red circle on the left please');
    expect(!trailing.ok && trailing.error.word).toBe('please');
    const extra = parseCaption('a red circle on the left above a blue square');
    expect(!extra.ok && extra.error.message).toMatch(/"above" after a complete caption/);
    expect(parseCaption('').ok).toBe(false);
  });

  it('encode to BOS, word ids, EOS, then PAD up to the fixed length', () => {
    const { list, bos, eos, pad, unk, maxLength } = vocabulary.tokens;
    const ids = encodeCaption('a red circle above a blue square');
    expect(ids).toHaveLength(maxLength);
    const words = 'a red circle above a blue square'.split(' ');
    expect(Array.from(ids)).toEqual([
      bos,
      ...words.map((w) => list.indexOf(w)),
      eos,
      ...new Array(maxLength - words.length - 2).fill(pad),
    ]);
    expect(decodeTokens(ids)).toBe('a red circle above a blue square');
    expect(encodeCaption('a purple circle')[2]).toBe(unk);
    expect(() => encodeCaption(new Array(maxLength).fill('a').join(' '))).toThrow(RangeError);
    let longest = 0;
    for (const attributes of allAttributes())
      longest = Math.max(longest, captionFromAttributes(attributes).split(' ').length);
    expect(longest + 2).toBeLessThanOrEqual(maxLength);
  });

  it('offer completions for a caption being typed', () => {
    expect(completeCaption('').next).toEqual(['a']);
    expect(completeCaption('a ').next).toEqual(['small', 'large', 'red', 'green', 'blue', 'yellow', 'magenta', 'cyan']);
    expect(completeCaption('a sm').next).toEqual(['small']);
    expect(completeCaption('a small ').next).not.toContain('large');
    const afterObject = completeCaption('a red circle ');
    expect(afterObject.complete).toBe(true);
    expect(afterObject.next).toEqual(expect.arrayContaining(['on', 'at', 'in', 'to', 'above', 'below']));
    expect(completeCaption('a red circle to the ').next).toEqual(['left', 'right']);
    expect(completeCaption('a red circle on the left ')).toMatchObject({ next: [], complete: true });
    const wrong = completeCaption('a purple ');
    expect(wrong.error?.word).toBe('purple');
  });
});
