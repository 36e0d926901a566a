/**
 * Pages that exist only for the end-to-end tests and the benchmark (they drive the model runtime
 * and the downloader with generated models). They live in tests/fixtures/pages/ and are added to
 * the site only when DSBS_TEST_FIXTURES=1, which `npm run test:e2e` and `npm run bench` set, so
 * the site readers get never contains them.
 */
import type { AstroIntegration } from 'astro';

const PAGES = ['runtime', 'downloads'] as const;

export default function testFixturePages(): AstroIntegration {
  return {
    name: 'dsbs-test-fixture-pages',
    hooks: {
      'astro:config:setup': ({ injectRoute }) => {
        if (process.env.DSBS_TEST_FIXTURES !== '1') return;
        for (const page of PAGES) {
          injectRoute({ pattern: `/test-fixtures/${page}`, entrypoint: `./tests/fixtures/pages/${page}.astro` });
        }
      },
    },
  };
}
