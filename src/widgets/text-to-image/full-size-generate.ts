/** One generation of the text → image widget's full-size choice with the SD pipelines in the runtime worker. */
import { fullSizeSettings, TOKENIZER_ROLES, type FullSizeChoice } from '../../lib/full-size-model';
import {
  generateSd15,
  generateSdTurbo,
  openSdComponents,
  type SdResult,
  type SdStep,
} from '../../lib/pipelines/stable-diffusion';
import { releaseAll, workerOpener, type WorkerComponent } from '../../lib/pipelines/stable-diffusion/worker-sessions';
import { ClipTokenizer } from '../../lib/pipelines/tokenizers/clip';
import type { LoadedModel } from '../../lib/runtime/download';
import { pageRuntime } from '../../lib/runtime/worker/page-runtime';

/**
 * One image with the downloaded files, on WebGPU in the runtime worker. Previews of x̂₀ come from
 * the model's own VAE at every step; the sessions are released afterwards.
 */
export async function generateFullSize(
  model: FullSizeChoice,
  loaded: LoadedModel,
  widget: { caption: string; w: number; steps: number; seed: number },
  options: { signal: AbortSignal; onStep: (step: SdStep, total: number) => void },
): Promise<SdResult> {
  const tokenizerJson = loaded.files.get(TOKENIZER_ROLES.tokenizer);
  if (!tokenizerJson) throw new Error(`${loaded.entry.title} has no tokenizer file in the manifest.`);
  const config = loaded.files.get(TOKENIZER_ROLES.config);
  const tokenizer = ClipTokenizer.from(tokenizerJson, config ? { config } : {});
  const tokenize = (text: string) => tokenizer.encode(text).ids;
  const { client } = await pageRuntime();
  const opened: WorkerComponent[] = [];
  try {
    // A copy per session: the bytes are transferred to the worker.
    const components = await openSdComponents(
      loaded.entry,
      workerOpener(client, 'webgpu', async (_entry, file) => loaded.files.get(file.role)!.slice(), opened),
    );
    const settings = { ...fullSizeSettings(model, widget), signal: options.signal, onStep: options.onStep };
    return model === 'sd-turbo'
      ? await generateSdTurbo(components, tokenize, settings)
      : await generateSd15(components, tokenize, settings);
  } finally {
    releaseAll(opened);
  }
}
