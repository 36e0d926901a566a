import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { expect, test, type Page } from './support/test';

// The site's Content-Security-Policy, enforced by `astro preview` exactly as the header files for
// static hosts state it. The rest of the suite shows the site works under it (support/test.ts fails
// any test whose page reports a violation); these tests show what it allows, what it blocks, that
// the suite-wide check really fails a test, and that the generated header files agree.

const dist = new URL('../../dist/', import.meta.url);
const ORT_VERSION = JSON.parse(
  readFileSync(new URL('../../node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8'),
).version as string;

async function openProbes(page: Page) {
  await page.goto('/test-fixtures/csp/');
  await page.locator('html[data-csp-fixture="ready"]').waitFor({ state: 'attached' });
}

/** Run a probe of /test-fixtures/csp/ by clicking its button (page code, not Playwright's evaluate). */
async function probe(page: Page, name: string, url = ''): Promise<any> {
  const result = page.locator('#probe-result');
  const count = Number(await result.getAttribute('data-count'));
  await page.locator('#probe-url').fill(url);
  await page.locator(`button[data-probe="${name}"]`).click();
  await expect(result).toHaveAttribute('data-count', String(count + 1));
  return JSON.parse((await result.textContent())!);
}

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );
}

/** Every inline script's SHA-256, computed here from the HTML the build wrote. */
function inlineScriptDigests(html: string): string[] {
  return [
    ...html.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/(?:ld\+)?json")[^>]*>([\s\S]*?)<\/script>/g),
  ].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
}

test('pages are served cross-origin isolated with a policy that allows only the site, WebAssembly and the model host', async ({
  page,
  request,
}) => {
  for (const path of ['/', '/chapters/ddpm/', '/search/', '/test-fixtures/runtime/']) {
    const response = await request.get(path);
    expect(response.status()).toBe(200);
    const headers = response.headers();
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    const policy = directives(headers['content-security-policy']);
    const scriptSrc = policy.get('script-src')!;
    expect(scriptSrc.slice(0, 2)).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    // Every inline script of this page is allowed by its hash, and nothing else is inline-allowed.
    for (const digest of inlineScriptDigests(await response.text())) expect(scriptSrc).toContain(digest);
    expect(scriptSrc.slice(2).every((s) => s.startsWith("'sha256-"))).toBe(true);
    expect(policy.get('connect-src')).toEqual([
      "'self'",
      'https://huggingface.co',
      'https://cas-bridge.xethub.hf.co',
      'https://cas-bridge.xethub-eu.hf.co',
      'https://cdn-lfs.hf.co',
      'https://cdn-lfs-us-1.hf.co',
      'https://cdn-lfs-eu-1.hf.co',
    ]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy.get('worker-src')).toEqual(["'self'"]);
  }
  await page.goto('/chapters/ddpm/');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
});

test('the policy allows WebAssembly, inline style attributes, the model host and its storage hosts', async ({
  page,
}) => {
  const storage = [
    'https://cas-bridge.xethub.hf.co',
    'https://cas-bridge.xethub-eu.hf.co',
    'https://cdn-lfs.hf.co',
    'https://cdn-lfs-us-1.hf.co',
    'https://cdn-lfs-eu-1.hf.co',
  ];
  for (const host of ['https://huggingface.co', ...storage]) {
    await page.route(`${host}/**`, (route) =>
      route.fulfill({
        status: 200,
        headers: { 'Access-Control-Allow-Origin': '*' },
        contentType: 'application/octet-stream',
        body: 'model bytes',
      }),
    );
  }
  await openProbes(page);
  expect(await probe(page, 'compileWasm')).toBe('compiled');
  expect(await probe(page, 'styleAttribute')).toBe('rgb(1, 2, 3)');
  for (const host of ['https://huggingface.co', ...storage]) {
    const url = `${host}/org/model/resolve/main/model.onnx`;
    expect(await probe(page, 'fetchFromPage', url), host).toEqual({ ok: true, status: 200, url, text: 'model bytes' });
  }
  expect(await probe(page, 'fetchFromWorker', 'https://huggingface.co/org/model/resolve/main/model.onnx')).toBe('200');
  // Zero violations here is checked by the suite-wide fixture.
});

test('a Hub download may follow its redirect to the storage host', async ({ page }) => {
  // Playwright does not intercept the request a fulfilled redirect leads to, so the storage host is
  // really looked up (and, offline, fails): what matters is that CSP let the browser try.
  await page.route('https://huggingface.co/**', (route) =>
    route.fulfill({
      status: 302,
      headers: {
        'Access-Control-Allow-Origin': '*',
        Location: 'https://cas-bridge.xethub.hf.co/xet-bridge-us/test/file',
      },
    }),
  );
  const storageRequest = page.waitForEvent('request', (r) => r.url().startsWith('https://cas-bridge.xethub.hf.co/'));
  await openProbes(page);
  await probe(page, 'fetchFromPage', 'https://huggingface.co/org/model/resolve/main/model.onnx');
  const request = await storageRequest;
  const failure = (await request.response()) ? null : request.failure()?.errorText;
  expect(failure ?? '').not.toBe('net::ERR_BLOCKED_BY_CSP');
});

