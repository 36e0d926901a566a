/**
 * Browser glue for src/lib/url-state.ts.
 *
 * API:
 *   readUrlState(spec)             → state parsed from location.search (defaults outside a browser)
 *   const save = createUrlWriter(spec, 200);  save(state);  // debounced history.replaceState
 *   save.flush()                   → write a pending state now; save.cancel() drops it
 *
 * Typical use in a widget (read after mount so server HTML and hydration agree):
 *   let s = $state(spec.defaults());  let loaded = $state(false);
 *   const save = createUrlWriter(spec);
 *   onMount(() => { s = readUrlState(spec); loaded = true; return save.flush; });
 *   $effect(() => { const snapshot = { ...s }; if (loaded) save(snapshot); });
 */
import type { StateOf, UrlStateSpec, Field } from '../../lib/url-state';

type Fields = Record<string, Field<any>>;

export function readUrlState<F extends Fields>(spec: UrlStateSpec<F>): StateOf<F> {
  if (typeof window === 'undefined') return spec.defaults();
  return spec.read(window.location.search);
}

export interface UrlWriter<F extends Fields> {
  (state: StateOf<F>): void;
  flush(): void;
  cancel(): void;
}

export function createUrlWriter<F extends Fields>(spec: UrlStateSpec<F>, delayMs = 200): UrlWriter<F> {
  let pending: StateOf<F> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === null || typeof window === 'undefined') return;
    const state = pending;
    pending = null;
    // Merge with the query as it is now: other widgets on the page write their own keys.
    const search = spec.write(state, window.location.search);
    if (search === window.location.search) return;
    const { pathname, hash } = window.location;
    try {
      window.history.replaceState(window.history.state, '', `${pathname}${search}${hash}`);
    } catch {
      // Browsers throttle replaceState (SecurityError when called too often); the next change retries.
    }
  };

  const save = ((state: StateOf<F>) => {
    pending = state;
    clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  }) as UrlWriter<F>;
  save.flush = flush;
  save.cancel = () => {
    clearTimeout(timer);
    timer = undefined;
    pending = null;
  };
  return save;
}
