import { build } from 'esbuild';

/**
 * Bundles a module of src/lib into a classic script that assigns its exports to
 * `window[globalName]`, so a test can run the very same library code in Chromium as in Node.
 */
export async function bundleForBrowser(entry: string, globalName: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2022',
  });
  return result.outputFiles[0].text;
}
