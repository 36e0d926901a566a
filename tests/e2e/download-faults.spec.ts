import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Route } from './support/test';
import AxeBuilder from '@axe-core/playwright';
import { largeFixtureBytes } from './support/large-fixture';

// Real Cache Storage, fetch and crypto.subtle in Chromium; faults are injected at the network
// layer with page.route (the pocket model is served the same way, from the repo's file).
const onnx = readFileSync(new URL('../../models/pocket/mixture2d-mlp.onnx', import.meta.url));
const MODEL_URL = '**/models/pocket/mixture2d-mlp.onnx';
const FIXTURE = '/test-fixtures/downloads/';

interface Harness {
  errors: Error[];
  hits: () => number;
}

async function openFixture(page: Page, serve: (route: Route, hit: number) => Promise<void>): Promise<Harness> {
  const errors: Error[] = [];
  page.on('pageerror', (e) => errors.push(e));
  let hits = 0;
  await page.route(MODEL_URL, (route) => serve(route, ++hits));
  await page.goto(FIXTURE);
  await hydrated(page);
  return { errors, hits: () => hits };
}

/** Server-rendered buttons exist before the island hydrates; clicks count only after. */
async function hydrated(page: Page) {
  await expect(page.locator('[data-model="mixture2d-mlp"][data-hydrated]')).toBeVisible();
}

const pocket = (page: Page) => page.locator('[data-model="mixture2d-mlp"]');
const good = (route: Route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: onnx });

async function serveGoodFromNowOn(page: Page) {
  await page.unrouteAll({ behavior: 'wait' });
  await page.route(MODEL_URL, good);
}

async function expectCleanFailure(page: Page, message: RegExp) {
  const box = pocket(page);
  await expect(box.getByRole('alert')).toHaveText(message);
  await expect(box).toHaveAttribute('data-phase', 'error');
  // Nothing stale: no progress bar, no "ready" line, nothing stored.
  await expect(box.locator('progress')).toHaveCount(0);
  await expect(box.locator('.download-ready')).toHaveCount(0);
  await expect(page.locator('.download-panel-empty')).toBeVisible();
}

async function retryWorks(page: Page) {
  await serveGoodFromNowOn(page);
  await pocket(page).getByRole('button', { name: 'Retry' }).click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(/is ready \(188 kB, from this site\)/);
  await expect(pocket(page).getByRole('alert')).toHaveCount(0);
  await expect(page.locator('.download-panel li[data-model="mixture2d-mlp"]')).toContainText('188 kB');
}

const cacheNames = (page: Page) => page.evaluate(() => caches.keys());
const storedKeys = (page: Page) =>
  page.evaluate(async () => (await (await caches.open('dsbs-models-v1')).keys()).map((r) => r.url));

test('downloads, verifies and stores the model; old buckets are purged; the panel lists and deletes it', async ({
  page,
}) => {
  const h = await openFixture(page, good);
  await page.evaluate(async () => (await caches.open('dsbs-models-v0')).put('/old', new Response('old format')));
  await pocket(page)
    .getByRole('button', { name: 'Download Class-conditional MLP denoiser on a 2-D Gaussian mixture (188 kB)' })
    .click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(/is ready \(188 kB, from this site\)\.$/);
  expect(await cacheNames(page)).toEqual(['dsbs-models-v1']);
  expect(await storedKeys(page)).toEqual([
    expect.stringMatching(/\/models\/pocket\/mixture2d-mlp\.onnx\?sha256=c559163585dd/),
  ]);
  const item = page.locator('.download-panel li[data-model="mixture2d-mlp"]');
  await expect(item).toContainText('Class-conditional MLP denoiser on a 2-D Gaussian mixture');
  await expect(item).toContainText('188 kB');
  await expect(page.locator('.download-panel-usage')).toContainText(
    /This site uses .* of the .* the browser allows it/,
  );

  // Second visit: served from Cache Storage, verified again, no request.
  await page.reload();
  await hydrated(page);
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(/from this browser’s storage/);
  expect(h.hits()).toBe(1);

  await item
    .getByRole('button', { name: 'Delete Class-conditional MLP denoiser on a 2-D Gaussian mixture (188 kB)' })
    .click();
  await expect(page.locator('.download-panel-status')).toHaveText(
    'Deleted Class-conditional MLP denoiser on a 2-D Gaussian mixture (188 kB, 1 file).',
  );
  await expect(page.locator('.download-panel-empty')).toBeVisible();
  expect(await storedKeys(page)).toEqual([]);
  expect(h.errors).toEqual([]);
});

