/**
 * Which of a widget's URL parameters were not used as written (garbage, out of range), so the
 * widget can say so instead of silently showing something else.
 *
 * API:  const note = urlNote(spec, location.search)  → '' or "The link's g2.w and g2.cls were not valid; defaults are shown instead."
 */
import type { Field, UrlStateSpec } from '../../lib/url-state';

const BOOL_WORDS = new Set(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']);

function usedAsWritten(field: Field<unknown>, raw: string, value: unknown): boolean {
  const text = raw.trim();
  const formatted = field.format(value);
  if (formatted === text) return true;
  if (typeof value === 'boolean') return BOOL_WORDS.has(text.toLowerCase());
  if (typeof value === 'number') return text !== '' && Number(text) === value;
  return false;
}

export function invalidUrlKeys<F extends Record<string, Field<any>>>(spec: UrlStateSpec<F>, search: string): string[] {
  const params = new URLSearchParams(search);
  // Compare with the state the widget will really use (after clamping and cross-field fix-ups).
  const state = spec.read(params) as Record<string, unknown>;
  const bad: string[] = [];
  for (const name of Object.keys(spec.fields)) {
    const raw = params.get(spec.key(name));
    if (raw !== null && !usedAsWritten(spec.fields[name]!, raw, state[name])) bad.push(spec.key(name));
  }
  return bad;
}

export function urlNote<F extends Record<string, Field<any>>>(spec: UrlStateSpec<F>, search: string): string {
  const bad = invalidUrlKeys(spec, search);
  if (bad.length === 0) return '';
  const list = bad.length === 1 ? bad[0] : `${bad.slice(0, -1).join(', ')} and ${bad.at(-1)}`;
  return `The link's ${list} ${bad.length === 1 ? 'was' : 'were'} not valid; ${bad.length === 1 ? 'a default or the nearest allowed value is' : 'defaults or the nearest allowed values are'} shown instead.`;
}
