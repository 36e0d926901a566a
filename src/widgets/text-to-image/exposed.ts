/**
 * The text → image widget's state, readable from outside the widget: by exercises and scripts
 * (a `dsbs:widget-state` event and a `data-state` JSON attribute on the widget's root element) and by
 * tests and the benchmark (`window.dsbsTextToImage`, which can also return image pixels).
 */
import { modelOutputToBytes } from '../../lib/pocket/guided-sampling';
import { IMAGE_LENGTH, type TextToImageRun } from '../../lib/pocket/text-to-image';

export interface TextToImageSnapshot {
  caption: string;
  seed: number;
  samples: number;
  steps: number;
  sampler: string;
  w: number;
  /** Scrubber position (steps taken). */
  scrub: number;
  stepsDone: number;
  /** Every visible run (original, and the branch if any) is complete. */
  done: boolean;
  computing: boolean;
  /** UNet calls and images evaluated by the original run. */
  modelCalls: number;
  imageEvaluations: number;
  /** UNet timesteps (0-based schedule indices) visited, step 0 first. */
  timesteps: number[];
  /** Wall time of each step of the original run, ms (null: not computed). */
  stepMs: (number | null)[];
  branch: { step: number; w: number; caption: string; stepsDone: number; done: boolean } | null;
  error: string | null;
}

interface Runs {
  main: TextToImageRun | null;
  branch: TextToImageRun | null;
}

export interface TextToImageHandle {
  snapshot(): TextToImageSnapshot;
  /** 8-bit CHW bytes of every sample, x after `step` steps ('x') or x̂₀ at that step ('x0'); null if not computed. */
  imageBytes(which: 'main' | 'branch', kind: 'x' | 'x0', step: number): number[][] | null;
}

declare global {
  interface Window {
    dsbsTextToImage?: TextToImageHandle;
  }
}

export function publishState(element: HTMLElement, snapshot: TextToImageSnapshot, runs: Runs): void {
  const json = JSON.stringify(snapshot);
  if (element.dataset.state === json) return;
  element.dataset.state = json;
  element.dispatchEvent(new CustomEvent('dsbs:widget-state', { detail: snapshot, bubbles: true }));
  window.dsbsTextToImage = {
    snapshot: () => snapshot,
    imageBytes(which, kind, step) {
      const run = runs[which];
      const batch = kind === 'x' ? run?.states[step] : run?.predictions[step];
      if (batch === undefined) return null;
      const count = batch.length / IMAGE_LENGTH;
      return Array.from({ length: count }, (_, i) =>
        Array.from(modelOutputToBytes(batch.subarray(i * IMAGE_LENGTH, (i + 1) * IMAGE_LENGTH))),
      );
    },
  };
}
