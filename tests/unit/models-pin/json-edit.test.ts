import { describe, expect, it } from 'vitest';
import { replaceJsonValues } from '../../../scripts/models-pin/json-edit';

const text = `{
  "a.b": {
    "revision": null,
    "note": "a \\"quoted\\" } brace",
    "list": [1.0, {"revision": null}, 2.5e-07]
  },
  "revision": "keep",
  "tail": 1.0
}
`;

describe('replaceJsonValues', () => {
  it('replaces only the named values and keeps every other byte (1.0, 2.5e-07, escapes, spacing)', () => {
    const out = replaceJsonValues(text, [
      { path: ['a.b', 'revision'], value: 'f'.repeat(40) },
      { path: ['a.b', 'list', '1', 'revision'], value: 42 },
    ]);
    expect(out).toBe(
      text
        .replace('"revision": null,', `"revision": "${'f'.repeat(40)}",`)
        .replace('{"revision": null}', '{"revision": 42}'),
    );
  });

  it('throws for a path that names no value, and for text that is not JSON', () => {
    expect(() => replaceJsonValues(text, [{ path: ['a', 'revision'], value: 1 }])).toThrow('no value at a.revision');
    expect(() => replaceJsonValues('{"a": }', [{ path: ['a'], value: 1 }])).toThrow(SyntaxError);
  });
});
