/**
 * The `test` and `expect` every e2e spec imports (not @playwright/test's), so these checks cover the
 * whole suite: a test fails when its page — or any worker the page starts — reports
 * - a Content-Security-Policy violation (a `securitypolicyviolation` event in the page or a worker,
 *   or the browser's "violates the following Content Security Policy directive" console error), or
 * - an uncaught error (`pageerror`, or an "Uncaught …" / unhandled-rejection console error, which is
 *   how errors thrown in workers surface).
 *
 * Opt-outs, per test or file, that narrow the check instead of switching it off:
 * - `test.use({ allowPageErrors: true })` for tests that inject faults which end in uncaught errors
 *   on purpose (CSP violations still fail them);
 * - `test.use({ expectedCspViolations: { matching: [/connect-src/] } })` for tests of the policy itself: every
 *   pattern must match a violation that happened, and every violation must match a pattern.
 * `pageProblems` is the live list, for tests that look at it.
 *
 * `page.addScriptTag({ content })` (tests that run a bundle of src/lib in the page) would be an
 * inline script, which the site's policy rightly blocks; here it is served from a same-origin test
 * URL instead, so harness code loads the way site code does, under the real policy.
 */
import { test as base, expect, type ConsoleMessage, type Page, type Worker } from '@playwright/test';

// Types (Page, Route, Locator, …) and everything else as @playwright/test has them; `test` is ours.
export * from '@playwright/test';
export { expect };

export interface PageProblem {
  kind: 'csp' | 'error';
  text: string;
}

interface CheckOptions {
  allowPageErrors: boolean;
  /** An object, not a bare array: Playwright would read `[value, options]` in test.use as a fixture tuple. */
  expectedCspViolations: { matching: RegExp[] };
}

const CSP_CONSOLE = /Content[ -]Security[ -]Policy/i;
const UNCAUGHT_CONSOLE = /^(Uncaught|Unhandled)\b|Uncaught \(in promise\)/;
const VIOLATION_BINDING = '__dsbsCspViolation';
const WORKER_REPORT_PREFIX = 'Content Security Policy violation (securitypolicyviolation event)';

interface ViolationData {
  directive: string;
  blocked: string;
  source: string;
}

const describeViolation = (v: ViolationData, where: string) =>
  `${where}: ${v.directive} blocked ${v.blocked || 'inline'}${v.source ? ` (${v.source})` : ''}`;

/** Installed in every document before its scripts run (init scripts are not subject to CSP). */
function listenInDocument(binding: string) {
  document.addEventListener('securitypolicyviolation', (e) => {
    const report = (window as unknown as Record<string, (v: ViolationData) => void>)[binding];
    report?.({
      directive: e.effectiveDirective,
      blocked: e.blockedURI,
      source: e.sourceFile ? `${e.sourceFile}:${e.lineNumber}` : '',
    });
  });
}

/**
 * In a worker, report violations on the console (Playwright forwards a worker's console calls, but
 * not the browser's own CSP messages from workers). Installed as soon as Playwright sees the
 * worker, so a violation in a worker's very first moments can go unseen; sets `__dsbsCspWatched`
 * once listening.
 */
async function listenInWorker(worker: Worker) {
  await worker
    .evaluate((prefix) => {
      self.addEventListener('securitypolicyviolation', (e) => {
        const event = e as SecurityPolicyViolationEvent;
        console.error(`${prefix}: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline'}`);
      });
      (self as unknown as { __dsbsCspWatched: boolean }).__dsbsCspWatched = true;
    }, WORKER_REPORT_PREFIX)
    .catch(() => undefined);
}

let scriptCounter = 0;

/** Serve `content` from a same-origin URL and load it with a <script src>, instead of an inline script. */
function sameOriginScriptTags(page: Page): void {
  const original = page.addScriptTag.bind(page);
  page.addScriptTag = async (options = {}) => {
    if (options.content === undefined || options.url !== undefined) return original(options);
    const path = `/__e2e-harness/script-${++scriptCounter}.js`;
    const body = options.content;
    await page.route(`**${path}`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/javascript; charset=utf-8',
        headers: { 'Cross-Origin-Resource-Policy': 'same-origin' },
        body,
      }),
    );
    const { content: _content, ...rest } = options;
    return original({ ...rest, url: path });
  };
}

export const test = base.extend<CheckOptions & { pageProblems: PageProblem[] }>({
  allowPageErrors: [false, { option: true }],
  expectedCspViolations: [{ matching: [] }, { option: true }],
  pageProblems: async ({}, use) => {
    await use([]);
  },
  page: async ({ page, allowPageErrors, expectedCspViolations, pageProblems }, use) => {
    const onConsole = (message: ConsoleMessage) => {
      if (message.type() !== 'error') return;
      const text = message.text();
      const where = message.worker() ? `worker ${message.worker()!.url()}` : 'page';
      if (CSP_CONSOLE.test(text)) pageProblems.push({ kind: 'csp', text: `${where}: ${text}` });
      // The page's own uncaught errors arrive as `pageerror` too; workers' only as console errors.
      else if (message.worker() && UNCAUGHT_CONSOLE.test(text))
        pageProblems.push({ kind: 'error', text: `${where}: ${text}` });
    };
    page.on('console', onConsole);
    page.on('pageerror', (error) =>
      pageProblems.push({ kind: 'error', text: `pageerror: ${error.name}: ${error.message}` }),
    );
    page.on('worker', (worker) => void listenInWorker(worker));
    await page.exposeBinding(VIOLATION_BINDING, ({ frame }, v: ViolationData) => {
      pageProblems.push({ kind: 'csp', text: describeViolation(v, `page ${frame.url()}`) });
    });
    await page.addInitScript(listenInDocument, VIOLATION_BINDING);
    sameOriginScriptTags(page);

    await use(page);

    const csp = pageProblems.filter((p) => p.kind === 'csp').map((p) => p.text);
    const errors = allowPageErrors ? [] : pageProblems.filter((p) => p.kind === 'error').map((p) => p.text);
    const unexpectedCsp = csp.filter((text) => !expectedCspViolations.matching.some((pattern) => pattern.test(text)));
    const missingCsp = expectedCspViolations.matching.filter((pattern) => !csp.some((text) => pattern.test(text)));
    const report = [
      ...unexpectedCsp.map((t) => `CSP violation — ${t}`),
      ...missingCsp.map((p) => `expected a CSP violation matching ${p}, none happened`),
      ...errors.map((t) => `uncaught error — ${t}`),
    ];
    if (report.length)
      throw new Error(`The page reported problems (tests/e2e/support/test.ts):\n${[...new Set(report)].join('\n')}`);
  },
});
