import { describe, expect, it } from 'vitest';
import {
  checkChoice,
  checkNumeric,
  describeParseFailure,
  isWithinTolerance,
  parseNumber,
  validateNumericSpec,
} from '../../../src/lib/exercises/check';

describe('parseNumber', () => {
  it.each([
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['5e-1', 0.5],
    ['5E-1', 0.5],
    ['2.5e3', 2500],
    ['+2', 2],
    ['-0.25', -0.25],
    ['\u22120.25', -0.25],
    ['  0.5  ', 0.5],
    ['1/2', 0.5],
    ['-3/4', -0.75],
    ['1 / 4', 0.25],
    ['1e-3/2', 0.0005],
    ['0', 0],
  ])('reads %j as %d', (text, value) => {
    expect(parseNumber(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['0,5', 'decimal-comma'],
    [',5', 'decimal-comma'],
    ['50%', 'percent'],
    ['1/0', 'division-by-zero'],
    ['abc', 'not-a-number'],
    ['Infinity', 'not-a-number'],
    ['NaN', 'not-a-number'],
    ['0x10', 'not-a-number'],
    ['1/2/3', 'not-a-number'],
    ['2*3', 'not-a-number'],
    ['1e999', 'not-a-number'],
    ['.', 'not-a-number'],
    ['e5', 'not-a-number'],
    ['1 000', 'not-a-number'],
  ])('rejects %j as %s', (text, reason) => {
    expect(parseNumber(text)).toEqual({ ok: false, reason });
  });
});

describe('isWithinTolerance', () => {
  const spec = { answer: 0.5, tolerance: 0.01 };

  it('includes both ends of the absolute band despite binary rounding', () => {
    // 0.51 - 0.5 evaluates to 0.010000000000000009 in binary floating point.
    expect(0.51 - 0.5).toBeGreaterThan(0.01);
    expect(isWithinTolerance(0.51, spec)).toBe(true);
    expect(isWithinTolerance(0.49, spec)).toBe(true);
  });

  it('excludes values just outside the band', () => {
    expect(isWithinTolerance(0.5101, spec)).toBe(false);
    expect(isWithinTolerance(0.4899, spec)).toBe(false);
    expect(isWithinTolerance(0.510001, spec)).toBe(false);
  });

  it('defaults to an exact comparison', () => {
    expect(isWithinTolerance(0.5, { answer: 0.5 })).toBe(true);
    expect(isWithinTolerance(0.1 + 0.2, { answer: 0.3 })).toBe(true);
    expect(isWithinTolerance(0.5000001, { answer: 0.5 })).toBe(false);
  });

  it('accepts within the relative tolerance of |answer|', () => {
    const relative = { answer: 1000, relTolerance: 0.02 };
    expect(isWithinTolerance(1020, relative)).toBe(true);
    expect(isWithinTolerance(980, relative)).toBe(true);
    expect(isWithinTolerance(1020.5, relative)).toBe(false);
    expect(isWithinTolerance(-1000, relative)).toBe(false);
  });

  it('uses |answer| for negative answers', () => {
    expect(isWithinTolerance(-102, { answer: -100, relTolerance: 0.02 })).toBe(true);
    expect(isWithinTolerance(-103, { answer: -100, relTolerance: 0.02 })).toBe(false);
  });

  it('accepts when either tolerance is met', () => {
    const both = { answer: 100, tolerance: 0.5, relTolerance: 0.01 };
    expect(isWithinTolerance(101, both)).toBe(true); // relative band ±1 is the wider one
    const nearZero = { answer: 0, tolerance: 1e-3, relTolerance: 0.01 };
    expect(isWithinTolerance(0.001, nearZero)).toBe(true); // relative band is empty at 0
    expect(isWithinTolerance(0.0011, nearZero)).toBe(false);
  });
});

describe('checkNumeric', () => {
  const spec = { answer: 0.5, tolerance: 0.01 };
  it('marks equivalent forms correct', () => {
    for (const text of ['0.5', '.5', '5e-1', '1/2', '0.505']) {
      expect(checkNumeric(text, spec)).toMatchObject({ kind: 'correct' });
    }
  });
  it('marks a readable wrong number incorrect, with its value', () => {
    expect(checkNumeric('0.4', spec)).toEqual({ kind: 'incorrect', value: 0.4 });
  });
  it('reports unreadable input as invalid, never as incorrect', () => {
    expect(checkNumeric('half', spec)).toEqual({ kind: 'invalid', reason: 'not-a-number' });
    expect(checkNumeric('', spec)).toEqual({ kind: 'invalid', reason: 'empty' });
  });
});

describe('checkChoice', () => {
  it('compares the chosen value with the answer', () => {
    expect(checkChoice('b', 'b')).toBe('correct');
    expect(checkChoice('a', 'b')).toBe('incorrect');
    expect(checkChoice('B', 'b')).toBe('incorrect');
  });
});

describe('describeParseFailure', () => {
  it('explains each failure and quotes the input', () => {
    expect(describeParseFailure('empty', '')).toBe('Enter a number first.');
    expect(describeParseFailure('decimal-comma', '0,5')).toContain('“0,5”');
    expect(describeParseFailure('decimal-comma', '0,5')).toContain('dot');
    expect(describeParseFailure('percent', '50%')).toContain('decimal or fraction');
    expect(describeParseFailure('not-a-number', 'abc')).toContain('1/4');
  });
  it('shortens very long input', () => {
    const message = describeParseFailure('not-a-number', 'x'.repeat(500));
    expect(message).toContain('x'.repeat(40) + '”');
    expect(message).not.toContain('x'.repeat(41));
  });
});

describe('validateNumericSpec', () => {
  it('accepts finite answers and non-negative tolerances', () => {
    expect(validateNumericSpec({ answer: 0.5, tolerance: 0.01 })).toBeNull();
    expect(validateNumericSpec({ answer: -3, relTolerance: 0 })).toBeNull();
  });
  it('rejects missing or non-finite answers and bad tolerances', () => {
    expect(validateNumericSpec({ answer: '0.5' })).toMatch(/answer/);
    expect(validateNumericSpec({ answer: Number.NaN })).toMatch(/answer/);
    expect(validateNumericSpec({ answer: 1, tolerance: -0.1 })).toMatch(/tolerance/);
    expect(validateNumericSpec({ answer: 1, relTolerance: Number.POSITIVE_INFINITY })).toMatch(/relTolerance/);
  });
});
