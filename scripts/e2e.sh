#!/usr/bin/env bash
# Build the site, then run Playwright against `astro preview` of that build.
# The lock keeps concurrent runs (several terminals, several agents) from rebuilding dist/ under each other.
set -euo pipefail
cd "$(dirname "$0")/.."
# DSBS_TEST_FIXTURES=1 adds the test-only pages (src/integrations/test-fixture-pages.ts).
export DSBS_TEST_FIXTURES=1
exec flock /tmp/diffusion-step-by-step-e2e.lock bash -c 'npm run build && npx playwright test "$@"' e2e "$@"
