/**
 * Runs `work` in short slices on the main thread: each slice calls `work()` until it reports
 * completion or `budgetMs` has passed, then yields so input and rendering stay responsive
 * (every task stays well under the 50 ms long-task threshold when one call takes a few ms).
 */
export interface ChunkedJob {
  cancel(): void;
  readonly finished: Promise<boolean>;
}

function yieldToMain(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** `work` returns true while there is more to do. `onSlice` runs after every slice (draw progress). */
export function runChunked(work: () => boolean, onSlice: () => void, budgetMs = 12): ChunkedJob {
  let cancelled = false;
  const finished = (async () => {
    let more = true;
    while (more && !cancelled) {
      const start = performance.now();
      while (more && performance.now() - start < budgetMs) more = work();
      onSlice();
      if (more) await yieldToMain();
    }
    return !cancelled;
  })();
  return {
    cancel: () => {
      cancelled = true;
    },
    finished,
  };
}
