import { readFile } from 'node:fs/promises';
import { test, expect, type Page } from './support/test';
import AxeBuilder from '@axe-core/playwright';

// Runs against the real DDPM chapter, which has exercises of every kind. If the chapter's
// exercises change, update these four constants (ids, answers and hint counts from the MDX).
const PAGE = '/chapters/ddpm/';
const NUMERIC = { id: 'ddpm-alphabar-constant', right: '0.366', wrong: '0.37', hints: 2 }; // answer 0.3660 ± 0.002
const CHOICE = { id: 'ddpm-what-is-predicted', rightIndex: 1, rightValue: 'b', wrongIndex: 2 };
const DERIVATION = { id: 'ddpm-derive-forward-marginal', hints: 3 };
const KEY = 'dsbs.progress.v1';

const exercise = (page: Page, id: string) => page.locator(`dsbs-exercise#${id}`);
const numeric = (page: Page) => exercise(page, NUMERIC.id);
const choice = (page: Page) => exercise(page, CHOICE.id);
const derivation = (page: Page) => exercise(page, DERIVATION.id);
const summary = (page: Page) => page.locator('dsbs-exercises [data-role="summary"]');
const message = (page: Page) => page.locator('dsbs-exercises [data-role="message"]');

async function storedProgress(
  page: Page,
): Promise<{ version: number; exercises: Record<string, Record<string, unknown>> } | null> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), KEY);
}

let total = 0;
const done = (count: number) => `${count} of ${total} done`;

async function openChapter(page: Page): Promise<void> {
  await page.goto(PAGE);
  total = await page.locator('dsbs-exercise').count();
  expect(total).toBeGreaterThanOrEqual(3);
  // The custom elements are defined once the summary shows progress instead of the static count.
  await expect(summary(page)).toHaveText(done(0));
}