test('a full-size model that is not pinned is listed with the reason and offers no download', async ({ page }) => {
  await openFixture(page, good);
  const turbo = page.locator('[data-model="sd-turbo"]');
  await expect(turbo).toContainText('SD-Turbo (ONNX for WebGPU) is listed but not pinned yet');
  await expect(turbo.getByRole('button')).toHaveCount(0);
});

test('fault: truncated file → rejected, retried with backoff, clear message, Retry works', async ({ page }) => {
  const h = await openFixture(page, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(onnx.length) },
      body: onnx.subarray(0, 60_000),
    }),
  );
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expectCleanFailure(page, /(stopped at|connection closed after) .* of 188 kB.*partial file was discarded/);
  expect(h.hits()).toBe(2); // the fixture's policy: 2 attempts
  await retryWorks(page);
  expect(h.errors).toEqual([]);
});

test('fault: SHA-256 mismatch → rejected and nothing stored, Retry works', async ({ page }) => {
  const damaged = Buffer.from(onnx);
  damaged[damaged.length >> 1] ^= 0xff;
  const h = await openFixture(page, (route) =>
    route.fulfill({ status: 200, contentType: 'application/octet-stream', body: damaged }),
  );
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expectCleanFailure(page, /SHA-256 .* differs from the manifest's \(c559163585dd…\).*discarded/);
  expect(h.hits()).toBe(1);
  await retryWorks(page);
  expect(h.errors).toEqual([]);
});

test('fault: HTML served instead of ONNX → rejected, Retry works', async ({ page }) => {
  const h = await openFixture(page, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: '<!doctype html><title>Sign in</title><p>Please sign in',
    }),
  );
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expectCleanFailure(page, /sent a web page instead of the model file/);
  await retryWorks(page);
  expect(h.errors).toEqual([]);
});

test('fault: quota exceeded on store → the model still runs from memory and the reader gets the figures', async ({
  page,
}) => {
  await page.addInitScript(() => {
    Cache.prototype.put = function put() {
      return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    };
  });
  const h = await openFixture(page, good);
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(
    /is ready \(188 kB, from this site; running from memory\)/,
  );
  await expect(pocket(page).locator('.download-notices')).toHaveText(
    /runs from memory for this visit but was not kept for next time: there is not enough storage space\. The browser allows this site [\d.]+ [kMGT]?B and [\d.]+ [kMGT]?B is in use .* this file needs 188 kB/,
  );
  await expect(page.locator('.download-panel-empty')).toBeVisible();
  expect(h.errors).toEqual([]);
});

test('fault: network lost during the download → "offline" message, Retry works once back online', async ({
  page,
  context,
}) => {
  const h = await openFixture(page, async (route) => {
    await context.setOffline(true);
    await route.abort('internetdisconnected');
  });
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expectCleanFailure(page, /you are offline.*Reconnect, then press Retry/);
  expect(h.hits()).toBe(1); // offline is not retried blindly
  // Retry while still offline: the same clear message, no request.
  await pocket(page).getByRole('button', { name: 'Retry' }).click();
  await expect(pocket(page).getByRole('alert')).toHaveText(/you are offline/);
  expect(h.hits()).toBe(1);
  await context.setOffline(false);
  await retryWorks(page);
  expect(h.errors).toEqual([]);
});

