/**
 * The pieces a Stable Diffusion pipeline is composed of: one ONNX session per file of a manifest
 * entry, each a plain `run(feeds)` (a runtime-worker lease in the browser, an ORT session in Node)
 * together with the manifest contract it was checked against.
 */
import type { ModelRunner } from '../../pocket/guided-sampling.ts';
import type { IoContract, ModelEntry, ModelFile } from '../../runtime/model-entry.ts';
import { dimensionOverrides } from './config.ts';

export interface SdComponent {
  /** The file's contract from models/manifest.json (the session was checked against it). */
  readonly io: IoContract;
  readonly run: ModelRunner;
}

export interface SdComponents {
  textEncoder: SdComponent;
  unet: SdComponent;
  vaeDecoder: SdComponent;
  /** TAESD's decoder, for cheap per-step previews; without it previews go through the VAE decoder. */
  taesd?: SdComponent;
}

/** The manifest roles of a Stable Diffusion entry. */
export const SD_ROLES = { textEncoder: 'text_encoder', unet: 'unet', vaeDecoder: 'vae_decoder' } as const;
/** TAESD's entry has one file, role vae_decoder. */
export const TAESD_ROLE = 'vae_decoder';

export function fileOf(entry: ModelEntry, role: string): ModelFile {
  const file = entry.files.find((f) => f.role === role);
  if (!file)
    throw new Error(
      `${entry.id} has no file "${role}" in the manifest (it has ${entry.files.map((f) => f.role).join(', ')}).`,
    );
  return file;
}

/**
 * Opens one file as a component: loads its bytes, creates the session (with these fixed sizes for
 * symbolic dimensions, if any), checks the contract.
 */
export type OpenComponent = (
  entry: ModelEntry,
  file: ModelFile,
  freeDimensionOverrides?: Record<string, number>,
) => Promise<SdComponent>;

/**
 * Every component of an SD entry (and TAESD when its entry is given), opened one after another,
 * with the dimension overrides of ./config.ts for `latentSize` (SD-Turbo only; SD 1.5 is fixed at 64).
 */
export async function openSdComponents(
  entry: ModelEntry,
  open: OpenComponent,
  taesd?: ModelEntry,
  latentSize = 64,
): Promise<SdComponents> {
  const openRole = (e: ModelEntry, role: string) =>
    open(e, fileOf(e, role), dimensionOverrides(e.id, role, latentSize));
  const textEncoder = await openRole(entry, SD_ROLES.textEncoder);
  const unet = await openRole(entry, SD_ROLES.unet);
  const vaeDecoder = await openRole(entry, SD_ROLES.vaeDecoder);
  const preview = taesd ? await openRole(taesd, TAESD_ROLE) : undefined;
  return { textEncoder, unet, vaeDecoder, ...(preview ? { taesd: preview } : {}) };
}
