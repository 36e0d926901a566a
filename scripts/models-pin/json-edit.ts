/**
 * Replaces single values inside a JSON text without re-serialising the rest, so the file keeps its
 * exact formatting: models/manifest.json is written by Python's json.dump, whose `1.0` and `2.9e-07`
 * JSON.stringify would turn into `1` and `2.9e-7`.
 */

export interface JsonEdit {
  /** Keys from the root, e.g. ['models', 'sd-turbo', 'hub', 'revision']. */
  path: string[];
  /** A JSON scalar (string, number, boolean or null). */
  value: string | number | boolean | null;
}

const key = (path: readonly string[]) => JSON.stringify(path);

/** The text with each edit's value replaced; throws if a path does not name an existing value. */
export function replaceJsonValues(text: string, edits: readonly JsonEdit[]): string {
  JSON.parse(text); // the scanner below trusts the text to be valid JSON
  const wanted = new Map(edits.map((e) => [key(e.path), e]));
  const spans: { start: number; end: number; edit: JsonEdit }[] = [];
  scanValues(text, (path, start, end) => {
    const edit = wanted.get(key(path));
    if (edit) spans.push({ start, end, edit });
  });
  const found = new Set(spans.map((s) => key(s.edit.path)));
  const missing = edits.filter((e) => !found.has(key(e.path)));
  if (missing.length) throw new Error(`no value at ${missing.map((e) => e.path.join('.')).join(', ')}`);
  let out = text;
  for (const { start, end, edit } of spans.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, start) + JSON.stringify(edit.value) + out.slice(end);
  }
  return out;
}

/** Calls `onValue(path, start, end)` for every value in a valid JSON text (array items get their index as key). */
function scanValues(text: string, onValue: (path: string[], start: number, end: number) => void): void {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
  };
  const readString = (): string => {
    const start = i;
    i += 1;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const readValue = (path: string[]): void => {
    skipSpace();
    const start = i;
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i += 1;
      skipSpace();
      for (let index = 0; text[i] !== close; index += 1) {
        let name = String(index);
        if (c === '{') {
          name = readString();
          skipSpace();
          i += 1; // ':'
        }
        readValue([...path, name]);
        skipSpace();
        if (text[i] === ',') i += 1;
        skipSpace();
      }
      i += 1;
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && /[-+0-9.eEtrufalsn]/.test(text[i]!)) i += 1;
    }
    onValue(path, start, i);
  };
  readValue([]);
}
