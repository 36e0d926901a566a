// npm run models:pull -- <id> [<id>…]
// Mirrors full-size models from the Hugging Face Hub into public/models-mirror/<id>/ (gitignored),
// verified against models/manifest.json; the site prefers the mirror when it holds a file.
// Environment: DSBS_HUB_URL (default https://huggingface.co), HF_TOKEN (gated repositories),
// DSBS_MANIFEST and DSBS_MIRROR_DIR (tests; default models/manifest.json and public/models-mirror).
import { readFileSync } from 'node:fs';
import { parseManifest } from '../src/lib/runtime/manifest';
import { PullError, pullModel } from './models-pull/pull';

// Bundled into .cache/run-ts/ by run-ts.mjs, so paths start from the working directory (npm runs scripts at the repo root).
const root = `${process.cwd()}/`;
const ids = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const manifestPath = process.env['DSBS_MANIFEST'] ?? `${root}models/manifest.json`;
const entries = parseManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
const full = [...entries.values()].filter((e) => e.tier === 'full').map((e) => e.id);

if (ids.length === 0) {
  console.error(`usage: npm run models:pull -- <id>…\nfull-size models in the manifest: ${full.join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const id of ids) {
  const entry = entries.get(id);
  if (!entry) {
    console.error(`${id}: not in ${manifestPath}; full-size models: ${full.join(', ')}`);
    failed = true;
    continue;
  }
  try {
    await pullModel(entry, {
      mirrorDir: process.env['DSBS_MIRROR_DIR'] ?? `${root}public/models-mirror`,
      hubBase: process.env['DSBS_HUB_URL'] ?? 'https://huggingface.co',
      token: process.env['HF_TOKEN'],
      baseDelayMs: Number(process.env['DSBS_PULL_BACKOFF_MS'] ?? 1000),
      log: (line) => console.log(line),
    });
    console.log(`${id}: complete.`);
  } catch (e) {
    console.error(e instanceof PullError ? e.message : e);
    failed = true;
  }
}
// exitCode, not exit(): run-ts.mjs deletes its bundled copy of this script once it returns.
process.exitCode = failed ? 1 : 0;
