import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './support/test';
import { openFixture, watchErrors } from './runtime-helpers';

declare global {
  interface Window {
    runtimeFixture: any;
  }
}

test('the backend badge says what runs and why; "Force WASM" switches, persists, and is accessible', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openFixture(page);
  const first = await page.evaluate(() => window.runtimeFixture.runChosen('mixture', { requiredFeatures: [] }));
  expect(first).toMatchObject({ ran: true, backend: 'webgpu' });
  const badge = page.locator('.backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu');
  await expect(badge).toHaveAttribute('role', 'status');

  const toggle = page.getByRole('checkbox', { name: 'Force WASM' });
  await toggle.focus();
  await page.keyboard.press('Space');
  await expect(toggle).toBeChecked();
  const forced = await page.evaluate(() => window.runtimeFixture.runChosen('mixture', { requiredFeatures: [] }));
  expect(forced.backend).toBe('wasm');
  expect(forced.reason).toMatch(/^WASM forced by you — running on WASM, \d+ threads?/);
  await expect(badge).toContainText(forced.reason);
  // Same model, same inputs: the forced WASM run agrees with the WebGPU one.
  forced.values.forEach((v: number, i: number) => expect(Math.abs(v - first.values[i])).toBeLessThan(1e-3));

  await page.reload();
  await page.locator('html[data-runtime-fixture="ready"]').waitFor({ state: 'attached' });
  const afterReload = await page.evaluate(() => window.runtimeFixture.choose({ requiredFeatures: [] }));
  expect(afterReload.backend).toBe('wasm');
  await expect(page.getByRole('checkbox', { name: 'Force WASM' })).toBeChecked();

  const axe = await new AxeBuilder({ page }).include('#badge').analyze();
  expect(axe.violations).toEqual([]);
  await page.getByRole('checkbox', { name: 'Force WASM' }).uncheck();
  expect((await page.evaluate(() => window.runtimeFixture.choose({ requiredFeatures: [] }))).backend).toBe('webgpu');
  expect(errors).toEqual([]);
});
