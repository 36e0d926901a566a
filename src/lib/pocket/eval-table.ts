/**
 * The table `npm run models:eval` writes (models/eval/shapes-unet.json): validated, so the book
 * shows it only when it has the promised shape. Accuracies are in [0, 1]; JSON turns the NaN of an
 * attribute no caption asked for into null, which stays null here.
 */

export const EVAL_ROW_FIELDS = ['colour', 'shape', 'size', 'position', 'bothObjects', 'relation'] as const;
export type EvalRowField = (typeof EVAL_ROW_FIELDS)[number];

export type EvalTableRow = { w: number; diversity: number } & Record<EvalRowField, number | null>;

export interface EvalTable {
  model: string;
  modelSha256: string;
  sampler: string;
  steps: number;
  samplesPerCaption: number;
  seed: number;
  captions: { one: string[]; two: string[] };
  rows: EvalTableRow[];
}

export type EvalTableResult = { ok: true; table: EvalTable } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseRow(raw: unknown, index: number): EvalTableRow | string {
  if (!isObject(raw)) return `row ${index} is not an object`;
  if (!isFiniteNumber(raw.w) || raw.w < 0) return `row ${index} has no guidance weight w ≥ 0`;
  if (!isFiniteNumber(raw.diversity) || raw.diversity < 0) return `row ${index} has no diversity ≥ 0`;
  const row = { w: raw.w, diversity: raw.diversity } as EvalTableRow;
  for (const field of EVAL_ROW_FIELDS) {
    const value = raw[field];
    if (value === null || value === undefined) row[field] = null;
    else if (isFiniteNumber(value) && value >= 0 && value <= 1) row[field] = value;
    else return `row ${index}: ${field} must be an accuracy in [0, 1] or null`;
  }
  return row;
}

/** Checks a parsed JSON value; rows come back sorted by w. An empty `rows` is valid (nothing measured yet). */
export function parseEvalTable(raw: unknown): EvalTableResult {
  if (!isObject(raw)) return { ok: false, reason: 'the file is not a JSON object' };
  const { model, modelSha256, sampler, steps, samplesPerCaption, seed, captions, rows } = raw;
  if (typeof model !== 'string' || typeof modelSha256 !== 'string' || typeof sampler !== 'string')
    return { ok: false, reason: 'model, modelSha256 or sampler is missing' };
  if (!isFiniteNumber(steps) || !isFiniteNumber(samplesPerCaption) || !isFiniteNumber(seed))
    return { ok: false, reason: 'steps, samplesPerCaption or seed is missing' };
  if (!isObject(captions) || !isStringArray(captions.one) || !isStringArray(captions.two))
    return { ok: false, reason: 'captions must hold the lists "one" and "two"' };
  if (!Array.isArray(rows)) return { ok: false, reason: 'rows must be a list' };
  const parsed: EvalTableRow[] = [];
  for (const [i, r] of rows.entries()) {
    const row = parseRow(r, i);
    if (typeof row === 'string') return { ok: false, reason: row };
    parsed.push(row);
  }
  parsed.sort((a, b) => a.w - b.w);
  return {
    ok: true,
    table: {
      model,
      modelSha256,
      sampler,
      steps,
      samplesPerCaption,
      seed,
      captions: { one: captions.one, two: captions.two },
      rows: parsed,
    },
  };
}
