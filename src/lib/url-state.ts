/**
 * Widget state in the URL query string — pure, no DOM.
 *
 * API (stable; used by every widget):
 *   const spec = defineUrlState('se', {
 *     T: int({ min: 2, max: 4000, default: 1000 }),
 *     schedule: oneOf(['linear', 'cosine'] as const, 'linear'),
 *     eta: num({ min: 0, max: 1, default: 0, digits: 3 }),
 *     compare: bool(false),
 *   }, (s) => ({ ...s, t: Math.min(s.t, s.T - 1) }));   // optional cross-field fix-up
 *   spec.read('?se.T=50&x=1')  → { T: 50, schedule: 'linear', eta: 0, compare: false } (always valid)
 *   spec.write(state, location.search) → '?x=1&se.T=50' ('' when nothing is left)
 *   spec.defaults()            → the default state
 *
 * Keys are `${prefix}.${name}`. `read` never throws: a missing, malformed, non-finite or overlong
 * value falls back to the field's default, numbers are clamped into range, and a choice must be
 * one of the listed values (so no string from the URL ever reaches the page as markup or text).
 * `write` only touches this widget's keys, leaves every other parameter as it was, and omits
 * values equal to their default so shared links stay short.
 */

/** Longest raw value we even look at; anything longer is treated as garbage. */
const MAX_RAW_LENGTH = 64;

export interface Field<T> {
  readonly default: T;
  /** Raw query value (or null when absent) → a valid value; never throws. */
  parse(raw: string | null): T;
  /** Valid value → its query representation. */
  format(value: T): string;
  /** Coerce any in-memory value (e.g. from a slider) into the field's domain. */
  sanitize(value: unknown): T;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

function parseFiniteNumber(raw: string | null): number | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (text.length === 0 || text.length > MAX_RAW_LENGTH || !DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function checkRange(min: number, max: number, def: number): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max && def >= min && def <= max)) {
    throw new RangeError(`url-state: invalid range [${min}, ${max}] with default ${def}`);
  }
}

/** An integer in [min, max]; non-integers are rounded. */
export function int(options: { min: number; max: number; default: number }): Field<number> {
  const { min, max } = options;
  checkRange(min, max, options.default);
  const sanitize = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? clamp(Math.round(value), min, max) : options.default;
  return {
    default: options.default,
    sanitize,
    parse: (raw) => {
      const value = parseFiniteNumber(raw);
      return value === null ? options.default : sanitize(value);
    },
    format: (value) => String(sanitize(value)),
  };
}

/** A real number in [min, max], written with at most `digits` decimals (default 4). */
export function num(options: { min: number; max: number; default: number; digits?: number }): Field<number> {
  const { min, max } = options;
  const digits = options.digits ?? 4;
  checkRange(min, max, options.default);
  const sanitize = (value: unknown): number =>
    typeof value === 'number' && Number.isFinite(value) ? clamp(value, min, max) : options.default;
  return {
    default: options.default,
    sanitize,
    parse: (raw) => {
      const value = parseFiniteNumber(raw);
      return value === null ? options.default : sanitize(value);
    },
    // Number(toFixed) drops trailing zeros: 0.5000 → "0.5".
    format: (value) => String(Number(sanitize(value).toFixed(digits))),
  };
}

/** One of a fixed list of strings; anything else is the default. */
export function oneOf<const V extends string>(values: readonly V[], def: NoInfer<V>): Field<V> {
  if (!values.includes(def)) throw new RangeError(`url-state: default "${def}" is not among the choices`);
  const sanitize = (value: unknown): V =>
    typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as V) : def;
  return {
    default: def,
    sanitize,
    parse: (raw) => (raw === null ? def : sanitize(raw.trim())),
    format: (value) => sanitize(value),
  };
}

/** A flag written as 1/0 (true/false/yes/no/on/off are also read). */
export function bool(def: boolean): Field<boolean> {
  const truthy = new Set(['1', 'true', 'yes', 'on']);
  const falsy = new Set(['0', 'false', 'no', 'off']);
  return {
    default: def,
    sanitize: (value) => (typeof value === 'boolean' ? value : def),
    parse: (raw) => {
      if (raw === null) return def;
      const text = raw.trim().toLowerCase();
      if (truthy.has(text)) return true;
      if (falsy.has(text)) return false;
      return def;
    },
    format: (value) => (value ? '1' : '0'),
  };
}

type Fields = Record<string, Field<any>>;
export type StateOf<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export interface UrlStateSpec<F extends Fields> {
  readonly prefix: string;
  readonly fields: F;
  defaults(): StateOf<F>;
  /** Parse a query string ('?a=1', 'a=1') or URLSearchParams into a complete, valid state. */
  read(search: string | URLSearchParams): StateOf<F>;
  /** Coerce an in-memory state (possibly partial or out of range) into a valid one. */
  sanitize(state: Partial<Record<keyof F, unknown>>): StateOf<F>;
  /** The new query string ('?…' or '') with this widget's keys set and all others preserved. */
  write(state: StateOf<F>, currentSearch: string | URLSearchParams): string;
  /** The query key of a field, e.g. 'se.T'. */
  key(name: keyof F & string): string;
}

const PREFIX = /^[a-z][a-z0-9]{0,7}$/;

export function defineUrlState<F extends Fields>(
  prefix: string,
  fields: F,
  normalize: (state: StateOf<F>) => StateOf<F> = (state) => state,
): UrlStateSpec<F> {
  if (!PREFIX.test(prefix)) throw new RangeError(`url-state: bad prefix "${prefix}"`);
  const names = Object.keys(fields) as (keyof F & string)[];
  const key = (name: keyof F & string) => `${prefix}.${name}`;

  const finish = (pick: (name: keyof F & string, field: Field<unknown>) => unknown): StateOf<F> => {
    const state = {} as Record<string, unknown>;
    for (const name of names) state[name] = pick(name, fields[name]!);
    const normalized = normalize(state as StateOf<F>) as Record<string, unknown>;
    // The fix-up runs on valid input; re-sanitize so a sloppy normalizer cannot break validity.
    for (const name of names) normalized[name] = fields[name]!.sanitize(normalized[name]);
    return normalized as StateOf<F>;
  };

  const toParams = (search: string | URLSearchParams): URLSearchParams => {
    if (typeof search !== 'string') return new URLSearchParams(search);
    try {
      return new URLSearchParams(search);
    } catch {
      return new URLSearchParams();
    }
  };

  const sanitize = (state: Partial<Record<keyof F, unknown>>) =>
    finish((name, field) => field.sanitize((state ?? {})[name]));

  return {
    prefix,
    fields,
    key,
    sanitize,
    defaults: () => finish((_name, field) => field.default),
    read: (search) => {
      const params = toParams(search);
      return finish((name, field) => field.parse(params.get(key(name))));
    },
    write: (state, currentSearch) => {
      const params = toParams(currentSearch);
      const valid = sanitize(state);
      for (const name of names) {
        const field = fields[name]!;
        const text = field.format(valid[name]);
        if (text === field.format(field.default)) params.delete(key(name));
        else params.set(key(name), text);
      }
      const query = params.toString();
      return query.length > 0 ? `?${query}` : '';
    },
  };
}
