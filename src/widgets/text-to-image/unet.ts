/**
 * The pocket text-to-image UNet through the page's shared runtime worker: backend choice from the
 * manifest's needs, a lease on the shared session (key `shapes-unet`), and a `ModelRunner` over it.
 */
import unetUrl from '../../../models/pocket/shapes-unet.onnx?url';
import manifest from '../../../models/manifest.json';
import type { ModelRunner } from '../../lib/pocket/guided-sampling';
import type { BackendChoice, ModelFeature } from '../../lib/runtime/backend-choice';
import type { Backend } from '../../lib/runtime/ort';
import type { SessionLease } from '../../lib/runtime/worker/client';
import { chooseFor, pageRuntime } from '../../lib/runtime/worker/page-runtime';

const entry = manifest.models['shapes-unet'];
export const UNET_MEGABYTES = entry.bytes / 1e6;

export function chooseUnetBackend(): Promise<BackendChoice> {
  return chooseFor({ requiredFeatures: entry.requiredFeatures as ModelFeature[] });
}

async function download(cache: RequestCache): Promise<Uint8Array> {
  const response = await fetch(unetUrl, { cache });
  if (!response.ok) throw new Error(`Could not download the model (HTTP ${response.status}).`);
  return new Uint8Array(await response.arrayBuffer());
}

async function loadUnet(): Promise<Uint8Array> {
  try {
    return await download('default');
  } catch (error) {
    // Chromium can fail one of two simultaneous downloads of the same file into its cache
    // (net::ERR_CACHE_WRITE_FAILURE); one retry past the cache settles it. HTTP errors are final.
    if (!(error instanceof TypeError)) throw error;
    try {
      return await download('no-store');
    } catch (again) {
      throw new Error(`Could not download the model: ${again instanceof Error ? again.message : String(again)}.`);
    }
  }
}

export async function acquireUnet(backend: Backend): Promise<SessionLease> {
  const { client } = await pageRuntime();
  return client.acquire('shapes-unet', {
    backend,
    modelName: 'shapes-unet',
    contract: { inputs: entry.inputs, outputs: entry.outputs },
    load: loadUnet,
  });
}

export function leaseRunner(lease: SessionLease): ModelRunner {
  return async (feeds) => (await lease.run(feeds)).outputs;
}
