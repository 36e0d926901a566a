import { test, expect } from '@playwright/test';

test('chapter renders KaTeX and hydrates a widget', async ({ page }) => {
  await page.goto('/chapters/ddpm/');
  await expect(page.locator('.katex-display')).toHaveCount(1);
  await page.getByRole('button').click();
  await expect(page.getByRole('button')).toHaveText('clicked 1');
});
