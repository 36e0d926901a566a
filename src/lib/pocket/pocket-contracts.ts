/**
 * The IO contracts of the pocket models the guidance widgets run (models/train/README.md, "IO
 * contracts"), in the form the runtime checks a fresh session against. Written out here so a widget
 * does not ship the whole manifest; a unit test checks them against the committed files.
 */
import type { ExpectedContract } from '../runtime/contract.ts';

const image = { dtype: 'float32', shape: ['batch', 3, 32, 32] };
const timestep = { dtype: 'float32', shape: ['batch'] };

export const POCKET_CONTRACTS = {
  'mixture2d-mlp': {
    inputs: { x: { dtype: 'float32', shape: ['batch', 2] }, t: timestep, label: { dtype: 'int32', shape: ['batch'] } },
    outputs: { eps: { dtype: 'float32', shape: ['batch', 2] } },
  },
  'shapes-unet': {
    inputs: { x: image, t: timestep, tokens: { dtype: 'int32', shape: ['batch', 16] } },
    outputs: { eps: image },
  },
  'shapes-noisy-classifier-grad': {
    inputs: { x: image, t: timestep, y: { dtype: 'int32', shape: ['batch'] } },
    outputs: { logits: { dtype: 'float32', shape: ['batch', 24] }, grad: image },
  },
  'shapes-evaluator': {
    inputs: { x: image },
    outputs: {
      logits: { dtype: 'float32', shape: ['batch', 45] },
      features: { dtype: 'float32', shape: ['batch', 256] },
    },
  },
} as const satisfies Record<string, ExpectedContract>;

export type PocketModelId = keyof typeof POCKET_CONTRACTS;
