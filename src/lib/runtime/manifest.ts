/**
 * The model manifest (models/manifest.json): the one place where every model's files, sizes,
 * digests, licence and IO contract are written down.
 *
 * Two tiers share the `models` map, told apart by `tier`:
 * - pocket: trained and exported by models/train/export.py; one ONNX file under models/ with known
 *   bytes and SHA-256, served by the site at `/models/<file>`.
 * - full: public exports on the Hugging Face Hub, one or more files, each with its own contract.
 *   Bytes, SHA-256 and the revision can only be pinned on a machine that can reach the Hub; until
 *   then they are `null` and the entry is listed but not loadable (see `loadability`).
 */
import { z } from 'zod';
import { DTYPES, FEATURES, fullEntryFromJson, POCKET_ROOT, type ModelEntry } from './model-entry';

export * from './model-entry';

// Exporters name dims freely (optimum: batch_size; ORT-transformed graphs: Addlast_hidden_state_dim_0).
const symbolicDim = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'symbolic dimension: an identifier (letters, digits, "_")');
const dim = z.union([z.number().int().positive(), symbolicDim]);
const tensorSpec = z.strictObject({
  dtype: z.enum(DTYPES),
  shape: z.array(dim),
  /** Present in some exports only (read the session's own names to know). */
  optional: z.boolean().optional(),
});
const tensorMap = z
  .record(z.string().min(1), tensorSpec)
  .refine((m) => Object.keys(m).length > 0, 'at least one tensor');
export const ioContract = z.strictObject({ inputs: tensorMap, outputs: tensorMap });

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256: 64 lowercase hex digits');
const gitRevision = z.string().regex(/^[0-9a-f]{40}$/, 'revision: a 40-hex commit id, not a branch name');
const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'a relative path without ".."');
const modelId = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'id: lowercase letters, digits, "-" and "."');

/** An entry as models/train/export.py writes it (plus fields it may add later; they pass through). */
const pocketEntry = z.looseObject({
  id: modelId,
  tier: z.literal('pocket'),
  task: z.string().min(1),
  licence: z.string().min(1),
  model: z.string().min(1),
  file: relativePath.refine((p) => p.endsWith('.onnx'), 'an .onnx file'),
  bytes: z.number().int().positive(),
  sha256,
  opset: z.number().int().positive(),
  parameters: z.number().int().positive(),
  inputs: tensorMap,
  outputs: tensorMap,
  requiredFeatures: z.array(z.enum(FEATURES)),
  memoryEstimateBytes: z.number().int().positive(),
  title: z.string().min(1),
  summary: z.string().min(1),
  card: relativePath,
});

const hubLocation = z.strictObject({
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  revision: gitRevision.nullable(),
});

const fullFile = z
  .strictObject({
    /** Only where the file lives in another repository than the entry's (a tokenizer published beside a different export). */
    hub: hubLocation.optional(),
    /** Path inside the Hub repository. */
    path: relativePath,
    /** Exact size; null until pinned. */
    bytes: z.number().int().positive().nullable(),
    /** The size as published (for consent and progress before pinning). */
    bytesApprox: z.number().int().positive(),
    sha256: sha256.nullable(),
    /** Only .onnx files have an IO contract; other files (tokenizer.json, .onnx_data) have none. */
    inputs: tensorMap.optional(),
    outputs: tensorMap.optional(),
  })
  .superRefine((f, ctx) => {
    const isModel = f.path.endsWith('.onnx');
    if (isModel && (!f.inputs || !f.outputs))
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'an .onnx file needs its inputs and outputs' });
    if (!isModel && (f.inputs || f.outputs))
      ctx.addIssue({ code: 'custom', path: ['inputs'], message: 'only .onnx files have inputs and outputs' });
  });

const fullEntry = z.strictObject({
  id: modelId,
  tier: z.literal('full'),
  task: z.string().min(1),
  title: z.string().min(1),
  licence: z.string().min(1),
  licenceUrl: z.url(),
  hub: hubLocation,
  files: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/), fullFile)
    .refine((f) => Object.keys(f).length > 0, 'at least one file'),
  requiredFeatures: z.array(z.enum(FEATURES)),
  memoryEstimateBytes: z.number().int().positive(),
  memoryBasis: z.string().min(1),
  notes: z.string().optional(),
});

export const manifestSchema = z
  .looseObject({
    models: z.record(z.string(), z.discriminatedUnion('tier', [pocketEntry, fullEntry])),
    totalOnnxBytes: z.number().int().nonnegative(),
    budgetBytes: z.number().int().positive(),
  })
  .superRefine((doc, ctx) => {
    let pocketTotal = 0;
    for (const [key, entry] of Object.entries(doc.models)) {
      if (entry.id !== key)
        ctx.addIssue({
          code: 'custom',
          path: ['models', key, 'id'],
          message: `id "${entry.id}" differs from its key "${key}"`,
        });
      if (entry.tier === 'pocket') pocketTotal += entry.bytes;
    }
    if (doc.totalOnnxBytes !== pocketTotal)
      ctx.addIssue({
        code: 'custom',
        path: ['totalOnnxBytes'],
        message: `totalOnnxBytes ${doc.totalOnnxBytes} ≠ sum of pocket bytes ${pocketTotal}`,
      });
    if (pocketTotal > doc.budgetBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['totalOnnxBytes'],
        message: `pocket models total ${pocketTotal} bytes, over the ${doc.budgetBytes}-byte budget`,
      });
  });
export type ManifestDocument = z.infer<typeof manifestSchema>;
type PocketEntryJson = z.infer<typeof pocketEntry>;

function fromPocket(e: PocketEntryJson): ModelEntry {
  return {
    id: e.id,
    tier: 'pocket',
    task: e.task,
    title: e.title,
    licence: e.licence,
    requiredFeatures: e.requiredFeatures,
    memoryEstimateBytes: e.memoryEstimateBytes,
    totalBytes: e.bytes,
    files: [
      {
        role: 'model',
        sitePath: `${POCKET_ROOT}/${e.file}`,
        bytes: e.bytes,
        bytesApprox: e.bytes,
        sha256: e.sha256,
        io: { inputs: e.inputs, outputs: e.outputs },
      },
    ],
  };
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Validate a parsed manifest.json; throws ManifestError listing every problem with its path. */
export function parseManifest(json: unknown): Map<string, ModelEntry> {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ManifestError(`models/manifest.json is invalid:\n${lines.join('\n')}`);
  }
  const entries = new Map<string, ModelEntry>();
  for (const [id, e] of Object.entries(result.data.models))
    entries.set(id, e.tier === 'pocket' ? fromPocket(e) : fullEntryFromJson(e));
  return entries;
}
