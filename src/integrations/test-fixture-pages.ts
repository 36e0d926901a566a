/**
 * Pages that exist only for the end-to-end tests and the benchmark (they drive the model runtime
 * and the downloader with generated models). They live in tests/fixtures/pages/ and are added to
 * the site only when DSBS_TEST_FIXTURES=1, which `npm run test:e2e` and `npm run bench` set, so
 * the site readers get never contains them.
 */
import { readdirSync } from 'node:fs';
import type { AstroIntegration } from 'astro';

const PAGES_DIR = new URL('../../tests/fixtures/pages/', import.meta.url);

/** Every `tests/fixtures/pages/<name>.astro` becomes `/test-fixtures/<name>/`. */
function fixturePages(): string[] {
  return readdirSync(PAGES_DIR)
    .filter((f) => f.endsWith('.astro'))
    .map((f) => f.slice(0, -'.astro'.length))
    .sort();
}

export default function testFixturePages(): AstroIntegration {
  return {
    name: 'dsbs-test-fixture-pages',
    hooks: {
      'astro:config:setup': ({ injectRoute }) => {
        if (process.env.DSBS_TEST_FIXTURES !== '1') return;
        for (const page of fixturePages()) {
          injectRoute({ pattern: `/test-fixtures/${page}`, entrypoint: `./tests/fixtures/pages/${page}.astro` });
        }
      },
    },
  };
}
