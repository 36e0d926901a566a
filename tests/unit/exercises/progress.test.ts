import { describe, expect, it } from 'vitest';
import {
  BACKUP_KEY,
  createProgressStore,
  isComplete,
  parseImport,
  STORAGE_KEY,
  type StorageLike,
} from '../../../src/lib/exercises/progress';

/** A storage with localStorage's semantics for the three methods the store uses. */
class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** Behaves like a full origin quota: once `capacity` characters are used, setItem throws. */
class QuotaStorage extends MapStorage {
  constructor(private readonly capacity: number) {
    super();
  }
  override setItem(key: string, value: string): void {
    const used = [...this.items].reduce((sum, [k, v]) => (k === key ? sum : sum + k.length + v.length), 0);
    if (used + key.length + value.length > this.capacity) {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    super.setItem(key, value);
  }
}

/** Storage that the browser blocks entirely (e.g. some private modes): every call throws. */
class BlockedStorage implements StorageLike {
  getItem(): string | null {
    throw new DOMException('Access is denied', 'SecurityError');
  }
  setItem(): void {
    throw new DOMException('Access is denied', 'SecurityError');
  }
  removeItem(): void {
    throw new DOMException('Access is denied', 'SecurityError');
  }
}

function clock(start = Date.UTC(2026, 0, 1)) {
  let time = start;
  return () => new Date((time += 1000));
}

function setup(storage: StorageLike | null = new MapStorage()) {
  const warnings: string[] = [];
  const store = createProgressStore(storage, { now: clock(), warn: (message) => warnings.push(message) });
  return { store, warnings, storage };
}

function stored(storage: MapStorage): unknown {
  return JSON.parse(storage.getItem(STORAGE_KEY)!);
}

describe('progress store: recording', () => {
  it('records attempts, hints, solution and done, and persists them under the versioned key', () => {
    const storage = new MapStorage();
    const { store } = setup(storage);
    store.recordAttempt('ddpm-a', 'ddpm', '0.4', false);
    store.recordAttempt('ddpm-a', 'ddpm', '1/2', true);
    store.revealHints('ddpm-a', 'ddpm', 2);
    store.revealHints('ddpm-a', 'ddpm', 1); // never goes back
    store.revealSolution('ddpm-a', 'ddpm');
    store.setDone('ddpm-b', 'ddpm', true);

    expect(store.get('ddpm-a')).toEqual({
      chapter: 'ddpm',
      status: 'correct',
      lastAnswer: '1/2',
      attempts: 2,
      hintsRevealed: 2,
      solutionRevealed: true,
      updatedAt: '2026-01-01T00:00:05.000Z',
    });
    expect(store.get('ddpm-b')?.status).toBe('done');
    expect(stored(storage)).toMatchObject({
      version: 1,
      exercises: { 'ddpm-a': { attempts: 2 }, 'ddpm-b': { status: 'done' } },
    });
    expect(store.persistent).toBe(true);
  });

  it('survives a reload: a new store over the same storage sees the same records', () => {
    const storage = new MapStorage();
    setup(storage).store.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    const { store, warnings } = setup(storage);
    expect(store.get('ddpm-a')).toMatchObject({ status: 'correct', lastAnswer: '0.5', attempts: 1 });
    expect(warnings).toEqual([]);
  });

  it('un-marking a derivation returns it to unanswered', () => {
    const { store } = setup();
    store.setDone('ddpm-d', 'ddpm', true);
    expect(isComplete(store.get('ddpm-d'))).toBe(true);
    store.setDone('ddpm-d', 'ddpm', false);
    expect(store.get('ddpm-d')?.status).toBe('unanswered');
    expect(isComplete(store.get('ddpm-d'))).toBe(false);
  });

  it('returns copies, so callers cannot change stored state by accident', () => {
    const { store } = setup();
    store.recordAttempt('ddpm-a', 'ddpm', '1', false);
    store.get('ddpm-a')!.attempts = 99;
    expect(store.get('ddpm-a')?.attempts).toBe(1);
  });

  it('notifies subscribers after each change until they unsubscribe', () => {
    const { store } = setup();
    const seen: (string | undefined)[] = [];
    const unsubscribe = store.subscribe((current) => seen.push(current.get('ddpm-a')?.status));
    store.recordAttempt('ddpm-a', 'ddpm', '1', false);
    store.recordAttempt('ddpm-a', 'ddpm', '2', true);
    unsubscribe();
    store.setDone('ddpm-a', 'ddpm', true);
    expect(seen).toEqual(['incorrect', 'correct']);
  });
});

describe('progress store: reset', () => {
  it('clears only the given chapter', () => {
    const storage = new MapStorage();
    const { store } = setup(storage);
    store.recordAttempt('ddpm-a', 'ddpm', '1', true);
    store.revealHints('ddpm-b', 'ddpm', 1);
    store.recordAttempt('ddim-a', 'ddim', '1', true);
    expect(store.resetChapter('ddpm')).toBe(2);
    expect(store.get('ddpm-a')).toBeUndefined();
    expect(store.get('ddpm-b')).toBeUndefined();
    expect(store.get('ddim-a')?.status).toBe('correct');
    expect(Object.keys((stored(storage) as { exercises: object }).exercises)).toEqual(['ddim-a']);
    expect(store.resetChapter('ddpm')).toBe(0);
  });
});

describe('progress store: unreadable stored data', () => {
  it.each([
    ['not JSON', '{"version":1,"exercises":{', /not valid JSON/],
    ['a JSON array', '[1,2,3]', /not a JSON object/],
    ['a newer schema version', '{"version":2,"exercises":{}}', /schema version 2, expected 1/],
    ['no version', '{"exercises":{}}', /schema version none/],
    ['no exercises object', '{"version":1,"exercises":[]}', /no "exercises" object/],
  ])('starts empty when stored progress is %s, warns, and backs the original up', (_label, raw, problem) => {
    const storage = new MapStorage();
    storage.setItem(STORAGE_KEY, raw);
    const { store, warnings } = setup(storage);
    expect(store.get('ddpm-a')).toBeUndefined();
    expect(store.persistent).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(problem);
    expect(warnings[0]).toContain(BACKUP_KEY);
    expect(storage.getItem(BACKUP_KEY)).toBe(raw);
    // The store keeps working and overwrites the unreadable document on the next change.
    store.recordAttempt('ddpm-a', 'ddpm', '1', true);
    expect(stored(storage)).toMatchObject({ version: 1, exercises: { 'ddpm-a': { status: 'correct' } } });
  });

  it('drops only the invalid records of an otherwise valid document', () => {
    const storage = new MapStorage();
    const good = {
      chapter: 'ddpm',
      status: 'correct',
      lastAnswer: '0.5',
      attempts: 1,
      hintsRevealed: 0,
      solutionRevealed: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const raw = JSON.stringify({
      version: 1,
      exercises: {
        'ddpm-good': good,
        'ddpm-bad-status': { ...good, status: 'solved' },
        'ddpm-bad-attempts': { ...good, attempts: -1 },
        'Not An Id': good,
      },
    });
    storage.setItem(STORAGE_KEY, raw);
    const { store, warnings } = setup(storage);
    expect(store.get('ddpm-good')).toEqual(good);
    expect(store.get('ddpm-bad-status')).toBeUndefined();
    expect(store.get('ddpm-bad-attempts')).toBeUndefined();
    expect(warnings[0]).toContain('ddpm-bad-status, ddpm-bad-attempts, Not An Id');
    expect(storage.getItem(BACKUP_KEY)).toBe(raw);
  });
});

describe('progress store: storage unavailable', () => {
  it('works in memory when storage is missing', () => {
    const { store, warnings } = setup(null);
    expect(store.persistent).toBe(false);
    store.recordAttempt('ddpm-a', 'ddpm', '1', true);
    expect(store.get('ddpm-a')?.status).toBe('correct');
    expect(warnings).toEqual([]);
  });

  it('works in memory, with a warning, when storage throws on every call', () => {
    const { store, warnings } = setup(new BlockedStorage());
    expect(store.persistent).toBe(false);
    expect(warnings[0]).toMatch(/unavailable/);
    store.revealHints('ddpm-a', 'ddpm', 1);
    expect(store.get('ddpm-a')?.hintsRevealed).toBe(1);
  });

  it('switches to memory when a write exceeds the quota, keeping the state and telling subscribers', () => {
    const storage = new QuotaStorage(400);
    const { store, warnings } = setup(storage);
    const persistence: boolean[] = [];
    store.subscribe((current) => persistence.push(current.persistent));
    store.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    expect(store.persistent).toBe(true);
    store.recordAttempt('ddpm-second-exercise', 'ddpm', 'x'.repeat(300), false);
    expect(store.persistent).toBe(false);
    expect(persistence).toEqual([true, false]);
    expect(warnings.at(-1)).toMatch(/QuotaExceededError/);
    expect(store.get('ddpm-second-exercise')?.status).toBe('incorrect');
    expect(store.get('ddpm-a')?.status).toBe('correct');
    // What was saved before the failure is still intact in storage.
    expect(stored(storage)).toMatchObject({ exercises: { 'ddpm-a': { status: 'correct' } } });
  });
});

describe('progress store: export and import', () => {
  it('exports every chapter in a self-describing, importable format', () => {
    const { store } = setup();
    store.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    store.setDone('ddim-b', 'ddim', true);
    const exported = JSON.parse(store.exportJson());
    expect(exported).toMatchObject({
      format: 'dsbs-progress',
      version: 1,
      exercises: { 'ddpm-a': { lastAnswer: '0.5' }, 'ddim-b': { status: 'done' } },
    });
    expect(Number.isNaN(Date.parse(exported.exportedAt))).toBe(false);

    const other = setup().store;
    expect(other.importJson(store.exportJson())).toEqual({ ok: true, added: 2, updated: 0, unchanged: 0 });
    expect(other.get('ddpm-a')).toEqual(store.get('ddpm-a'));
  });

  it('merges, keeping the more recently updated record of each exercise', () => {
    const older = setup().store;
    older.recordAttempt('ddpm-a', 'ddpm', '0.4', false);
    older.recordAttempt('ddpm-b', 'ddpm', '0.4', false);
    const file = JSON.parse(older.exportJson());
    file.exercises['ddpm-a'].updatedAt = '2030-01-01T00:00:00.000Z';
    file.exercises['ddpm-b'].updatedAt = '2020-01-01T00:00:00.000Z';

    const { store } = setup();
    store.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    store.recordAttempt('ddpm-b', 'ddpm', '0.5', true);
    expect(store.importJson(JSON.stringify(file))).toEqual({ ok: true, added: 0, updated: 1, unchanged: 1 });
    expect(store.get('ddpm-a')?.lastAnswer).toBe('0.4');
    expect(store.get('ddpm-b')?.lastAnswer).toBe('0.5');
  });

  it.each([
    ['text that is not JSON', 'hello', /not valid JSON/],
    ['JSON of another kind', '{"a":1}', /not an exported progress file/],
    ['another format version', '{"format":"dsbs-progress","version":7,"exercises":{}}', /version 7/],
    ['no exercises', '{"format":"dsbs-progress","version":1}', /no "exercises"/],
    ['a bad exercise id', '{"format":"dsbs-progress","version":1,"exercises":{"<b>x</b>":{}}}', /invalid exercise id/],
    [
      'a record with a bad status',
      '{"format":"dsbs-progress","version":1,"exercises":{"ddpm-a":{"chapter":"ddpm","status":"won","lastAnswer":null,"attempts":0,"hintsRevealed":0,"solutionRevealed":false,"updatedAt":"2026-01-01T00:00:00Z"}}}',
      /Exercise “ddpm-a” in the file has an unknown "status"/,
    ],
    [
      'a record with a bad date',
      '{"format":"dsbs-progress","version":1,"exercises":{"ddpm-a":{"chapter":"ddpm","status":"done","lastAnswer":null,"attempts":0,"hintsRevealed":0,"solutionRevealed":false,"updatedAt":"yesterday"}}}',
      /invalid "updatedAt"/,
    ],
  ])('rejects %s with a clear message and changes nothing', (_label, text, message) => {
    const storage = new MapStorage();
    const { store } = setup(storage);
    store.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    const before = storage.getItem(STORAGE_KEY);
    const outcome = store.importJson(text);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(message);
    expect(storage.getItem(STORAGE_KEY)).toBe(before);
    expect(store.get('ddpm-a')?.status).toBe('correct');
  });

  it('ignores unknown extra fields in imported records', () => {
    const parsed = parseImport(
      JSON.stringify({
        format: 'dsbs-progress',
        version: 1,
        exportedAt: '2026-01-01T00:00:00Z',
        exercises: {
          'ddpm-a': {
            chapter: 'ddpm',
            status: 'done',
            lastAnswer: null,
            attempts: 0,
            hintsRevealed: 1,
            solutionRevealed: true,
            updatedAt: '2026-01-01T00:00:00Z',
            extra: '<script>',
          },
        },
      }),
    );
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.document.exercises['ddpm-a']).not.toHaveProperty('extra');
  });
});

describe('progress store: other tabs', () => {
  it('reload() picks up what another tab wrote', () => {
    const storage = new MapStorage();
    const here = setup(storage).store;
    const there = setup(storage).store;
    there.recordAttempt('ddpm-a', 'ddpm', '0.5', true);
    expect(here.get('ddpm-a')).toBeUndefined();
    here.reload();
    expect(here.get('ddpm-a')?.status).toBe('correct');
  });
});
