// npm run models:pin -- <id>… [--revision <rev>] [--write]
// Pins full-size models in models/manifest.json from the Hugging Face Hub's API: the commit of the
// revision, and every file's exact bytes and SHA-256, without downloading the large files.
// Prints what would change; --write writes it. Then `npm run models:pull -- <id>` downloads and verifies.
// Environment: DSBS_HUB_URL (default https://huggingface.co), HF_TOKEN (gated repositories),
// DSBS_MANIFEST (tests; default models/manifest.json).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ManifestError, parseManifest, type FullEntryJson } from '../src/lib/runtime/manifest';
import { changesFor, HubApi, PinError, pinModel, writeManifest, type Change } from './models-pin/pin';
import { changeLines, pinTable, sizeWarnings } from './models-pin/report';

const USAGE = `usage: npm run models:pin -- <id>… [--revision <rev>] [--write]
  --revision <rev>  branch, tag or commit of each entry's repository (default: its pinned revision, else main);
                    files with their own "hub" keep theirs
  --write           write the pins into the manifest (without it: a dry run that only prints them)`;

// Bundled into .cache/run-ts/ by run-ts.mjs, so paths start from the working directory (npm runs scripts at the repo root).
const manifestPath = process.env['DSBS_MANIFEST'] ?? `${process.cwd()}/models/manifest.json`;

/** A reader-facing end of the run with its exit code (thrown, so main() reads top to bottom). */
class Exit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { revision: { type: 'string' }, write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new Exit(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`, 2);
  }
  if (args.values.help) return console.log(USAGE);

  const text = readFileSync(manifestPath, 'utf8');
  const document = JSON.parse(text) as { models: Record<string, { tier: string }> };
  try {
    parseManifest(document);
  } catch (e) {
    throw e instanceof ManifestError ? new Exit(`${e.message}\nFix the manifest first; nothing was pinned.`, 1) : e;
  }
  const fullIds = Object.keys(document.models).filter((id) => document.models[id]!.tier === 'full');
  const ids = args.positionals;
  if (ids.length === 0) throw new Exit(`${USAGE}\nfull-size models in ${manifestPath}: ${fullIds.join(', ')}`, 2);
  const refused = ids.flatMap((id) => {
    const entry = document.models[id];
    if (!entry) return [`${id}: not in ${manifestPath}.`];
    if (entry.tier !== 'full')
      return [`${id}: a pocket model (trained here; export.py writes its bytes and SHA-256), not one from the Hub.`];
    return [];
  });
  if (refused.length)
    throw new Exit(`${refused.join('\n')}\nfull-size models that can be pinned: ${fullIds.join(', ')}`, 2);

  const api = new HubApi({
    hubBase: process.env['DSBS_HUB_URL'] ?? 'https://huggingface.co',
    token: process.env['HF_TOKEN'] || undefined,
  });
  const changes: Change[] = [];
  const failed: string[] = [];
  for (const id of ids) {
    const entry = document.models[id] as unknown as FullEntryJson;
    try {
      const pin = await pinModel(id, entry, api, args.values.revision);
      const own = changesFor(pin, entry);
      changes.push(...own);
      console.log([...pinTable(pin), ...sizeWarnings(pin)].join('\n'));
      const verb = args.values.write ? 'to write' : 'would change';
      console.log(
        own.length
          ? `${id}: ${own.length} value${own.length === 1 ? '' : 's'} ${verb}:\n${changeLines(own).join('\n')}\n`
          : `${id}: already pinned to these values; nothing to change.\n`,
      );
    } catch (e) {
      if (!(e instanceof PinError)) throw e;
      console.error(`${e.message}\n`);
      failed.push(id);
    }
  }

  const pull = `npm run models:pull -- ${ids.join(' ')}`;
  if (failed.length) {
    const others = ids.length > failed.length ? ' (not even for the models that succeeded)' : '';
    throw new Exit(`Could not pin ${failed.join(', ')}; nothing was written${others}.`, 1);
  }
  if (!args.values.write) {
    console.log(
      changes.length
        ? `Dry run: ${manifestPath} is unchanged. Run again with --write to pin, then \`${pull}\` to download and verify.`
        : `Next: \`${pull}\` downloads the files and verifies them.`,
    );
    return;
  }
  if (changes.length) {
    try {
      writeManifest(manifestPath, text, changes);
    } catch (e) {
      throw new Exit(`${e instanceof Error ? e.message : String(e)}\nNothing was written.`, 1);
    }
    console.log(`Wrote ${changes.length} value${changes.length === 1 ? '' : 's'} to ${manifestPath}.`);
  } else {
    console.log(`${manifestPath} is unchanged.`);
  }
  console.log(`Next: \`${pull}\` downloads the files and verifies them against these pins.`);
}

try {
  await main();
} catch (e) {
  if (!(e instanceof Exit)) throw e;
  console.error(e.message);
  process.exitCode = e.code;
}
