/**
 * The stored shape of exercise progress and its validation. Pure: no DOM, no storage.
 * Stored under `dsbs.progress.v1`; the document also carries `version` so that a later schema can
 * be recognised (and migrated or set aside) rather than misread.
 */

export const SCHEMA_VERSION = 1;
export const EXPORT_FORMAT = 'dsbs-progress';

export const EXERCISE_STATUSES = ['unanswered', 'incorrect', 'correct', 'done'] as const;
export type ExerciseStatus = (typeof EXERCISE_STATUSES)[number];

export interface ExerciseRecord {
  /** Chapter slug the exercise belongs to, used by "Reset progress for this chapter". */
  chapter: string;
  status: ExerciseStatus;
  /** The last answer the reader submitted (numeric text as typed, or a choice value). */
  lastAnswer: string | null;
  /** Number of submitted answers that could be checked (unreadable input does not count). */
  attempts: number;
  hintsRevealed: number;
  solutionRevealed: boolean;
  /** ISO 8601 timestamp of the last change. */
  updatedAt: string;
}

export interface ProgressDocument {
  version: typeof SCHEMA_VERSION;
  exercises: Record<string, ExerciseRecord>;
}

export interface ProgressExport extends ProgressDocument {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
}

/** Exercise ids and chapter slugs: lowercase kebab-case. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_ANSWER_LENGTH = 500;
const MAX_COUNT = 1_000_000;

export function emptyDocument(): ProgressDocument {
  return { version: SCHEMA_VERSION, exercises: {} };
}

export function emptyRecord(chapter: string, updatedAt: string): ExerciseRecord {
  return {
    chapter,
    status: 'unanswered',
    lastAnswer: null,
    attempts: 0,
    hintsRevealed: 0,
    solutionRevealed: false,
    updatedAt,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_COUNT;
}

/** Returns why `value` is not a valid record, or null when it is. */
export function recordProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'is not an object';
  if (typeof value.chapter !== 'string' || !SLUG_PATTERN.test(value.chapter)) return 'has no valid "chapter"';
  if (typeof value.status !== 'string' || !(EXERCISE_STATUSES as readonly string[]).includes(value.status)) {
    return `has an unknown "status" (expected one of ${EXERCISE_STATUSES.join(', ')})`;
  }
  if (
    value.lastAnswer !== null &&
    (typeof value.lastAnswer !== 'string' || value.lastAnswer.length > MAX_ANSWER_LENGTH)
  ) {
    return 'has an invalid "lastAnswer"';
  }
  if (!isCount(value.attempts)) return 'has an invalid "attempts" count';
  if (!isCount(value.hintsRevealed)) return 'has an invalid "hintsRevealed" count';
  if (typeof value.solutionRevealed !== 'boolean') return 'has an invalid "solutionRevealed"';
  if (typeof value.updatedAt !== 'string' || Number.isNaN(Date.parse(value.updatedAt)))
    return 'has an invalid "updatedAt" date';
  return null;
}

function copyRecord(value: ExerciseRecord): ExerciseRecord {
  const { chapter, status, lastAnswer, attempts, hintsRevealed, solutionRevealed, updatedAt } = value;
  return { chapter, status, lastAnswer, attempts, hintsRevealed, solutionRevealed, updatedAt };
}

export type DocumentParse =
  { ok: true; document: ProgressDocument; droppedRecords: string[] } | { ok: false; problem: string };

/**
 * Reads a stored document leniently: a wrong version or shape is rejected as a whole, but single
 * invalid records are dropped (and listed) so one bad entry cannot wipe everything else.
 */
export function parseStoredDocument(value: unknown): DocumentParse {
  if (!isPlainObject(value)) return { ok: false, problem: 'stored progress is not a JSON object' };
  if (value.version !== SCHEMA_VERSION) {
    return {
      ok: false,
      problem: `stored progress has schema version ${JSON.stringify(value.version) ?? 'none'}, expected ${SCHEMA_VERSION}`,
    };
  }
  if (!isPlainObject(value.exercises)) return { ok: false, problem: 'stored progress has no "exercises" object' };
  const document = emptyDocument();
  const droppedRecords: string[] = [];
  for (const [id, record] of Object.entries(value.exercises)) {
    if (SLUG_PATTERN.test(id) && recordProblem(record) === null) {
      document.exercises[id] = copyRecord(record as ExerciseRecord);
    } else {
      droppedRecords.push(id);
    }
  }
  return { ok: true, document, droppedRecords };
}

export type ImportParse = { ok: true; document: ProgressDocument } | { ok: false; message: string };

/** Strict validation of a file a reader imports: any problem rejects the whole file, with a reason. */
export function parseImport(text: string): ImportParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The file is not valid JSON. Choose a file made with “Export progress”.' };
  }
  if (!isPlainObject(value) || value.format !== EXPORT_FORMAT) {
    return {
      ok: false,
      message: 'The file is JSON but not an exported progress file (its "format" is not "dsbs-progress").',
    };
  }
  if (value.version !== SCHEMA_VERSION) {
    return {
      ok: false,
      message: `The file has progress format version ${JSON.stringify(value.version) ?? 'none'}; this site reads version ${SCHEMA_VERSION}.`,
    };
  }
  if (!isPlainObject(value.exercises)) return { ok: false, message: 'The file has no "exercises" object.' };
  const document = emptyDocument();
  for (const [id, record] of Object.entries(value.exercises)) {
    if (!SLUG_PATTERN.test(id))
      return { ok: false, message: `The file has an invalid exercise id “${id.slice(0, 60)}”.` };
    const problem = recordProblem(record);
    if (problem) return { ok: false, message: `Exercise “${id}” in the file ${problem}.` };
    document.exercises[id] = copyRecord(record as ExerciseRecord);
  }
  return { ok: true, document };
}

export function toExport(document: ProgressDocument, exportedAt: string): ProgressExport {
  return { format: EXPORT_FORMAT, version: SCHEMA_VERSION, exportedAt, exercises: structuredClone(document.exercises) };
}

/** Counts toward "n of m done": a correct answer, or a derivation the reader marked done. */
export function isComplete(record: ExerciseRecord | undefined): boolean {
  return record?.status === 'correct' || record?.status === 'done';
}
