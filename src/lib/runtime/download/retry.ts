import { DownloadError } from './errors';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time (exponential backoff). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

export function backoffDelay(policy: RetryPolicy, failedAttempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));
}

export const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new DownloadError('aborted', 'Download cancelled.'));
      },
      { once: true },
    );
  });

/** Runs `attempt` until it succeeds, a non-retryable error occurs, or the attempts run out. */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: {
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    onRetry?: (error: DownloadError, delayMs: number, next: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  for (let n = 1; ; n += 1) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!(e instanceof DownloadError) || !e.retryable || n >= policy.attempts) throw e;
      const delay = backoffDelay(policy, n);
      hooks.onRetry?.(e, delay, n + 1);
      await sleep(delay, hooks.signal);
    }
  }
}
