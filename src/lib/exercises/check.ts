/**
 * Answer checking for exercises. Pure: no DOM, no storage.
 *
 * Numbers a reader may type (decided here, documented in the exercise UI hint text):
 *   - decimals with an optional sign: `0.5`, `.5`, `5.`, `-0.25`, `+2`
 *   - scientific notation: `5e-1`, `2.5E3`
 *   - a fraction of two such numbers: `1/2`, `-3/4`, `1e-3/2`
 *   - the Unicode minus sign `−` (what rendered math shows) is read as `-`
 *   - surrounding whitespace and whitespace around `/` are ignored
 * Rejected with an explanation (never marked "wrong"): empty input, decimal commas (`0,5`),
 * percentages, `Infinity`/`NaN`, expressions, and division by zero.
 */

export type ParseResult = { ok: true; value: number } | { ok: false; reason: ParseFailure };

export type ParseFailure = 'empty' | 'decimal-comma' | 'percent' | 'division-by-zero' | 'not-a-number';

const DECIMAL = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const DECIMAL_ONLY = new RegExp(`^${DECIMAL}$`);
const FRACTION = new RegExp(`^(${DECIMAL})\\s*/\\s*(${DECIMAL})$`);

export function parseNumber(raw: string): ParseResult {
  const text = raw.trim().replace(/\u2212/g, '-');
  if (text === '') return { ok: false, reason: 'empty' };
  if (DECIMAL_ONLY.test(text)) return finite(Number(text));
  const fraction = FRACTION.exec(text);
  if (fraction) {
    const numerator = Number(fraction[1]);
    const denominator = Number(fraction[2]);
    if (denominator === 0) return { ok: false, reason: 'division-by-zero' };
    return finite(numerator / denominator);
  }
  if (/^[+-]?\d*,\d+$/.test(text)) return { ok: false, reason: 'decimal-comma' };
  if (/%\s*$/.test(text)) return { ok: false, reason: 'percent' };
  return { ok: false, reason: 'not-a-number' };
}

function finite(value: number): ParseResult {
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'not-a-number' };
}

export interface NumericSpec {
  answer: number;
  /** Absolute tolerance: accept |x − answer| ≤ tolerance. Default 0. */
  tolerance?: number;
  /** Relative tolerance: also accept |x − answer| ≤ relTolerance·|answer|. Default 0. */
  relTolerance?: number;
}

export type NumericCheck =
  { kind: 'correct'; value: number } | { kind: 'incorrect'; value: number } | { kind: 'invalid'; reason: ParseFailure };

/**
 * A value passes if it is within the absolute tolerance OR within the relative tolerance.
 * Boundaries are inclusive. A few ulps of slack absorb binary rounding, so that e.g. 0.51 passes
 * for answer 0.5 with tolerance 0.01 even though 0.51 − 0.5 evaluates to 0.010000000000000009.
 */
export function isWithinTolerance(value: number, spec: NumericSpec): boolean {
  const { answer, tolerance = 0, relTolerance = 0 } = spec;
  const difference = Math.abs(value - answer);
  const allowed = Math.max(tolerance, relTolerance * Math.abs(answer));
  const roundingSlack = 4 * Number.EPSILON * Math.max(Math.abs(value), Math.abs(answer), allowed);
  return difference <= allowed + roundingSlack;
}

export function checkNumeric(raw: string, spec: NumericSpec): NumericCheck {
  const parsed = parseNumber(raw);
  if (!parsed.ok) return { kind: 'invalid', reason: parsed.reason };
  return isWithinTolerance(parsed.value, spec)
    ? { kind: 'correct', value: parsed.value }
    : { kind: 'incorrect', value: parsed.value };
}

export function checkChoice(selected: string, answer: string): 'correct' | 'incorrect' {
  return selected === answer ? 'correct' : 'incorrect';
}

/** Reader-facing explanation for input that is not a number we can read. */
export function describeParseFailure(reason: ParseFailure, raw: string): string {
  const shown = raw.trim().slice(0, 40);
  switch (reason) {
    case 'empty':
      return 'Enter a number first.';
    case 'decimal-comma':
      return `“${shown}” uses a decimal comma; please write it with a dot, e.g. 0.5.`;
    case 'percent':
      return `Percentages are not accepted; write “${shown}” as a decimal or fraction, e.g. 0.25 or 1/4.`;
    case 'division-by-zero':
      return `“${shown}” divides by zero.`;
    case 'not-a-number':
      return `“${shown}” is not a number we can read. Use a decimal (0.25), scientific notation (2.5e-1) or a fraction (1/4).`;
  }
}

/** Validation of exercise props at build time; returns an error message or null. */
export function validateNumericSpec(spec: {
  answer: unknown;
  tolerance?: unknown;
  relTolerance?: unknown;
}): string | null {
  if (typeof spec.answer !== 'number' || !Number.isFinite(spec.answer)) {
    return 'numeric exercises need a finite number `answer`, e.g. answer={0.5}';
  }
  for (const key of ['tolerance', 'relTolerance'] as const) {
    const value = spec[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return `\`${key}\` must be a non-negative finite number, e.g. ${key}={0.01}`;
    }
  }
  return null;
}
