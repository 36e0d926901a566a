import {
  createProgressStore,
  STORAGE_KEY,
  type ProgressStore,
  type StorageLike,
} from '../../../lib/exercises/progress';

let store: ProgressStore | undefined;

function browserStorage(): StorageLike | null {
  try {
    // Merely reading `localStorage` throws a SecurityError where storage is blocked.
    return window.localStorage;
  } catch {
    return null;
  }
}

/** One store per page, shared by every exercise and exercise set, kept in step with other tabs. */
export function sharedStore(): ProgressStore {
  if (!store) {
    const created = createProgressStore(browserStorage());
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY || event.key === null) created.reload();
    });
    store = created;
  }
  return store;
}