test.describe('the policy blocks', () => {
  // Chromium may attribute a worker's violation message to the page, so the worker fetches its own URL.
  test.use({
    expectedCspViolations: {
      matching: [/inline script|script-src-elem/, /eval/i, /example\.com\/from-page/, /example\.com\/from-worker/],
    },
  });

  test('injected inline scripts, eval and connections to other hosts, in the page and in workers', async ({
    page,
    pageProblems,
  }) => {
    await page.route('https://example.com/**', (route) =>
      route.fulfill({ status: 200, headers: { 'Access-Control-Allow-Origin': '*' }, body: 'not allowed' }),
    );
    await openProbes(page);
    expect(await probe(page, 'injectedInlineScript')).toBe(false);
    expect(await probe(page, 'evalString')).toBe('EvalError');
    expect(await probe(page, 'fetchFromPage', 'https://example.com/from-page')).toEqual({
      ok: false,
      error: 'TypeError',
    });
    await expect
      .poll(() => Promise.all(page.workers().map((w) => w.evaluate(() => (self as any).__dsbsCspWatched === true))))
      .toEqual([true]);
    expect(await probe(page, 'fetchFromWorker', 'https://example.com/from-worker')).toBe('TypeError');
    // The same worker may fetch from the site itself.
    expect(await probe(page, 'fetchFromWorker', '/favicon.svg')).toBe('200');
    // Reports arrive asynchronously; the fixture then checks every expected violation was seen.
    await expect.poll(() => pageProblems.some((p) => /example\.com\/from-worker/.test(p.text))).toBe(true);
  });
});

test.describe('the suite-wide check', () => {
  test.fail('fails a test whose page violates the policy', async ({ page, pageProblems }) => {
    await openProbes(page);
    expect(await probe(page, 'injectedInlineScript')).toBe(false);
    await expect.poll(() => pageProblems.filter((p) => p.kind === 'csp').length).toBeGreaterThan(0);
    // The test body passes; the fixture's teardown fails the test, which test.fail expects.
  });

  test.fail('fails a test with an uncaught page error', async ({ page, pageProblems }) => {
    await openProbes(page);
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('deliberate uncaught error');
      }),
    );
    await expect.poll(() => pageProblems.length).toBeGreaterThan(0);
  });

  test.describe('with allowPageErrors', () => {
    test.use({ allowPageErrors: true });
    test('lets a fault-injection test tolerate uncaught errors', async ({ page, pageProblems }) => {
      await openProbes(page);
      await page.evaluate(() =>
        setTimeout(() => {
          throw new Error('deliberate uncaught error');
        }),
      );
      await expect.poll(() => pageProblems.map((p) => p.text)).toEqual(['pageerror: Error: deliberate uncaught error']);
    });
  });
});

test('the header files for static hosts state the served headers', async ({ request }) => {
  const served = (await request.get('/')).headers();
  const headersFile = readFileSync(new URL('_headers', dist), 'utf8');
  const blocks = new Map<string, Record<string, string>>();
  let current: Record<string, string> | null = null;
  for (const line of headersFile.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    if (!line.startsWith(' ')) blocks.set(line.trim(), (current = {}));
    else {
      const i = line.indexOf(':');
      current![line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
  }
  const everywhere = blocks.get('/*')!;
  for (const name of [
    'Cross-Origin-Opener-Policy',
    'Cross-Origin-Embedder-Policy',
    'Content-Security-Policy',
    'X-Content-Type-Options',
  ]) {
    expect(everywhere[name], name).toBe(served[name.toLowerCase()]);
  }
  const immutable = 'public, max-age=31536000, immutable';
  expect(blocks.get('/_astro/*')).toEqual({ 'Cache-Control': immutable });
  expect(blocks.get(`/ort/${ORT_VERSION}/*`)).toEqual({ 'Cache-Control': immutable });
  expect(blocks.get(`/ort/${ORT_VERSION}/ort-wasm-simd-threaded.jsep.wasm`)).toEqual({
    'Content-Type': 'application/wasm',
  });
  expect(blocks.get(`/ort/${ORT_VERSION}/ort-wasm-simd-threaded.jsep.mjs`)).toEqual({
    'Content-Type': 'text/javascript; charset=utf-8',
  });
  const onnx = readdirSync(new URL('_astro/', dist)).filter((f) => f.endsWith('.onnx'));
  expect(onnx.length).toBeGreaterThan(0);
  for (const file of onnx)
    expect(blocks.get(`/_astro/${file}`)).toEqual({ 'Content-Type': 'application/octet-stream' });

  const vercel = JSON.parse(readFileSync(new URL('vercel.json', dist), 'utf8')) as {
    headers: { source: string; headers: { key: string; value: string }[] }[];
  };
  const vercelAll = Object.fromEntries(
    vercel.headers.find((h) => h.source === '/(.*)')!.headers.map((h) => [h.key, h.value]),
  );
  expect(vercelAll).toEqual(everywhere);
  expect(vercel.headers.find((h) => h.source === '/_astro/(.*)')!.headers).toEqual([
    { key: 'Cache-Control', value: immutable },
  ]);

  const nginx = readFileSync(new URL('_nginx-headers.conf', dist), 'utf8');
  expect(nginx).toContain(`add_header Content-Security-Policy "${served['content-security-policy']}" always;`);
  // A location with its own add_header loses the server's: the wasm location repeats them all.
  const wasmLocation =
    new RegExp(
      `location = /ort/${ORT_VERSION.replace(/\./g, '\\.')}/ort-wasm-simd-threaded\\.jsep\\.wasm \\{([^}]*types \\{ \\}[^}]*)\\}`,
    ).exec(nginx)?.[1] ?? '';
  expect(wasmLocation).toContain('default_type "application/wasm";');
  expect(wasmLocation).toContain(`add_header Cache-Control "${immutable}" always;`);
  expect(wasmLocation).toContain('add_header Cross-Origin-Embedder-Policy "require-corp" always;');
  expect(wasmLocation).toContain('add_header Content-Security-Policy');
});