/** Presses Tab until `target` has focus (option labels may contain equation links to pass). */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, maxPresses = 12): Promise<void> {
  for (let i = 0; i < maxPresses && !(await target.evaluate((element) => element === document.activeElement)); i += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

async function answerNumeric(page: Page, text: string): Promise<void> {
  const input = numeric(page).getByLabel('Your answer');
  await input.focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

test('numeric: wrong, unreadable and right answers by keyboard, announced politely', async ({ page }) => {
  await openChapter(page);
  const feedback = numeric(page).getByRole('status');
  await expect(feedback).toHaveAttribute('id', `${NUMERIC.id}-feedback`);
  await expect(numeric(page).getByLabel('Your answer')).toHaveAccessibleDescription(
    /A decimal \(0\.25\).*Answers within ±0\.002 are accepted\./,
  );

  await answerNumeric(page, NUMERIC.wrong);
  await expect(feedback).toHaveText(
    new RegExp(`^✗ Not quite: ${NUMERIC.wrong.replace('.', '\\.')} is not within the accepted range \\(attempt 1\\)`),
  );
  await expect(summary(page)).toHaveText(done(0));

  await answerNumeric(page, 'about a third');
  await expect(feedback).toHaveText(/^⚠ “about a third” is not a number we can read/);
  await answerNumeric(page, '0,366');
  await expect(feedback).toHaveText(/decimal comma/);

  // Tab from the input reaches the "Check answer" button, which Space activates.
  const input = numeric(page).getByLabel('Your answer');
  await input.fill(NUMERIC.right);
  await input.focus();
  await page.keyboard.press('Tab');
  await expect(numeric(page).getByRole('button', { name: 'Check answer' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(feedback).toHaveText(`✓ Correct: ${NUMERIC.right} is right.`);
  await expect(numeric(page).locator('[data-role="status"]')).toHaveText('✓ Solved');
  await expect(summary(page)).toHaveText(done(1));

  expect((await storedProgress(page))?.exercises[NUMERIC.id]).toMatchObject({
    chapter: 'ddpm',
    status: 'correct',
    lastAnswer: NUMERIC.right,
    attempts: 2, // unreadable input is not an attempt
  });
});

test('choice: radio group operated by keyboard', async ({ page }) => {
  await openChapter(page);
  const group = choice(page).getByRole('group', { name: 'Choose one answer' });
  const radios = group.getByRole('radio');
  const check = choice(page).getByRole('button', { name: 'Check answer' });

  await check.focus();
  await page.keyboard.press('Enter');
  await expect(choice(page).getByRole('status')).toHaveText('⚠ Choose an option first.');

  await radios.first().focus();
  await page.keyboard.press('Space'); // selects the first option
  for (let i = 0; i < CHOICE.wrongIndex; i += 1) await page.keyboard.press('ArrowDown');
  await expect(radios.nth(CHOICE.wrongIndex)).toBeChecked();
  await tabTo(page, check);
  await page.keyboard.press('Enter');
  await expect(choice(page).getByRole('status')).toHaveText(/^✗ Not quite: that is not the right option \(attempt 1\)/);

  await radios.nth(CHOICE.wrongIndex).focus();
  for (let i = CHOICE.wrongIndex; i > CHOICE.rightIndex; i -= 1) await page.keyboard.press('ArrowUp');
  await expect(radios.nth(CHOICE.rightIndex)).toBeChecked();
  await tabTo(page, check);
  await page.keyboard.press('Enter');
  await expect(choice(page).getByRole('status')).toHaveText('✓ Correct.');
  expect((await storedProgress(page))?.exercises[CHOICE.id]).toMatchObject({
    status: 'correct',
    lastAnswer: CHOICE.rightValue,
    attempts: 2,
  });
});

test('hints are revealed one at a time, then the solution, and both are recorded', async ({ page }) => {
  await openChapter(page);
  const ex = derivation(page);
  const hints = ex.locator('[data-role="hint"]');
  const n = DERIVATION.hints;
  await expect(hints).toHaveCount(n);
  for (let k = 0; k < n; k += 1) await expect(hints.nth(k)).toBeHidden();

  await ex.getByRole('button', { name: `Show hint 1 of ${n}` }).focus();
  for (let k = 1; k <= n; k += 1) {
    // Only the next hint can be revealed: no button offers a later one.
    await expect(ex.getByRole('button', { name: /Show hint/ })).toHaveText(`Show hint ${k} of ${n}`);
    await expect(ex.getByRole('button', { name: `Show hint ${k} of ${n}` })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(hints.nth(k - 1)).toBeVisible();
    await expect(hints.nth(k - 1)).toBeFocused();
    await expect(hints.nth(k - 1)).toContainText(`Hint ${k} of ${n}`);
    if (k < n) await expect(hints.nth(k)).toBeHidden();
    expect((await storedProgress(page))?.exercises[DERIVATION.id]).toMatchObject({
      hintsRevealed: k,
      solutionRevealed: false,
    });
    // Focus moved to the hint; the next Tab reaches the button for the next hint (or the solution).
    await page.keyboard.press('Tab');
  }
  await expect(ex.getByRole('button', { name: /Show hint/ })).toHaveCount(0);

  const show = ex.getByRole('button', { name: 'Show solution' });
  await expect(show).toBeFocused();
  await page.keyboard.press('Enter');
  const solution = ex.locator('[data-role="solution"]');
  await expect(solution).toBeVisible();
  await expect(solution).toBeFocused();
  await expect(solution.locator('.katex-display').first()).toBeVisible();
  await expect(show).toHaveCount(0);
  expect((await storedProgress(page))?.exercises[DERIVATION.id]).toMatchObject({
    solutionRevealed: true,
    status: 'unanswered',
  });
});

test('derivation: mark as done counts toward the chapter summary', async ({ page }) => {
  await openChapter(page);
  const box = derivation(page).getByRole('checkbox', { name: 'Mark as done' });
  await box.focus();
  await page.keyboard.press('Space');
  await expect(box).toBeChecked();
  await expect(derivation(page).getByRole('status')).toHaveText('✓ Marked as done.');
  await expect(summary(page)).toHaveText(done(1));
  await page.keyboard.press('Space');
  await expect(box).not.toBeChecked();
  await expect(summary(page)).toHaveText(done(0));
});

test('progress survives a reload', async ({ page }) => {
  await openChapter(page);
  await answerNumeric(page, NUMERIC.right);
  await numeric(page)
    .getByRole('button', { name: `Show hint 1 of ${NUMERIC.hints}` })
    .click();
  await derivation(page).getByRole('checkbox', { name: 'Mark as done' }).check();
  await expect(summary(page)).toHaveText(done(2));

  await page.reload();
  await expect(summary(page)).toHaveText(done(2));
  await expect(numeric(page).getByLabel('Your answer')).toHaveValue(NUMERIC.right);
  await expect(numeric(page).locator('[data-role="feedback"]')).toHaveText(`✓ Correct: ${NUMERIC.right} is right.`);
  await expect(numeric(page).locator('[data-role="hint"]').first()).toBeVisible();
  await expect(numeric(page).locator('[data-role="hint"]').nth(1)).toBeHidden();
  await expect(numeric(page).getByRole('button', { name: `Show hint 2 of ${NUMERIC.hints}` })).toBeVisible();
  await expect(derivation(page).getByRole('checkbox', { name: 'Mark as done' })).toBeChecked();
});

test('export downloads JSON with the progress; import validates and merges', async ({ page, browser }, testInfo) => {
  await openChapter(page);
  await answerNumeric(page, NUMERIC.right);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export progress' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^dsbs-progress-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  expect(exported).toMatchObject({
    format: 'dsbs-progress',
    version: 1,
    exercises: { [NUMERIC.id]: { status: 'correct', lastAnswer: NUMERIC.right, attempts: 1, chapter: 'ddpm' } },
  });
  await expect(message(page)).toHaveText(/exported as dsbs-progress-/);

  const importer = page.getByLabel('Import progress from a JSON file');
  await importer.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"oops": ') });
  await expect(message(page)).toHaveText(
    'Import failed: The file is not valid JSON. Choose a file made with “Export progress”. Nothing was changed.',
  );
  await importer.setInputFiles({
    name: 'other.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"dsbs-progress","version":9,"exercises":{}}'),
  });
  await expect(message(page)).toHaveText(/^Import failed: The file has progress format version 9/);
  await expect(summary(page)).toHaveText(done(1));
  expect((await storedProgress(page))?.exercises[NUMERIC.id]).toMatchObject({ status: 'correct' });

  // A fresh browser context (no progress yet) imports the exported file and shows it.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await openChapter(fresh);
  const path = testInfo.outputPath('export.json');
  await download.saveAs(path);
  await fresh.getByLabel('Import progress from a JSON file').setInputFiles(path);
  await expect(message(fresh)).toHaveText(/^Imported “export\.json”: 1 new, 0 updated, 0 kept/);
  await expect(summary(fresh)).toHaveText(done(1));
  await expect(numeric(fresh).getByLabel('Your answer')).toHaveValue(NUMERIC.right);
  await context.close();
});

test('reset asks for confirmation; cancel keeps progress, confirm clears only this chapter', async ({ page }) => {
  await page.addInitScript((key) => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    const other = {
      chapter: 'ddim',
      status: 'correct',
      lastAnswer: '1',
      attempts: 1,
      hintsRevealed: 0,
      solutionRevealed: false,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    localStorage.setItem(key, JSON.stringify({ version: 1, exercises: { 'ddim-other': other } }));
  }, KEY);
  await openChapter(page);
  await answerNumeric(page, NUMERIC.right);
  await expect(summary(page)).toHaveText(done(1));

  const reset = page.getByRole('button', { name: 'Reset progress for this chapter' });
  const dialog = page.getByRole('dialog', { name: 'Reset progress for this chapter?' });
  await reset.focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(reset).toBeFocused();
  await expect(summary(page)).toHaveText(done(1));

  await page.keyboard.press('Enter');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Enter'); // on the focused Cancel button
  await expect(dialog).toBeHidden();
  await expect(summary(page)).toHaveText(done(1));
  expect((await storedProgress(page))?.exercises[NUMERIC.id]).toBeDefined();

  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Reset progress', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(summary(page)).toHaveText(done(0));
  await expect(message(page)).toHaveText('Progress for this chapter was reset.');
  await expect(numeric(page).getByLabel('Your answer')).toHaveValue('');
  await expect(numeric(page).locator('[data-role="feedback"]')).toHaveText('');
  const progress = await storedProgress(page);
  expect(progress?.exercises[NUMERIC.id]).toBeUndefined();
  expect(progress?.exercises['ddim-other']).toMatchObject({ status: 'correct' });
});

test('corrupted stored progress is set aside and the page still works', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (entry) => {
    if (entry.type() === 'warning') warnings.push(entry.text());
  });
  await page.addInitScript((key) => {
    if (!sessionStorage.getItem('seeded')) localStorage.setItem(key, '{"version":1,"exercises":');
    sessionStorage.setItem('seeded', '1');
  }, KEY);
  await openChapter(page);
  expect(warnings.join('\n')).toMatch(/not valid JSON/);
  expect(await page.evaluate(() => localStorage.getItem('dsbs.progress.v1.unreadable'))).toBe(
    '{"version":1,"exercises":',
  );
  await answerNumeric(page, NUMERIC.right);
  await expect(summary(page)).toHaveText(done(1));
});

test('when storage refuses writes, progress is kept in memory with a notice', async ({ page }) => {
  await page.addInitScript(() => {
    Storage.prototype.setItem = function refuse() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await openChapter(page);
  await expect(page.getByText('Your browser is not letting this page save progress')).toBeVisible();
  await answerNumeric(page, NUMERIC.right);
  await expect(numeric(page).getByRole('status')).toHaveText(/Correct/);
  await expect(summary(page)).toHaveText(done(1));
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no violations in the exercises with hints and solutions open (${colorScheme})`, async ({ page }) => {
    // axe walks the whole chapter (~40k nodes of typeset math) even when scoped; allow for a busy machine.
    test.slow();
    await page.emulateMedia({ colorScheme });
    await openChapter(page);
    await answerNumeric(page, NUMERIC.wrong);
    await choice(page).getByRole('radio').nth(CHOICE.rightIndex).check();
    await choice(page).getByRole('button', { name: 'Check answer' }).click();
    await derivation(page).getByRole('checkbox', { name: 'Mark as done' }).check();
    // Open every hint and solution through stored progress (restored on reload) rather than ~40 clicks.
    await page.evaluate((key) => {
      const progress = JSON.parse(localStorage.getItem(key)!);
      for (const element of document.querySelectorAll('dsbs-exercise')) {
        progress.exercises[element.id] = {
          chapter: 'ddpm',
          status: 'unanswered',
          lastAnswer: null,
          attempts: 0,
          ...progress.exercises[element.id],
          hintsRevealed: 99,
          solutionRevealed: true,
          updatedAt: new Date().toISOString(),
        };
      }
      localStorage.setItem(key, JSON.stringify(progress));
    }, KEY);
    await page.reload();
    await expect(page.locator('dsbs-exercises').getByRole('button', { name: /^Show (hint|solution)/ })).toHaveCount(0);
    await expect(page.locator('dsbs-exercises [data-role="hint"]:visible').first()).toBeVisible();
    await expect(page.locator('dsbs-exercises [data-role="solution"]:visible')).toHaveCount(total);
    const results = await new AxeBuilder({ page }).include('dsbs-exercises').analyze();
    expect(
      results.violations.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`),
    ).toEqual([]);

    await page.getByRole('button', { name: 'Reset progress for this chapter' }).click();
    const dialogResults = await new AxeBuilder({ page }).include('dsbs-exercises dialog').analyze();
    expect(dialogResults.violations.map((v) => v.id)).toEqual([]);
  });
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('hints and solutions are readable and the inert controls are hidden', async ({ page }) => {
    await page.goto(PAGE);
    await expect(derivation(page).locator('[data-role="hint"]').first()).toBeVisible();
    await expect(derivation(page).locator('[data-role="solution"]')).toBeVisible();
    await expect(
      page.getByRole('button', { name: /Show hint|Show solution|Export progress|Check answer/ }),
    ).toHaveCount(0);
    await expect(summary(page)).toHaveText(/^\d+ exercises$/);
  });
});
