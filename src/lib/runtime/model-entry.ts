/**
 * A model as the runtime and the downloader see it, whatever its tier, plus the pure helpers they
 * need. Kept free of zod so that browser bundles do not carry the schema: the manifest is parsed at
 * build time (src/lib/runtime/manifest.ts) and entries reach islands as plain props.
 */
export const DTYPES = ['float32', 'float16', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const;
export type Dtype = (typeof DTYPES)[number];
export const FEATURES = ['shader-f16', 'webgpu'] as const;
export type Feature = (typeof FEATURES)[number];

export interface TensorSpec {
  dtype: Dtype;
  /** Positive sizes, or lower_snake_case names for symbolic dimensions. */
  shape: (number | string)[];
  /** Present in some exports only (read the session's own names to know). */
  optional?: boolean;
}
export interface IoContract {
  inputs: Record<string, TensorSpec>;
  outputs: Record<string, TensorSpec>;
}

/** One file as the downloader sees it, whatever the tier. */
export interface ModelFile {
  /** "model" for pocket entries; the file's key (e.g. "unet") for full ones. */
  role: string;
  /** Where the site serves it (pocket) or the mirror folder would (full), from the site root. */
  sitePath: string;
  /** Only for full files: the Hub location; the download URL is built by `hubUrl`. */
  hub?: { repo: string; revision: string | null; path: string };
  bytes: number | null;
  bytesApprox: number;
  sha256: string | null;
  /** Empty maps for files that are not models (tokenizer.json, external .onnx_data). */
  io: IoContract;
}

export interface ModelEntry {
  id: string;
  tier: 'pocket' | 'full';
  task: string;
  title: string;
  licence: string;
  files: ModelFile[];
  requiredFeatures: Feature[];
  memoryEstimateBytes: number;
  /** Sum of exact sizes where known, else of published sizes. */
  totalBytes: number;
}

export type Loadability = { loadable: true } | { loadable: false; reason: string };

export const MIRROR_ROOT = '/models-mirror';
export const POCKET_ROOT = '/models';

export function mirrorPath(id: string, hubPath: string): string {
  return `${MIRROR_ROOT}/${id}/${hubPath}`;
}

/** The Hub's resolve URL for a pinned file; `base` is overridable for tests and mirrors of the Hub. */
export function hubUrl(file: ModelFile, base = 'https://huggingface.co'): string {
  if (!file.hub) throw new Error(`${file.sitePath} is not a Hub file`);
  if (!file.hub.revision) throw new Error(`${file.hub.repo}/${file.hub.path}: revision not pinned`);
  return `${base.replace(/\/$/, '')}/${file.hub.repo}/resolve/${file.hub.revision}/${file.hub.path}`;
}

/** Whether the runtime may fetch and run this entry: every file needs exact bytes and SHA-256, and Hub files a pinned revision. */
export function loadability(entry: ModelEntry): Loadability {
  const missing: string[] = [];
  for (const f of entry.files) {
    const what = [
      f.bytes === null && 'size',
      f.sha256 === null && 'SHA-256',
      f.hub && f.hub.revision === null && 'revision',
    ].filter(Boolean);
    if (what.length) missing.push(`${f.role} (${what.join(', ')})`);
  }
  if (missing.length === 0) return { loadable: true };
  return {
    loadable: false,
    reason:
      `${entry.title} is listed but not pinned yet: unknown ${missing.join('; ')}. ` +
      'Without an exact size and digest a download cannot be verified, so it is not offered. ' +
      'Pin it in models/manifest.json from the Hub file listing on a machine with internet access.',
  };
}

/** The shape of a full-tier entry in models/manifest.json (manifest.ts validates it with zod at build time; islands convert without zod, whose eval probe the CSP blocks). */
export interface FullEntryJson {
  id: string;
  tier: 'full';
  task: string;
  title: string;
  licence: string;
  hub: { repo: string; revision: string | null };
  files: Record<
    string,
    {
      hub?: { repo: string; revision: string | null };
      path: string;
      bytes: number | null;
      bytesApprox: number;
      sha256: string | null;
      inputs?: ModelFile['io']['inputs'];
      outputs?: ModelFile['io']['outputs'];
    }
  >;
  requiredFeatures: ModelEntry['requiredFeatures'];
  memoryEstimateBytes: number;
}

/** A full entry as a ModelEntry, without validation (parseManifest validates, then calls this). */
export function fullEntryFromJson(e: FullEntryJson): ModelEntry {
  const files: ModelFile[] = Object.entries(e.files).map(([role, f]) => ({
    role,
    sitePath: mirrorPath(e.id, f.path),
    hub: { ...(f.hub ?? e.hub), path: f.path },
    bytes: f.bytes,
    bytesApprox: f.bytesApprox,
    sha256: f.sha256,
    io: { inputs: f.inputs ?? {}, outputs: f.outputs ?? {} },
  }));
  return {
    id: e.id,
    tier: 'full',
    task: e.task,
    title: e.title,
    licence: e.licence,
    requiredFeatures: e.requiredFeatures,
    memoryEstimateBytes: e.memoryEstimateBytes,
    totalBytes: files.reduce((s, f) => s + (f.bytes ?? f.bytesApprox), 0),
    files,
  };
}
