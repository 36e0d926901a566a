/**
 * Pins a full-size model's entry in models/manifest.json from the Hub's API: the commit each
 * revision names, and every file's exact bytes and SHA-256 (LFS metadata; small non-LFS files are
 * downloaded and hashed). The multi-GB files themselves are never downloaded.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseManifest, type FullEntryJson } from '../../src/lib/runtime/manifest';
import { HubApi, PinError, type TreeItem } from './hub-api';
import { replaceJsonValues, type JsonEdit } from './json-edit';

export { HubApi, PinError } from './hub-api';

/** Beyond this relative difference the manifest's published size (bytesApprox) is probably wrong. */
export const APPROX_TOLERANCE = 0.1;

export interface FilePin {
  role: string;
  path: string;
  repo: string;
  /** What was asked for (branch, tag or commit) … */
  requested: string;
  /** … and the commit it names. */
  revision: string;
  /** Whether the file carries its own `hub` (else it follows the entry's). */
  ownHub: boolean;
  bytes: number;
  sha256: string;
  bytesApprox: number;
  /** `lfs`: size and SHA-256 from the Hub's LFS metadata; `hashed`: downloaded (small) and hashed here. */
  source: 'lfs' | 'hashed';
}

export interface ModelPin {
  id: string;
  hub: { repo: string; requested: string; revision: string };
  files: FilePin[];
}

/**
 * The pins for one full entry. The entry's repository is read at `revision` if given, else at its
 * pinned revision, else at main; a file with its own `hub` is read at that hub's pinned revision, else main.
 */
export async function pinModel(id: string, entry: FullEntryJson, api: HubApi, revision?: string): Promise<ModelPin> {
  const requested = revision ?? entry.hub.revision ?? 'main';
  const hub = { repo: entry.hub.repo, requested, revision: await api.resolveRevision(entry.hub.repo, requested) };
  const files: FilePin[] = [];
  for (const [role, file] of Object.entries(entry.files)) {
    const own = file.hub;
    const repo = own ? own.repo : hub.repo;
    const fileRequested = own ? (own.revision ?? 'main') : requested;
    const commit = own ? await api.resolveRevision(repo, fileRequested) : hub.revision;
    const item = await findFile(api, repo, commit, file.path, `${id}.${role}`);
    const lfs = item.lfs;
    const bytes = lfs ? lfs.size : item.size;
    const sha256 = lfs ? lfs.oid : await api.sha256OfFile(repo, commit, file.path, item.size);
    if (!Number.isInteger(bytes) || bytes <= 0)
      throw new PinError(`${id}.${role}: the Hub lists ${repo}/${file.path} with size ${String(bytes)}.`);
    if (!/^[0-9a-f]{64}$/.test(sha256))
      throw new PinError(`${id}.${role}: the Hub's LFS id for ${repo}/${file.path} is not a SHA-256 (${sha256}).`);
    files.push({
      role,
      path: file.path,
      repo,
      requested: fileRequested,
      revision: commit,
      ownHub: Boolean(own),
      bytes,
      sha256,
      bytesApprox: file.bytesApprox,
      source: lfs ? 'lfs' : 'hashed',
    });
  }
  return { id, hub, files };
}

async function findFile(api: HubApi, repo: string, commit: string, path: string, label: string): Promise<TreeItem> {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const items = await api.listFolder(repo, commit, dir);
  const item = items.find((i) => i.path === path);
  if (item && item.type === 'file') return item;
  const here = items.filter((i) => i.type === 'file').map((i) => i.path);
  throw new PinError(
    `${label}: ${item ? 'is a folder, not a file' : 'not found'}: "${path}" in ${repo} at ${commit}; check the path in the manifest. ` +
      `The folder "${dir || '/'}" holds ${here.length ? here.join(', ') : 'no files'}.`,
  );
}

/** Relative difference of the exact size from the published one (0.05 = 5 % larger). */
export const approxDifference = (f: FilePin) => (f.bytes - f.bytesApprox) / f.bytesApprox;

export interface Change extends JsonEdit {
  from: unknown;
}

/** The manifest values a pin changes (only revisions, bytes and SHA-256), as edits of the whole document. */
export function changesFor(pin: ModelPin, entry: FullEntryJson): Change[] {
  const changes: Change[] = [];
  const add = (path: string[], from: unknown, to: string | number) => {
    if (from !== to) changes.push({ path: ['models', pin.id, ...path], from, value: to });
  };
  add(['hub', 'revision'], entry.hub.revision, pin.hub.revision);
  for (const f of pin.files) {
    const file = entry.files[f.role]!;
    if (file.hub) add(['files', f.role, 'hub', 'revision'], file.hub.revision, f.revision);
    add(['files', f.role, 'bytes'], file.bytes, f.bytes);
    add(['files', f.role, 'sha256'], file.sha256, f.sha256);
  }
  return changes;
}

/**
 * Applies the changes to the manifest text, keeping every other byte of it, and writes it in place
 * only once the result is the intended document and passes parseManifest (temp file, then rename).
 */
export function writeManifest(manifestPath: string, text: string, changes: readonly Change[]): void {
  const updated = replaceJsonValues(text, changes);
  const expected = JSON.parse(text) as Record<string, unknown>;
  for (const c of changes) {
    const parent = c.path
      .slice(0, -1)
      .reduce((o, k) => (o as Record<string, unknown>)[k], expected as unknown) as Record<string, unknown>;
    parent[c.path.at(-1)!] = c.value;
  }
  const document = JSON.parse(updated) as unknown;
  if (!isDeepStrictEqual(document, expected))
    throw new Error('models:pin: the edited manifest differs from the intended one; nothing was written.');
  parseManifest(document);
  const temp = `${manifestPath}.pin-${process.pid}.tmp`;
  try {
    writeFileSync(temp, updated);
    renameSync(temp, manifestPath);
  } finally {
    rmSync(temp, { force: true });
  }
}
