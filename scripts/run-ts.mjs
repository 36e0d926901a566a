// Runs a TypeScript entry point in Node: bundles it with esbuild into .cache/run-ts/ and imports it.
// Usage: node scripts/run-ts.mjs <entry.ts> [args…]   (the entry sees its args in process.argv.slice(2))
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args…]');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, '.cache', 'run-ts');
mkdirSync(outDir, { recursive: true });
// One bundle per process, so concurrent runs (tests, several terminals) never overwrite each other's file.
const outfile = join(outDir, `${basename(entry).replace(/\.[cm]?tsx?$/, '')}.${process.pid}.mjs`);
await build({
  entryPoints: [resolve(entry)],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
