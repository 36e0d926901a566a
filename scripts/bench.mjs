// `npm run bench`: build time, bytes shipped per page, widget compute speed, the model runtime's
// overhead and thread scaling, and text → image sampling, in headless Chromium.
// Prints Markdown tables. Numbers come from this machine at the time of the run; nothing is asserted.
// Holds the e2e lock (scripts/e2e.sh) while it builds and measures, so test runs neither rebuild
// dist/ under it nor compete for the CPU.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { measurePageWeight } from './bench/page-weight.mjs';
import { measureWidgets } from './bench/widgets.mjs';
import {
  launchBrowser,
  measureRuntime,
  printRuntime,
  startPreview,
  underE2eLock,
  waitForServer,
} from './bench/runtime.mjs';
import { measureTextToImage, printTextToImage } from './bench/text-to-image.mjs';

underE2eLock(new URL(import.meta.url).pathname);

const root = new URL('..', import.meta.url).pathname;
const port = 4399;
const origin = `http://127.0.0.1:${port}`;

function timed(command, args) {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  return (performance.now() - start) / 1000;
}

function builtPages(dir = join(root, 'dist')) {
  const pages = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name === 'pagefind' || name === '_astro' || name === 'test-fixtures') continue;
      pages.push(...builtPages(full));
    } else if (name === 'index.html') {
      pages.push('/' + relative(join(root, 'dist'), dir).replace(/\\/g, '/') + (dir === join(root, 'dist') ? '' : '/'));
    }
  }
  return pages.map((p) => p.replace(/^\/+/, '/')).sort();
}

const kb = (n) => (n / 1024).toFixed(1);

// The runtime benchmark runs on a test-only page (src/integrations/test-fixture-pages.ts).
process.env.DSBS_TEST_FIXTURES = '1';
const astroSeconds = timed('npx', ['astro', 'build']);
const pagefindSeconds = timed('npx', ['pagefind', '--site', 'dist']);

const server = startPreview(root, port);
try {
  await waitForServer(origin + '/');
  const browser = await launchBrowser();
  try {
    const weights = await measurePageWeight(browser, origin, builtPages());
    console.log('\n## Build\n');
    console.log('| step | seconds |\n|---|---:|');
    console.log(`| astro build | ${astroSeconds.toFixed(1)} |`);
    console.log(`| pagefind index | ${pagefindSeconds.toFixed(1)} |`);
    console.log('\n## Bytes shipped per page (every island hydrated)\n');
    console.log('| page | HTML KiB (gzip) | JS files | JS KiB | JS KiB gzip | CSS files | CSS KiB | CSS KiB gzip |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const { path, html, js, css } of weights) {
      console.log(
        `| ${path} | ${kb(html.raw)} (${kb(html.gzip)}) | ${js.files} | ${kb(js.raw)} | ${kb(js.gzip)} | ${css.files} | ${kb(css.raw)} | ${kb(css.gzip)} |`,
      );
    }
    const widgetRows = await measureWidgets(browser, origin);
    console.log('\n## Widget compute in headless Chromium (median of repeated runs)\n');
    console.log('| measurement | value |\n|---|---:|');
    for (const { name, value } of widgetRows) console.log(`| ${name} | ${value} |`);
    printRuntime(await measureRuntime(browser, origin));
    printTextToImage(await measureTextToImage(browser, origin));
  } finally {
    await browser.close();
  }
} finally {
  process.kill(-server.pid);
}
