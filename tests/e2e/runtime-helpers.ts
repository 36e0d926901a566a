import type { Page, Worker } from '@playwright/test';

/** Collect uncaught errors from the page and its workers (worker errors surface as console errors). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Uncaught|Unhandled/i.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function openFixture(page: Page): Promise<void> {
  await page.goto('/test-fixtures/runtime/');
  await page.locator('html[data-runtime-fixture="ready"]').waitFor({ state: 'attached' });
}

export function runtimeWorker(page: Page): Worker | undefined {
  return page.workers().find((w) => w.url().includes('runtime.worker'));
}
