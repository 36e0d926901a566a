import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateVocabulary, vocabulary } from '../../../src/lib/shapes-world/vocabulary.ts';

const rawText = readFileSync('models/shapes-world/vocabulary.json', 'utf8');
const fresh = () => JSON.parse(rawText) as Record<string, any>;

describe('shapes-world vocabulary.json', () => {
  it('holds the attributes the issue asks for, versioned', () => {
    expect(vocabulary.version).toBe(1);
    const names = (items: readonly { name: string }[]) => items.map((i) => i.name);
    expect(names(vocabulary.colours)).toEqual(expect.arrayContaining(['red', 'green', 'blue', 'yellow']));
    expect(vocabulary.colours).toHaveLength(6);
    expect(names(vocabulary.shapes)).toEqual(expect.arrayContaining(['circle', 'square', 'triangle']));
    expect(vocabulary.shapes).toHaveLength(4);
    expect(names(vocabulary.sizes)).toEqual(['small', 'large']);
    expect(names(vocabulary.positions).sort()).toEqual(['bottom', 'centre', 'left', 'right', 'top']);
    expect(names(vocabulary.relations).sort()).toEqual(['above', 'below', 'left-of', 'right-of']);
    expect(vocabulary.canvas).toMatchObject({ width: 32, height: 32, channels: 3 });
  });

  it('puts the special tokens at PAD=0, BOS, EOS, UNK', () => {
    const { list, pad, bos, eos, unk } = vocabulary.tokens;
    expect([list[pad], list[bos], list[eos], list[unk]]).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    expect(pad).toBe(0);
  });

  it('uses colours that stand apart from each other and from the dark background', () => {
    const bg = vocabulary.canvas.background;
    const luminance = ([r, g, b]: readonly number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    expect(luminance(bg)).toBeLessThan(30);
    for (const colour of vocabulary.colours) expect(luminance(colour.rgb)).toBeGreaterThan(luminance(bg) + 60);
    for (let i = 0; i < vocabulary.colours.length; i++) {
      for (let j = i + 1; j < vocabulary.colours.length; j++) {
        const [a, b] = [vocabulary.colours[i]!.rgb, vocabulary.colours[j]!.rgb];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        expect(distance, `${vocabulary.colours[i]!.name} vs ${vocabulary.colours[j]!.name}`).toBeGreaterThan(100);
      }
    }
  });

  it('keeps every shape inside its radius box', () => {
    for (const shape of vocabulary.shapes) {
      if (shape.outline.kind === 'polygon') {
        for (const [x, y] of shape.outline.points) expect(Math.max(Math.abs(x), Math.abs(y))).toBeLessThanOrEqual(1);
      } else {
        expect(shape.outline.radius).toBeLessThanOrEqual(1);
      }
    }
  });

  it('rejects malformed edits with a message naming the field', () => {
    const noVersion = fresh();
    delete noVersion.version;
    expect(() => validateVocabulary(noVersion)).toThrow(/version/);

    const unknownHeldOut = fresh();
    unknownHeldOut.heldOut.oneObjectColourShape[0].colour = 'purple';
    expect(() => validateVocabulary(unknownHeldOut)).toThrow(/heldOut\.oneObjectColourShape\[0\]\.colour.*"purple"/);

    const missingWord = fresh();
    missingWord.tokens.list = missingWord.tokens.list.filter((w: string) => w !== 'above');
    expect(() => validateVocabulary(missingWord)).toThrow(/lacks the grammar word "above"/);

    const tooShort = fresh();
    tooShort.tokens.maxLength = 10;
    expect(() => validateVocabulary(tooShort)).toThrow(/tokens\.maxLength/);

    const tooBig = fresh();
    tooBig.sizes[1].radius = 9;
    expect(() => validateVocabulary(tooBig)).toThrow(/no room for two large objects|cannot hold the largest object/);

    const duplicate = fresh();
    duplicate.colours[1].name = 'red';
    expect(() => validateVocabulary(duplicate)).toThrow(/colours repeats the name "red"/);
  });

  it('validates the shipped file to the same values the generator uses', () => {
    expect(validateVocabulary(fresh())).toEqual(vocabulary);
  });
});
