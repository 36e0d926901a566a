/**
 * The site's HTTP response headers, in one place. astro.config.mjs (dev and preview servers), the
 * deploy-headers integration (header files for static hosts) and the tests all read them from here.
 *
 * - COOP + COEP make pages cross-origin isolated, so ORT's WASM engine may use SharedArrayBuffer
 *   threads. They must be real headers (a <meta> cannot set them).
 * - The Content-Security-Policy is a header too, not Astro's `security.csp` <meta>: a meta policy
 *   cannot carry `frame-ancestors`, and it does not reach Web Workers (a worker takes its policy
 *   from its own script's response), which is exactly where the model runtime compiles WebAssembly.
 *   Astro's meta also hashes inline <style> elements, and a hash in `style-src` switches off the
 *   'unsafe-inline' that KaTeX's thousands of `style="…"` attributes need.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/**
 * Where full-size model files come from (src/lib/runtime/model-entry.ts `hubUrl`): a Hub
 * `https://huggingface.co/<repo>/resolve/<revision>/<path>` URL answers with a 302 to the storage
 * that holds the file, and connect-src is checked on every hop of a redirect:
 * - Xet-backed repositories (the Hub's default storage since 2025) redirect to
 *   `cas-bridge.xethub.hf.co` (US) or `cas-bridge.xethub-eu.hf.co` (EU);
 * - repositories still on Git LFS redirect to `cdn-lfs.hf.co`, `cdn-lfs-us-1.hf.co` or `cdn-lfs-eu-1.hf.co`.
 * Source: the Hub's "downloading behind a proxy or firewall" host list (huggingface/hub-docs PR #2628)
 * and observed `Location` headers of resolve URLs. Named hosts, not `*.hf.co`, so the policy allows
 * the model host and nothing else; if the Hub moves its storage, readers still get every model from
 * a local mirror (`npm run models:pull`, served from 'self').
 */
export const MODEL_HOSTS = [
  'https://huggingface.co',
  'https://cas-bridge.xethub.hf.co',
  'https://cas-bridge.xethub-eu.hf.co',
  'https://cdn-lfs.hf.co',
  'https://cdn-lfs-us-1.hf.co',
  'https://cdn-lfs-eu-1.hf.co',
] as const;

/**
 * The policy. `scriptHashes` are the SHA-256 sources of the inline scripts the build emitted
 * (Astro's island loader and `client:*` directives, small bundled scripts): see `builtInlineScriptHashes`.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    // 'wasm-unsafe-eval' lets ORT and Pagefind compile WebAssembly; no 'unsafe-eval', no 'unsafe-inline'.
    ['script-src', "'self'", "'wasm-unsafe-eval'", ...scriptHashes],
    // KaTeX positions glyphs with inline style attributes and Svelte sets styles at runtime; CSS cannot run script.
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:'],
    // Vite inlines KaTeX's smallest fonts into the CSS as data: URLs.
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...MODEL_HOSTS],
    // The runtime worker and ORT's pthread workers are same-origin module scripts; no blob: workers.
    ['worker-src', "'self'"],
    ['object-src', "'none'"],
    ['base-uri', "'self'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'none'"],
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}

/** Headers every response of the built site carries. */
export function siteHeaders(scriptHashes: readonly string[] = []): Record<string, string> {
  return {
    ...ISOLATION_HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(scriptHashes),
    'X-Content-Type-Options': 'nosniff',
  };
}

const EXECUTABLE_SCRIPT_TYPES = new Set([
  '',
  'module',
  'text/javascript',
  'application/javascript',
  'importmap',
  'speculationrules',
]);

