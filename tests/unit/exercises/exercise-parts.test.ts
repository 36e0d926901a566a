import { describe, expect, it } from 'vitest';
import {
  closeMarker,
  openMarker,
  splitExerciseParts,
  unwrapSingleParagraph,
} from '../../../src/lib/exercises/exercise-parts';

const hint = (html: string) => `${openMarker('hint')}${html}${closeMarker('hint')}`;
const solution = (html: string) => `${openMarker('solution')}${html}${closeMarker('solution')}`;
const choice = (value: string, html: string) => `${openMarker('choice', value)}${html}${closeMarker('choice')}`;

describe('splitExerciseParts', () => {
  it('separates prose, hints in order, solution and choices', () => {
    const html = [
      '<p>What is <em>x</em>?</p>',
      choice('a', '<span class="katex">a</span>'),
      choice('b', '<p>Option <strong>b</strong></p>'),
      '<p>More prose.</p>',
      hint('First'),
      hint('<p>Second</p>\n<div class="equation">…</div>'),
      solution('<p>Because.</p>'),
    ].join('\n');
    expect(splitExerciseParts(html)).toEqual({
      prose: '<p>What is <em>x</em>?</p>\n\n\n<p>More prose.</p>',
      hints: ['First', '<p>Second</p>\n<div class="equation">…</div>'],
      solutions: ['<p>Because.</p>'],
      choices: [
        { value: 'a', html: '<span class="katex">a</span>' },
        { value: 'b', html: 'Option <strong>b</strong>' },
      ],
    });
  });

  it('leaves prose alone when there are no parts, and removes paragraphs left empty', () => {
    expect(splitExerciseParts('<p>Only prose.</p>')).toEqual({
      prose: '<p>Only prose.</p>',
      hints: [],
      solutions: [],
      choices: [],
    });
    expect(splitExerciseParts(`<p>${hint('h')}</p><p>Q</p>`).prose).toBe('<p>Q</p>');
  });

  it('reports every solution, so the caller can reject more than one', () => {
    expect(splitExerciseParts(solution('one') + solution('two')).solutions).toEqual(['one', 'two']);
  });
});

describe('markers', () => {
  it('reject choice values that could break out of a comment or attribute', () => {
    expect(() => openMarker('choice', 'a-->')).toThrow(/values must be/);
    expect(() => openMarker('choice', 'a b')).toThrow(/values must be/);
    expect(() => openMarker('choice', '')).toThrow(/values must be/);
    expect(openMarker('choice', 'opt_2')).toBe('<!--dsbs:choice opt_2-->');
  });
});

describe('unwrapSingleParagraph', () => {
  it('unwraps exactly one wrapping paragraph', () => {
    expect(unwrapSingleParagraph('<p>x</p>')).toBe('x');
    expect(unwrapSingleParagraph('<p>x</p><p>y</p>')).toBe('<p>x</p><p>y</p>');
    expect(unwrapSingleParagraph('x')).toBe('x');
  });
});
