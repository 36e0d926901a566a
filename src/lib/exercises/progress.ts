/**
 * Exercise progress store: pure logic over a storage interface (localStorage in the browser,
 * an in-memory map or a failing fake in tests). Never throws because of storage: unreadable data
 * is set aside under BACKUP_KEY and replaced by an empty document, and unavailable or full storage
 * switches the store to memory-only mode (`persistent === false`) so the page keeps working.
 */
import {
  emptyDocument,
  emptyRecord,
  parseImport,
  parseStoredDocument,
  toExport,
  type ExerciseRecord,
  type ProgressDocument,
} from './progress-schema';

export * from './progress-schema';

export const STORAGE_KEY = 'dsbs.progress.v1';
/** Where unreadable stored progress is copied before the store starts afresh, so nothing is lost silently. */
export const BACKUP_KEY = 'dsbs.progress.v1.unreadable';
const PROBE_KEY = 'dsbs.progress.probe';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ProgressStoreOptions {
  now?: () => Date;
  warn?: (message: string) => void;
}

export type ImportOutcome =
  { ok: true; added: number; updated: number; unchanged: number } | { ok: false; message: string };

export type ProgressListener = (store: ProgressStore) => void;

export interface ProgressStore {
  /** False when progress lives only in memory (storage unavailable, or a write failed). */
  readonly persistent: boolean;
  get(id: string): ExerciseRecord | undefined;
  recordAttempt(id: string, chapter: string, answer: string, correct: boolean): ExerciseRecord;
  revealHints(id: string, chapter: string, count: number): ExerciseRecord;
  revealSolution(id: string, chapter: string): ExerciseRecord;
  setDone(id: string, chapter: string, done: boolean): ExerciseRecord;
  /** Removes every record of the chapter; returns how many were removed. */
  resetChapter(chapter: string): number;
  exportJson(): string;
  /** Validates strictly; on success merges, keeping for each exercise the more recently updated record. */
  importJson(text: string): ImportOutcome;
  /** Re-reads storage (after another tab changed it). */
  reload(): void;
  subscribe(listener: ProgressListener): () => void;
}

export function createProgressStore(storage: StorageLike | null, options: ProgressStoreOptions = {}): ProgressStore {
  const now = options.now ?? (() => new Date());
  const warn = options.warn ?? ((message: string) => console.warn(`[exercises] ${message}`));
  const listeners = new Set<ProgressListener>();
  let backend: StorageLike | null = storage && probe(storage) ? storage : null;
  if (storage && !backend) warn('browser storage is unavailable; progress is kept in memory for this page only.');
  let document = backend ? load(backend) : emptyDocument();

  function load(from: StorageLike): ProgressDocument {
    let raw: string | null;
    try {
      raw = from.getItem(STORAGE_KEY);
    } catch {
      backend = null;
      warn('reading stored progress failed; progress is kept in memory for this page only.');
      return emptyDocument();
    }
    if (raw === null) return emptyDocument();
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      setAside(from, raw, 'stored progress is not valid JSON');
      return emptyDocument();
    }
    const parsed = parseStoredDocument(value);
    if (!parsed.ok) {
      setAside(from, raw, parsed.problem);
      return emptyDocument();
    }
    if (parsed.droppedRecords.length > 0) {
      setAside(from, raw, `dropped invalid records for ${parsed.droppedRecords.join(', ')}`);
    }
    return parsed.document;
  }

  function setAside(from: StorageLike, raw: string, problem: string): void {
    try {
      from.setItem(BACKUP_KEY, raw);
      warn(`${problem}; the original was copied to "${BACKUP_KEY}" and progress starts afresh.`);
    } catch {
      warn(`${problem}; progress starts afresh (the original could not be backed up).`);
    }
  }

  function save(): void {
    if (backend) {
      try {
        backend.setItem(STORAGE_KEY, JSON.stringify(document));
      } catch (error) {
        backend = null;
        warn(
          `saving progress failed (${error instanceof Error ? error.name : 'unknown error'}); progress is kept in memory for this page only.`,
        );
      }
    }
    for (const listener of listeners) listener(store);
  }

  function update(id: string, chapter: string, change: (record: ExerciseRecord) => void): ExerciseRecord {
    const timestamp = now().toISOString();
    const record = { ...(document.exercises[id] ?? emptyRecord(chapter, timestamp)), chapter, updatedAt: timestamp };
    change(record);
    document.exercises[id] = record;
    save();
    return { ...record };
  }

  const store: ProgressStore = {
    get persistent() {
      return backend !== null;
    },
    get(id) {
      const record = document.exercises[id];
      return record ? { ...record } : undefined;
    },
    recordAttempt(id, chapter, answer, correct) {
      return update(id, chapter, (record) => {
        record.lastAnswer = answer;
        record.attempts += 1;
        record.status = correct ? 'correct' : 'incorrect';
      });
    },
    revealHints(id, chapter, count) {
      return update(id, chapter, (record) => {
        record.hintsRevealed = Math.max(record.hintsRevealed, Math.floor(count));
      });
    },
    revealSolution(id, chapter) {
      return update(id, chapter, (record) => {
        record.solutionRevealed = true;
      });
    },
    setDone(id, chapter, done) {
      return update(id, chapter, (record) => {
        record.status = done ? 'done' : 'unanswered';
      });
    },
    resetChapter(chapter) {
      const ids = Object.keys(document.exercises).filter((id) => document.exercises[id]!.chapter === chapter);
      for (const id of ids) delete document.exercises[id];
      save();
      return ids.length;
    },
    exportJson() {
      return JSON.stringify(toExport(document, now().toISOString()), null, 2);
    },
    importJson(text) {
      const parsed = parseImport(text);
      if (!parsed.ok) return parsed;
      let added = 0;
      let updated = 0;
      let unchanged = 0;
      for (const [id, incoming] of Object.entries(parsed.document.exercises)) {
        const existing = document.exercises[id];
        if (!existing) {
          added += 1;
        } else if (Date.parse(incoming.updatedAt) > Date.parse(existing.updatedAt)) {
          updated += 1;
        } else {
          unchanged += 1;
          continue;
        }
        document.exercises[id] = incoming;
      }
      save();
      return { ok: true, added, updated, unchanged };
    },
    reload() {
      if (!backend) return;
      document = load(backend);
      for (const listener of listeners) listener(store);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return store;
}

function probe(storage: StorageLike): boolean {
  try {
    storage.setItem(PROBE_KEY, '1');
    storage.removeItem(PROBE_KEY);
    return true;
  } catch {
    return false;
  }
}