test('a damaged stored copy is purged and fetched again', async ({ page }) => {
  const h = await openFixture(page, good);
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('.download-ready')).toBeVisible();
  await page.evaluate(async () => {
    const cache = await caches.open('dsbs-models-v1');
    for (const request of await cache.keys()) {
      const old = (await cache.match(request))!;
      const bytes = new Uint8Array(await old.arrayBuffer());
      bytes[100] ^= 0xff;
      await cache.put(request, new Response(bytes, { headers: old.headers }));
    }
  });
  await page.reload();
  await hydrated(page);
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(/from this site\)/);
  await expect(pocket(page).locator('.download-notices')).toHaveText(
    /stored copy was damaged \(stored copy fails its SHA-256 check\); it was deleted and is downloaded again/,
  );
  expect(h.hits()).toBe(2);
  const stored = await page.evaluate(async () => {
    const cache = await caches.open('dsbs-models-v1');
    const [request] = await cache.keys();
    const digest = await crypto.subtle.digest('SHA-256', await (await cache.match(request!))!.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  });
  expect(stored).toBe('c559163585dd6ea3dcee9487fe889a3453b7c0157132bf35bc6aaf6180c5d18a');
  expect(h.errors).toEqual([]);
});

test('over 50 MB: the size is stated and nothing is fetched before consent; the local mirror is preferred', async ({
  page,
}) => {
  const errors: Error[] = [];
  page.on('pageerror', (e) => errors.push(e));
  const body = Buffer.from(largeFixtureBytes());
  const methods: string[] = [];
  await page.route('**/models-mirror/fixture-large/onnx/large.onnx', (route) => {
    methods.push(route.request().method());
    return route.request().method() === 'HEAD'
      ? route.fulfill({
          status: 200,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
        })
      : route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
  });
  let hubRequests = 0;
  await page.route('https://huggingface.co/**', (route) => (hubRequests++, route.abort()));
  await page.goto(FIXTURE);
  const large = page.locator('[data-model="fixture-large"][data-hydrated]');
  await expect(large).toContainText('Large test model is a 60.0 MB download. It is fetched once, checked, and kept');
  await page.waitForTimeout(300);
  expect(methods).toEqual([]); // no autostart above the threshold
  await large.getByRole('button', { name: 'Download Large test model (60.0 MB)' }).click();
  await expect(large.locator('.download-ready')).toHaveText(
    'Large test model is ready (60.0 MB, from the local mirror).',
    { timeout: 30_000 },
  );
  expect(methods).toEqual(['HEAD', 'GET']);
  expect(hubRequests).toBe(0);
  await expect(page.locator('.download-panel li[data-model="fixture-large"]')).toContainText('60.0 MB');
  expect(errors).toEqual([]);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe finds no violations in the download UI: idle, failed, ready (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    let fail = true;
    await openFixture(page, (route) =>
      fail ? route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><p>nope' }) : good(route),
    );
    const audit = async (state: string) => {
      const results = await new AxeBuilder({ page }).include('main').analyze();
      expect(
        results.violations.map((v) => `${state}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([]);
    };
    await audit('idle');
    await pocket(page)
      .getByRole('button', { name: /^Download/ })
      .click();
    await expect(pocket(page).getByRole('alert')).toBeVisible();
    await audit('failed');
    fail = false;
    await pocket(page).getByRole('button', { name: 'Retry' }).click();
    await expect(pocket(page).locator('.download-ready')).toBeVisible();
    await expect(page.locator('.download-panel li[data-model="mixture2d-mlp"]')).toBeVisible();
    await audit('ready');
  });
}

test('cancel during a download → back to the start, nothing stored, no uncaught error; downloading again works', async ({
  page,
}) => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const h = await openFixture(page, async (route, hit) => {
    if (hit === 1) {
      await held; // the request stays in flight until the test has pressed Cancel
      await route.fulfill({ status: 200, contentType: 'application/octet-stream', body: onnx }).catch(() => undefined);
    } else {
      await good(route);
    }
  });
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('progress')).toBeVisible();
  await pocket(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(pocket(page)).toHaveAttribute('data-phase', 'idle');
  await expect(pocket(page).getByRole('status')).toHaveText('Download cancelled.');
  release();
  await expect(page.locator('.download-panel-empty')).toBeVisible();
  expect(await storedKeys(page)).toEqual([]);
  await pocket(page)
    .getByRole('button', { name: /^Download/ })
    .click();
  await expect(pocket(page).locator('.download-ready')).toHaveText(/is ready \(188 kB, from this site\)/);
  expect(h.hits()).toBe(2);
  expect(h.errors).toEqual([]);
});
