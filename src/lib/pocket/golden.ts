/**
 * Replaying a golden file (./fixtures.ts): the project's own DDIM sampler and guidance over the
 * ONNX model(s), from the stored initial and per-step noise, compared with the PyTorch reference
 * sampler's result. The bar: max |TS − PyTorch| ≤ 1e-4 and no 8-bit pixel differs.
 *
 * One case the float bound cannot decide: a value PyTorch left within 1e-4 of a rounding boundary
 * ((x + 1)·127.5 within 1e-4·127.5 of k + ½) may round either way under an agreement of 1e-4. Such a
 * byte may differ by exactly 1 and is counted separately (`boundaryBytes`); any other differing
 * byte fails the case.
 */
import { createSampler } from '../samplers/index.ts';
import {
  maxAbsDifference,
  parityDifferences,
  type GoldenCase,
  type GoldenFixture,
  type OutputDifference,
  type ParityFixture,
} from './fixtures.ts';
import {
  classifierFreeGuidance,
  classifierGuidance,
  modelOutputToBytes,
  sampleAsync,
  type GuidedEpsilon,
  type ModelRunner,
} from './guided-sampling.ts';

export const GOLDEN_TOLERANCE = 1e-4;
export const PARITY_TOLERANCE = 1e-4;

/**
 * Parity bound for one output: 1e-4, relative to the output's magnitude once that exceeds 1.
 * A classifier's logits reach tens, where float32 accumulation order alone moves the last digits
 * by more than 1e-4; ε and pixel outputs are of order 1, where this is the plain 1e-4.
 */
export function parityTolerance(referenceMaxAbs: number): number {
  return PARITY_TOLERANCE * Math.max(1, referenceMaxAbs);
}

/** The runner for an ONNX file named in a fixture (e.g. `shapes-unet.onnx`). */
export type ModelResolver = (modelFile: string) => ModelRunner | Promise<ModelRunner>;

export interface GoldenResult {
  /** src/lib's result over the ONNX model. */
  x0: Float32Array;
  /** max |x0 − PyTorch's x0|. */
  maxAbsDiff: number;
  /** Image cases: how many 8-bit values (channel-wise) differ from PyTorch's image; null otherwise. */
  differingBytes: number | null;
  /** Of those, values PyTorch left within the tolerance of a rounding boundary, differing by exactly 1. */
  boundaryBytes: number | null;
  /** Within GOLDEN_TOLERANCE and, for images, no differing byte. */
  pass: boolean;
}

/** The DDIM sampler the reference used, built with the factory the widgets use. */
export function goldenSampler(fixture: GoldenFixture, goldenCase: GoldenCase) {
  const { schedule, sampler: config } = fixture;
  const sampler = createSampler('ddim', {
    ...schedule,
    eta: goldenCase.eta,
    timestepSpacing: config.timestepSpacing,
    stepsOffset: config.stepsOffset,
    clipSample: config.clipSample,
    clipSampleRange: config.clipSampleRange,
    setAlphaToOne: config.setAlphaToOne,
    useClippedModelOutput: config.useClippedModelOutput,
    predictionType: config.predictionType,
  });
  sampler.setTimesteps(goldenCase.numInferenceSteps);
  if (goldenCase.timesteps !== undefined && goldenCase.timesteps.join() !== sampler.timesteps.join()) {
    throw new Error(
      `${goldenCase.prefix}: src/lib visits timesteps [${sampler.timesteps.join(', ')}], the reference [${goldenCase.timesteps.join(', ')}].`,
    );
  }
  return sampler;
}

async function guidedEpsilon(
  fixture: GoldenFixture,
  goldenCase: GoldenCase,
  models: ModelResolver,
  alphasCumprod: ArrayLike<number>,
): Promise<GuidedEpsilon> {
  const model = await models(fixture.model);
  switch (goldenCase.kind) {
    case 'text-cfg':
      return classifierFreeGuidance(model, {
        itemShape: goldenCase.itemShape,
        conditionInput: 'tokens',
        condition: goldenCase.conditionTokens,
        nullCondition: goldenCase.nullTokens,
        weight: goldenCase.w,
      });
    case 'class-cfg':
      return classifierFreeGuidance(model, {
        itemShape: goldenCase.itemShape,
        conditionInput: 'label',
        condition: Int32Array.of(goldenCase.label),
        nullCondition: Int32Array.of(goldenCase.nullLabel),
        weight: goldenCase.w,
      });
    case 'classifier':
      return classifierGuidance(await models(fixture.unet!), model, {
        y: goldenCase.y,
        scale: goldenCase.scale,
        alphasCumprod,
        nullTokens: goldenCase.nullTokens,
        itemShape: goldenCase.itemShape,
      });
  }
}

/** Whether rounding the model-space value x to 8 bits is undecidable at GOLDEN_TOLERANCE. */
export function nearRoundingBoundary(x: number): boolean {
  const v = (Math.min(1, Math.max(-1, x)) + 1) * 127.5;
  return Math.abs(v - Math.floor(v) - 0.5) <= GOLDEN_TOLERANCE * 127.5;
}

/** Runs one golden case through src/lib over the model(s) and compares with the reference. */
export async function replayGoldenCase(
  fixture: GoldenFixture,
  goldenCase: GoldenCase,
  models: ModelResolver,
): Promise<GoldenResult> {
  const sampler = goldenSampler(fixture, goldenCase);
  const epsilon = await guidedEpsilon(fixture, goldenCase, models, sampler.schedule.alphasCumprod);
  const { noise } = goldenCase;
  const x0 = await sampleAsync(sampler, epsilon, goldenCase.xT, {
    stepNoise:
      noise === undefined
        ? undefined
        : (stepIndex, length) => {
            if (length !== goldenCase.xT.length)
              throw new Error(
                `${goldenCase.prefix}: noise requested for length ${length}, stored for ${goldenCase.xT.length}.`,
              );
            return noise.subarray(stepIndex * length, (stepIndex + 1) * length);
          },
  });
  const maxAbsDiff = maxAbsDifference(x0, goldenCase.x0);
  let differingBytes: number | null = null;
  let boundaryBytes: number | null = null;
  if (goldenCase.image !== undefined) {
    const bytes = modelOutputToBytes(x0);
    differingBytes = 0;
    boundaryBytes = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === goldenCase.image[i]) continue;
      differingBytes++;
      if (Math.abs(bytes[i]! - goldenCase.image[i]!) === 1 && nearRoundingBoundary(goldenCase.x0[i]!)) boundaryBytes++;
    }
  }
  const bytesAgree = (differingBytes ?? 0) === (boundaryBytes ?? 0);
  return { x0, maxAbsDiff, differingBytes, boundaryBytes, pass: maxAbsDiff <= GOLDEN_TOLERANCE && bytesAgree };
}

export interface ParityResult {
  differences: OutputDifference[];
  pass: boolean;
}

/** Runs a parity fixture's inputs through the model and compares every output with PyTorch's. */
export async function checkParity(fixture: ParityFixture, model: ModelRunner): Promise<ParityResult> {
  const differences = parityDifferences(fixture, await model(fixture.inputs));
  return { differences, pass: differences.every((d) => d.maxAbsDiff <= parityTolerance(d.referenceMaxAbs)) };
}
