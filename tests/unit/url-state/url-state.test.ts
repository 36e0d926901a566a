import { describe, expect, it } from 'vitest';
import { bool, defineUrlState, int, num, oneOf } from '../../../src/lib/url-state';

const spec = defineUrlState(
  'se',
  {
    T: int({ min: 2, max: 4000, default: 1000 }),
    t: int({ min: 0, max: 3999, default: 500 }),
    schedule: oneOf(['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const, 'linear'),
    eta: num({ min: 0, max: 1, default: 0.25, digits: 3 }),
    compare: bool(false),
  },
  (s) => ({ ...s, t: Math.min(s.t, s.T - 1) }),
);

const defaults = { T: 1000, t: 500, schedule: 'linear', eta: 0.25, compare: false };

describe('read', () => {
  it('returns the defaults for an empty query', () => {
    expect(spec.read('')).toEqual(defaults);
    expect(spec.read('?')).toEqual(defaults);
    expect(spec.defaults()).toEqual(defaults);
  });

  it('reads every field with its prefix, from a string with or without "?" or URLSearchParams', () => {
    const expected = { T: 50, t: 7, schedule: 'squaredcos_cap_v2', eta: 0.5, compare: true };
    const query = 'se.T=50&se.t=7&se.schedule=squaredcos_cap_v2&se.eta=0.5&se.compare=1';
    expect(spec.read(`?${query}`)).toEqual(expected);
    expect(spec.read(query)).toEqual(expected);
    expect(spec.read(new URLSearchParams(query))).toEqual(expected);
  });

  it('ignores keys without the prefix or with another prefix', () => {
    expect(spec.read('?T=50&fn.T=50&se.TT=50&SE.T=50')).toEqual(defaults);
  });

  it('clamps numbers into range and rounds integers', () => {
    expect(spec.read('?se.T=999999999999').T).toBe(4000);
    expect(spec.read('?se.T=1e300').T).toBe(4000);
    expect(spec.read('?se.T=-5').T).toBe(2);
    expect(spec.read('?se.T=0').T).toBe(2);
    expect(spec.read('?se.T=12.6').T).toBe(13);
    expect(spec.read('?se.eta=7').eta).toBe(1);
    expect(spec.read('?se.eta=-0.1').eta).toBe(0);
    expect(spec.read('?se.eta=%20.125%20').eta).toBe(0.125);
  });

  it('applies the cross-field fix-up after parsing', () => {
    expect(spec.read('?se.T=10&se.t=3000')).toMatchObject({ T: 10, t: 9 });
  });

  it.each([
    ['NaN'],
    ['Infinity'],
    ['-Infinity'],
    ['1e999'],
    [''],
    ['   '],
    ['0x10'],
    ['12abc'],
    ['1,000'],
    ['--1'],
    ['1e'],
    ['.'],
    ['9'.repeat(10_000)],
    ['<script>window.__xss=1</script>'],
    ['"><img src=x onerror="window.__xss=1">'],
    ['%00'],
    ['\u202e42'],
  ])('falls back to the default for garbage number %#', (raw) => {
    const state = spec.read(
      new URLSearchParams([
        ['se.T', raw],
        ['se.eta', raw],
      ]),
    );
    expect(state.T).toBe(1000);
    expect(state.eta).toBe(0.25);
  });

  it('only accepts listed choices for oneOf, so no URL text can reach the page', () => {
    for (const raw of [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      'LINEAR',
      'linear ',
      'x'.repeat(10_000),
      'constructor',
      '__proto__',
      'toString',
    ]) {
      const state = spec.read(new URLSearchParams([['se.schedule', raw]]));
      expect(['linear', 'scaled_linear', 'squaredcos_cap_v2']).toContain(state.schedule);
    }
    // Surrounding whitespace is forgiven, case is not.
    expect(spec.read('?se.schedule=%20linear%20').schedule).toBe('linear');
    expect(spec.read('?se.schedule=LINEAR').schedule).toBe('linear');
    expect(spec.read('?se.schedule=scaled_linear').schedule).toBe('scaled_linear');
  });

  it('reads booleans leniently and falls back on garbage', () => {
    for (const raw of ['1', 'true', 'YES', 'on']) expect(spec.read(`?se.compare=${raw}`).compare).toBe(true);
    for (const raw of ['0', 'false', 'no', 'Off']) expect(spec.read(`?se.compare=${raw}`).compare).toBe(false);
    expect(spec.read('?se.compare=maybe').compare).toBe(false);
  });

  it('uses the first of repeated keys and survives malformed percent-encoding', () => {
    expect(spec.read('?se.T=20&se.T=30').T).toBe(20);
    expect(spec.read('?se.T=%E0%A4%A&se.t=%%%').T).toBe(1000);
    expect(() => spec.read('?%zz=%&&&==&se.T')).not.toThrow();
    expect(spec.read('?%zz=%&&&==&se.T')).toEqual(defaults);
  });

  it('never throws on hostile whole query strings', () => {
    const hostile = [
      '?' + 'a'.repeat(100_000),
      '?se.T=' + '1'.repeat(100_000),
      '?se.schedule=' + encodeURIComponent('<svg onload=alert(1)>'),
      '?__proto__=1&se.__proto__=1&constructor=1',
      '?\u0000\uffff',
    ];
    for (const query of hostile) {
      const state = spec.read(query);
      expect(state.T).toBeGreaterThanOrEqual(2);
      expect(state.T).toBeLessThanOrEqual(4000);
      expect(Object.keys(state).sort()).toEqual(['T', 'compare', 'eta', 'schedule', 't']);
    }
  });
});

describe('write', () => {
  it('omits defaults, so the default state writes nothing', () => {
    expect(spec.write(spec.defaults(), '')).toBe('');
    expect(spec.write(spec.defaults(), '?se.T=50')).toBe('');
  });

  it('writes non-default fields with the prefix', () => {
    const query = spec.write({ ...spec.defaults(), T: 50, t: 7, compare: true }, '');
    const params = new URLSearchParams(query);
    expect(query.startsWith('?')).toBe(true);
    expect(params.get('se.T')).toBe('50');
    expect(params.get('se.t')).toBe('7');
    expect(params.get('se.compare')).toBe('1');
    expect(params.has('se.schedule')).toBe(false);
  });

  it("preserves other widgets' parameters and unrelated keys", () => {
    const query = spec.write({ ...spec.defaults(), schedule: 'squaredcos_cap_v2' }, '?fn.t=40&d2.seed=3&utm=x');
    const params = new URLSearchParams(query);
    expect(params.get('fn.t')).toBe('40');
    expect(params.get('d2.seed')).toBe('3');
    expect(params.get('utm')).toBe('x');
    expect(params.get('se.schedule')).toBe('squaredcos_cap_v2');
  });

  it('round-trips: read(write(state)) equals the state', () => {
    const states = [
      { T: 2, t: 1, schedule: 'scaled_linear' as const, eta: 0, compare: true },
      { T: 4000, t: 3999, schedule: 'squaredcos_cap_v2' as const, eta: 1, compare: false },
      { T: 333, t: 0, schedule: 'linear' as const, eta: 0.125, compare: true },
    ];
    for (const state of states) expect(spec.read(spec.write(state, '?other=1'))).toEqual(state);
  });

  it('sanitizes what it writes: out-of-range and wrong-typed values never reach the URL', () => {
    const dirty = { T: 1e9, t: Number.NaN, schedule: '<b>x</b>', eta: 0.123456, compare: 'yes' } as never;
    const params = new URLSearchParams(spec.write(dirty, ''));
    expect(params.get('se.T')).toBe('4000');
    expect(params.has('se.t')).toBe(false);
    expect(params.has('se.schedule')).toBe(false);
    expect(params.get('se.eta')).toBe('0.123');
    expect(params.has('se.compare')).toBe(false);
  });
});

describe('definitions', () => {
  it('rejects invalid field definitions and prefixes at definition time', () => {
    expect(() => int({ min: 5, max: 1, default: 3 })).toThrow(RangeError);
    expect(() => int({ min: 0, max: 10, default: 11 })).toThrow(RangeError);
    expect(() => num({ min: 0, max: Number.POSITIVE_INFINITY, default: 1 })).toThrow(RangeError);
    expect(() => oneOf(['a', 'b'], 'c' as 'a')).toThrow(RangeError);
    expect(() => defineUrlState('se.x', {})).toThrow(RangeError);
    expect(() => defineUrlState('', {})).toThrow(RangeError);
  });

  it('keeps the state valid even if the fix-up returns nonsense', () => {
    const sloppy = defineUrlState('ab', { n: int({ min: 0, max: 3, default: 1 }) }, () => ({ n: 99 }));
    expect(sloppy.read('')).toEqual({ n: 3 });
  });

  it('sanitize coerces in-memory states', () => {
    expect(spec.sanitize({ T: 3.4, t: 100, schedule: 'nope', eta: Infinity })).toEqual({
      T: 3,
      t: 2,
      schedule: 'linear',
      eta: 0.25,
      compare: false,
    });
    expect(spec.key('T')).toBe('se.T');
  });
});