/** `'sha256-…'` sources for every inline script in an HTML document (data blocks such as JSON-LD excluded). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const attributes = match[1];
    if (/\bsrc\s*=/i.test(attributes)) continue;
    const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase() ?? '';
    if (!EXECUTABLE_SCRIPT_TYPES.has(type)) continue;
    // The HTML parser turns CRLF into LF before the browser hashes the text.
    const text = match[2].replace(/\r\n?/g, '\n');
    hashes.push(`'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

function htmlFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...htmlFiles(full));
    else if (entry.name.endsWith('.html')) files.push(full);
  }
  return files;
}

/** The union of inline-script hashes over every page of a build (sorted; [] when there is no build). */
export function builtInlineScriptHashes(distDir: string): string[] {
  let files: string[];
  try {
    files = htmlFiles(distDir);
  } catch {
    return [];
  }
  const all = new Set<string>();
  for (const file of files) for (const hash of inlineScriptHashes(readFileSync(file, 'utf8'))) all.add(hash);
  return [...all].sort();
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Content types a static host may not know (`.onnx` has no registered type) or may get wrong (`.mjs`). */
export const CONTENT_TYPES: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

/**
 * One header rule: `path` is a prefix when it ends with `/` (it matches everything below it) and an
 * exact file path otherwise. Rules add up: a response gets the headers of every rule that matches.
 */
export interface HeaderRule {
  path: string;
  headers: Record<string, string>;
}

/**
 * Every rule for a build: the site headers everywhere; a year of immutable caching for Vite's
 * content-hashed `/_astro/` files and the versioned ORT engine; explicit content types for the
 * `.wasm`, `.mjs` and `.onnx` files the build contains (`files`: site paths such as `/_astro/x.onnx`).
 */
export function headerRules(options: {
  ortVersion: string;
  scriptHashes: readonly string[];
  files: readonly string[];
}): HeaderRule[] {
  const rules: HeaderRule[] = [
    { path: '/', headers: siteHeaders(options.scriptHashes) },
    { path: '/_astro/', headers: { 'Cache-Control': IMMUTABLE } },
    { path: `/ort/${options.ortVersion}/`, headers: { 'Cache-Control': IMMUTABLE } },
  ];
  for (const file of [...options.files].sort()) {
    const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.'))];
    if (type) rules.push({ path: file, headers: { 'Content-Type': type } });
  }
  return rules;
}

const isPrefix = (rule: HeaderRule) => rule.path.endsWith('/');

/** Netlify and Cloudflare Pages `_headers` (both apply every matching rule). */
export function renderHeadersFile(rules: readonly HeaderRule[]): string {
  const lines = [
    '# Generated by src/integrations/deploy-headers.ts from src/integrations/site-headers.ts; do not edit.',
  ];
  for (const rule of rules) {
    lines.push(isPrefix(rule) ? `${rule.path}*` : rule.path);
    for (const [name, value] of Object.entries(rule.headers)) lines.push(`  ${name}: ${value}`);
  }
  return lines.join('\n') + '\n';
}

/** Vercel `vercel.json` (`headers`, path-to-regexp sources; every matching rule applies). */
export function renderVercelJson(rules: readonly HeaderRule[]): string {
  const headers = rules.map((rule) => ({
    source: isPrefix(rule) ? `${rule.path}(.*)` : rule.path,
    headers: Object.entries(rule.headers).map(([key, value]) => ({ key, value })),
  }));
  return JSON.stringify({ $schema: 'https://openapi.vercel.sh/vercel.json', headers }, null, 2) + '\n';
}

/**
 * nginx, for `include` inside the `server { }` that serves dist/. nginx drops inherited
 * `add_header`s in a block that has its own, so each location repeats every header that applies
 * to it; exact-file locations set their type with `default_type` (a `types` block would replace
 * the whole MIME map).
 */
export function renderNginx(rules: readonly HeaderRule[]): string {
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const prefixes = rules.filter(isPrefix);
  const applying = (path: string) => prefixes.filter((r) => path.startsWith(r.path));
  const block = (indent: string, headers: Record<string, string>) => {
    const lines: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (name === 'Content-Type') lines.push(`${indent}types { }`, `${indent}default_type ${quote(value)};`);
      else lines.push(`${indent}add_header ${name} ${quote(value)} always;`);
    }
    return lines;
  };
  const merged = (path: string, own: Record<string, string> = {}) =>
    Object.assign({}, ...applying(path).map((r) => r.headers), own);
  const lines = [
    '# Generated by src/integrations/deploy-headers.ts from src/integrations/site-headers.ts; do not edit.',
    '# include inside the server { } block whose root is dist/.',
  ];
  lines.push(...block('', merged('/')));
  for (const rule of prefixes.filter((r) => r.path !== '/')) {
    lines.push(`location ^~ ${rule.path} {`, ...block('  ', merged(rule.path)), '}');
  }
  for (const rule of rules.filter((r) => !isPrefix(r))) {
    lines.push(`location = ${rule.path} {`, ...block('  ', merged(rule.path, rule.headers)), '}');
  }
  return lines.join('\n') + '\n';
}
