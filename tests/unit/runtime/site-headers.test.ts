import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  headerRules,
  inlineScriptHashes,
  renderHeadersFile,
  renderNginx,
  renderVercelJson,
} from '../../../src/integrations/site-headers';

// Digests computed independently (Python hashlib + base64) of the script texts below.
const ALERT_DIGEST = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='";
const A_LF_B_DIGEST = "'sha256-fhj3NzEbLcOy8mndeDlrA1HxT7Zu+oefdoyyMYGIPHg='";

describe('inlineScriptHashes', () => {
  it('hashes inline classic and module scripts, not external scripts or data blocks', () => {
    const html = [
      '<script>alert(1)</script>',
      '<script type="module">alert(1)</script>',
      '<script src="/a.js"></script>',
      '<script type="application/ld+json">{"a":1}</script>',
      '<script type=module defer src=/b.js></script>',
    ].join('');
    expect(inlineScriptHashes(html)).toEqual([ALERT_DIGEST, ALERT_DIGEST]);
  });

  it('hashes the text as the browser sees it: CRLF becomes LF', () => {
    expect(inlineScriptHashes('<script>a\r\nb</script>')).toEqual([A_LF_B_DIGEST]);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows WebAssembly and hashed inline scripts, never eval or arbitrary inline script', () => {
    const policy = contentSecurityPolicy([ALERT_DIGEST]);
    expect(policy).toContain(`script-src 'self' 'wasm-unsafe-eval' ${ALERT_DIGEST};`);
    expect(policy).not.toMatch(/'unsafe-eval'/);
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(policy).toMatch(/(^|; )frame-ancestors 'none'($|;)/);
    expect(policy).toMatch(/(^|; )object-src 'none'($|;)/);
  });
});

describe('header files', () => {
  const rules = headerRules({
    ortVersion: '9.9.9',
    scriptHashes: [ALERT_DIGEST],
    files: ['/_astro/m.abc.onnx', '/ort/9.9.9/e.wasm', '/pagefind/x.js'],
  });

  it('_headers: one block per rule, splats for prefixes, types only for typed files', () => {
    const text = renderHeadersFile(rules);
    expect(text).toContain(
      '\n/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n  Content-Security-Policy: ',
    );
    expect(text).toContain('\n/_astro/*\n  Cache-Control: public, max-age=31536000, immutable\n');
    expect(text).toContain('\n/ort/9.9.9/*\n  Cache-Control: public, max-age=31536000, immutable\n');
    expect(text).toContain('\n/_astro/m.abc.onnx\n  Content-Type: application/octet-stream\n');
    expect(text).toContain('\n/ort/9.9.9/e.wasm\n  Content-Type: application/wasm\n');
    expect(text).not.toContain('/pagefind/x.js');
  });

  it('vercel.json: path-to-regexp sources with key/value headers', () => {
    const config = JSON.parse(renderVercelJson(rules)) as {
      headers: { source: string; headers: { key: string; value: string }[] }[];
    };
    expect(config.headers.map((h) => h.source)).toEqual([
      '/(.*)',
      '/_astro/(.*)',
      '/ort/9.9.9/(.*)',
      '/_astro/m.abc.onnx',
      '/ort/9.9.9/e.wasm',
    ]);
    expect(config.headers[4].headers).toEqual([{ key: 'Content-Type', value: 'application/wasm' }]);
  });

  it('nginx: every location repeats the headers it inherits, since its own add_header drops them', () => {
    const text = renderNginx(rules);
    const location = /location = \/ort\/9\.9\.9\/e\.wasm \{\n([\s\S]*?)\n\}/
      .exec(text)![1]
      .split('\n')
      .map((l) => l.trim());
    expect(location).toContain('add_header Cross-Origin-Embedder-Policy "require-corp" always;');
    expect(location).toContain('add_header Cache-Control "public, max-age=31536000, immutable" always;');
    expect(location).toContain('types { }');
    expect(location).toContain('default_type "application/wasm";');
    const astro = /location \^~ \/_astro\/ \{\n([\s\S]*?)\n\}/.exec(text)![1];
    expect(astro).toContain("add_header Content-Security-Policy \"default-src 'self';");
    expect(astro).not.toContain('default_type');
  });
});
