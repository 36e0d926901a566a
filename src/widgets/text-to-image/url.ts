/**
 * URL state of the text → image widget (prefix `t2i.`), validated by src/lib/url-state.ts, plus a
 * list of the keys the URL got wrong so the widget can say what it ignored.
 *
 *   t2i.caption  caption ('' = unconditional; absent = the default caption)
 *   t2i.seed t2i.n (1, 4, 9) t2i.steps (5…100) t2i.sampler (ddim | ddpm) t2i.w (−1…10, step 0.5)
 *   t2i.b (1 = a branch exists) t2i.bk (its step) t2i.bw (its w) t2i.bcap (its caption; absent = same)
 *   t2i.k  scrubber position (step 0…steps)
 */
import { parseCaption } from '../../lib/shapes-world/caption';
import { bool, defineUrlState, int, num, oneOf, type Field, type StateOf } from '../../lib/url-state';
import { TEXT_TO_IMAGE_SAMPLERS } from '../../lib/pocket/text-to-image';

export const DEFAULT_CAPTION = 'a green square on the left';
export const SAMPLE_COUNTS = [1, 4, 9] as const;
export const MIN_STEPS = 5;
export const MAX_STEPS = 100;
export const MIN_WEIGHT = -1;
export const MAX_WEIGHT = 10;
export const WEIGHT_STEP = 0.5;
const MAX_CAPTION_LENGTH = 100;

/** Lower case, single spaces, trimmed: the form a caption is stored and compared in. */
export function normaliseCaptionText(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** A valid caption (canonical text) or ''; `null` as the default means "not given". */
function captionField<D extends string | null>(def: D): Field<string | D> {
  const sanitize = (value: unknown): string | D => {
    if (typeof value !== 'string' || value.length > MAX_CAPTION_LENGTH) return def;
    const text = normaliseCaptionText(value);
    if (text === '') return '';
    const parsed = parseCaption(text);
    return parsed.ok ? parsed.caption : def;
  };
  return {
    default: def,
    sanitize,
    parse: (raw) => (raw === null ? def : sanitize(raw)),
    // null never reaches the URL: write() drops values equal to the default.
    format: (value) => (value === null ? '\u0000' : (sanitize(value) ?? '\u0000')),
  };
}

const nearestCount = (n: number) =>
  SAMPLE_COUNTS.reduce((best, c) => (Math.abs(c - n) < Math.abs(best - n) ? c : best), 4);
const snapWeight = (w: number) => Math.round(w / WEIGHT_STEP) * WEIGHT_STEP;

export const textToImageUrl = defineUrlState(
  't2i',
  {
    caption: captionField(DEFAULT_CAPTION),
    seed: int({ min: 0, max: 99_999, default: 0 }),
    n: int({ min: 1, max: 9, default: 4 }),
    steps: int({ min: MIN_STEPS, max: MAX_STEPS, default: 50 }),
    sampler: oneOf(TEXT_TO_IMAGE_SAMPLERS, 'ddim'),
    w: num({ min: MIN_WEIGHT, max: MAX_WEIGHT, default: 3, digits: 1 }),
    b: bool(false),
    bk: int({ min: 0, max: MAX_STEPS, default: 0 }),
    bw: num({ min: MIN_WEIGHT, max: MAX_WEIGHT, default: 7, digits: 1 }),
    bcap: captionField(null),
    k: int({ min: 0, max: MAX_STEPS, default: 0 }),
  },
  (state) => ({
    ...state,
    n: nearestCount(state.n),
    w: snapWeight(state.w),
    bw: snapWeight(state.bw),
    bk: Math.min(state.bk, state.steps),
    k: Math.min(state.k, state.steps),
  }),
);

export type TextToImageUrlState = StateOf<typeof textToImageUrl.fields>;

/**
 * The widget's keys present in `search` whose value was not used as written (malformed, out of
 * range, not a choice, an unknown caption): what the widget's note names.
 */
export function urlStateProblems(search: string): string[] {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    return [];
  }
  const state = textToImageUrl.read(params) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, field] of Object.entries(textToImageUrl.fields) as [string, Field<unknown>][]) {
    const raw = params.get(textToImageUrl.key(name as keyof typeof textToImageUrl.fields & string));
    if (raw === null) continue;
    const used = state[name];
    const asNumber = raw.trim() === '' ? NaN : Number(raw);
    const fine =
      typeof used === 'number'
        ? asNumber === used
        : typeof used === 'boolean'
          ? field.format(used) === raw.trim() ||
            ['true', 'false', 'yes', 'no', 'on', 'off'].includes(raw.trim().toLowerCase())
          : typeof used === 'string' && (used === normaliseCaptionText(raw) || used === raw.trim());
    if (!fine) problems.push(textToImageUrl.key(name as keyof typeof textToImageUrl.fields & string));
  }
  return problems;
}
