/** Shared by the SD pipeline tests: the manifest entries, stand-ins built from them, a stand-in CLIP tokenizer. */
import { readFileSync } from 'node:fs';
import { changeContract, standinKind, standinModel } from '../../../models/standins/sd-standins';
import { clipStandinTokenizer } from '../../../models/standins/tokenizers';
import { openSdComponents, type SdComponents, type Tokenize } from '../../../src/lib/pipelines/stable-diffusion';
import { disposeAll, ortOpener, type OrtComponent } from '../../../src/lib/pipelines/stable-diffusion/node-sessions';
import { ClipTokenizer } from '../../../src/lib/pipelines/tokenizers/clip';
import { parseManifest, type IoContract, type ModelEntry, type ModelFile } from '../../../src/lib/runtime/manifest';

export const entries = parseManifest(
  JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8')),
);

export function entry(id: string): ModelEntry {
  const e = entries.get(id);
  if (!e) throw new Error(`no manifest entry ${id}`);
  return e;
}

/** Stand-in bytes for a file, optionally built from a changed contract (a wrong stand-in). */
export function standinBytes(e: ModelEntry, file: ModelFile, io: IoContract = file.io): Uint8Array {
  return standinModel(standinKind(e.id, file.role), io, 101 + 17 * e.files.indexOf(file));
}

export type Change = {
  role: string;
  side: 'inputs' | 'outputs';
  name: string;
  to: Parameters<typeof changeContract>[3];
};

/** Opens the stand-ins of an entry (plus TAESD's); `change` builds some files from a changed contract. */
export async function openStandins(
  id: string,
  options: { taesd?: boolean; change?: Change | Change[]; latentSize?: number } = {},
): Promise<{ components: SdComponents; close: () => Promise<void> }> {
  const opened: OrtComponent[] = [];
  const changes = options.change === undefined ? [] : Array.isArray(options.change) ? options.change : [options.change];
  const contractFor = (e: ModelEntry, file: ModelFile): IoContract =>
    changes
      .filter((c) => e.id === id && c.role === file.role)
      .reduce((io, c) => changeContract(io, c.side, c.name, c.to), file.io);
  const open = ortOpener(async (e, file) => standinBytes(e, file, contractFor(e, file)), opened);
  try {
    const components = await openSdComponents(
      entry(id),
      open,
      options.taesd ? entry('taesd') : undefined,
      options.latentSize,
    );
    return { components, close: () => disposeAll(opened) };
  } catch (error) {
    await disposeAll(opened);
    throw error;
  }
}

const files = clipStandinTokenizer();

/** The stand-in CLIP tokenizer padding with `padToken` ("!" for SD-Turbo/SD 2.x, EOS for SD 1.5). */
export function standinTokenize(padToken: '!' | '<|endoftext|>'): { tokenize: Tokenize; tokenizer: ClipTokenizer } {
  const tokenizer = ClipTokenizer.from(files.tokenizer, { config: { ...files.config, pad_token: padToken } });
  return { tokenizer, tokenize: (text) => tokenizer.encode(text).ids };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
