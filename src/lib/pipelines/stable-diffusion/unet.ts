/**
 * The UNet as both SD pipelines call it. Its contract (input and output names, float types) is read
 * once; at every step the latent is repeated over `rows` — 1: the prompt alone; 2: [unconditional,
 * conditional] — with the integer timestep per row and the text context, and two rows are combined
 * by classifier-free guidance, ε̃ = (1 + w)·ε_c − w·ε_u (Ho & Salimans 2022, eq. 6).
 */
import { guideWithWeight } from '../../guidance.ts';
import type { TensorData } from '../../runtime/ort.ts';
import type { SdComponent } from './components.ts';
import type { GuidedPrediction } from './denoise.ts';
import { floatDType, floatFeed, floatValues, int64Feed, repeat, tensorSpec, type FloatDType } from './tensors.ts';

const SAMPLE = 'sample';
const TIMESTEP = 'timestep';
const CONTEXT = 'encoder_hidden_states';
const OUT = 'out_sample';

export interface UnetContract {
  sampleType: FloatDType;
  contextType: FloatDType;
  /** The declared batch of `sample` (a number for fixed-batch exports, a name when symbolic). */
  batch: number | string;
}

/** Checks the names the pipelines feed and read; throws naming the one that is missing. */
export function unetContract(unet: SdComponent): UnetContract {
  const sample = tensorSpec(unet.io, 'inputs', SAMPLE, 'The UNet');
  tensorSpec(unet.io, 'inputs', TIMESTEP, 'The UNet');
  tensorSpec(unet.io, 'outputs', OUT, 'The UNet');
  return {
    sampleType: floatDType(sample, SAMPLE),
    contextType: floatDType(tensorSpec(unet.io, 'inputs', CONTEXT, 'The UNet'), CONTEXT),
    batch: sample.shape[0]!,
  };
}

/** The `predict` of denoise(): one UNet call per step, guided when `rows` is 2. */
export function unetPredictor(
  unet: SdComponent,
  setting: {
    rows: 1 | 2;
    latentDims: readonly [number, number, number];
    context: TensorData;
    weight: number;
    sampleType: FloatDType;
  },
): (modelInput: Float32Array, modelTimestep: number) => Promise<GuidedPrediction> {
  const { rows, latentDims, context, weight, sampleType } = setting;
  const latentLength = latentDims[0] * latentDims[1] * latentDims[2];
  return async (modelInput, modelTimestep) => {
    const out = await unet.run({
      [SAMPLE]: floatFeed(repeat(modelInput, rows), [rows, ...latentDims], sampleType),
      [TIMESTEP]: int64Feed(new Array<number>(rows).fill(modelTimestep)),
      [CONTEXT]: context,
    });
    const eps = floatValues(out[OUT], OUT);
    if (eps.length !== rows * latentLength)
      throw new Error(`The UNet returned ${eps.length} values; expected ${rows * latentLength}.`);
    if (rows === 1) return { epsilon: eps.slice() };
    const uncond = eps.slice(0, latentLength);
    const cond = eps.slice(latentLength);
    return { epsilon: guideWithWeight(cond, uncond, weight), conditional: cond, unconditional: uncond };
  };
}
