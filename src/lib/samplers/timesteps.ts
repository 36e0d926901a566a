/**
 * Which training timesteps a sampler visits with fewer inference steps, computed exactly as
 * diffusers' `set_timesteps` does (its numpy semantics included: `np.round` rounds half to even,
 * `np.arange` with a float step has ⌈(stop−start)/step⌉ elements start + i·step).
 * See Lin et al. 2024, Table 2, for why the spacing matters ('trailing' reaches t = T).
 */
import { linspace } from '../schedules.ts';
import { assertInteger, assertOneOf } from '../options.ts';

export const TIMESTEP_SPACINGS = ['leading', 'trailing', 'linspace'] as const;
export type TimestepSpacing = (typeof TIMESTEP_SPACINGS)[number];

/** numpy's round(): to nearest, ties to even. */
export function roundHalfEven(x: number): number {
  const nearest = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return nearest;
}

/** numpy's arange(start, stop, step) for any non-zero step. */
export function numpyArange(start: number, stop: number, step: number): number[] {
  if (step === 0) throw new Error('arange: step must not be 0.');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return Array.from({ length }, (_, i) => start + i * step);
}

function checkCounts(numTrainTimesteps: number, numInferenceSteps: number, stepsOffset: number): void {
  assertInteger('numTrainTimesteps', numTrainTimesteps, 1);
  // diffusers raises when num_inference_steps > num_train_timesteps.
  assertInteger('numInferenceSteps', numInferenceSteps, 1, numTrainTimesteps);
  assertInteger('stepsOffset', stepsOffset, 0, numTrainTimesteps - 1);
}

/**
 * Integer timesteps, descending, as DDPMScheduler/DDIMScheduler.set_timesteps computes them:
 *  - 'leading':  k·⌊T/n⌋ for k = n−1…0, then + stepsOffset (e.g. T=1000, n=50, offset 1 → 981, 961, …, 1);
 *  - 'trailing': round(T − k·T/n) − 1 for the ⌈T/(T/n)⌉ values of np.arange(T, 0, −T/n) (999, 979, …, 19);
 *  - 'linspace': round(linspace(0, T−1, n)) reversed (999, 979, …, 0 for n = 50 up to rounding).
 * stepsOffset applies to 'leading' only, as in diffusers.
 * Quirk kept from diffusers: for some n (e.g. 61 with T = 1000) float rounding in np.arange makes
 * 'trailing' return n+1 values ending in −1.
 */
export function discreteTimesteps(
  numTrainTimesteps: number,
  numInferenceSteps: number,
  spacing: TimestepSpacing,
  stepsOffset = 0,
): number[] {
  checkCounts(numTrainTimesteps, numInferenceSteps, stepsOffset);
  switch (assertOneOf('timestepSpacing', spacing, TIMESTEP_SPACINGS)) {
    case 'leading': {
      const ratio = Math.floor(numTrainTimesteps / numInferenceSteps);
      return Array.from({ length: numInferenceSteps }, (_, i) => (numInferenceSteps - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing': {
      const ratio = numTrainTimesteps / numInferenceSteps;
      return numpyArange(numTrainTimesteps, 0, -ratio).map((t) => roundHalfEven(t) - 1);
    }
    case 'linspace':
      return Array.from(linspace(0, numTrainTimesteps - 1, numInferenceSteps), roundHalfEven).reverse();
  }
}

/**
 * Timesteps of EulerDiscreteScheduler / EulerAncestralDiscreteScheduler.set_timesteps: float32
 * values, descending. 'linspace' is NOT rounded (e.g. 999, 978.6122…, …); 'leading' and
 * 'trailing' equal the integer lists of `discreteTimesteps`.
 */
export function eulerTimesteps(
  numTrainTimesteps: number,
  numInferenceSteps: number,
  spacing: TimestepSpacing,
  stepsOffset = 0,
): number[] {
  checkCounts(numTrainTimesteps, numInferenceSteps, stepsOffset);
  if (assertOneOf('timestepSpacing', spacing, TIMESTEP_SPACINGS) === 'linspace') {
    return Array.from(linspace(0, numTrainTimesteps - 1, numInferenceSteps), Math.fround).reverse();
  }
  return discreteTimesteps(numTrainTimesteps, numInferenceSteps, spacing, stepsOffset);
}

export const INVERSE_TIMESTEP_SPACINGS = ['leading', 'trailing'] as const;
export type InverseTimestepSpacing = (typeof INVERSE_TIMESTEP_SPACINGS)[number];

/** DDIMInverseScheduler.set_timesteps: the forward ('leading' or 'trailing') list in ascending order. */
export function inverseTimesteps(
  numTrainTimesteps: number,
  numInferenceSteps: number,
  spacing: InverseTimestepSpacing,
  stepsOffset = 0,
): number[] {
  const valid = assertOneOf('timestepSpacing', spacing, INVERSE_TIMESTEP_SPACINGS);
  return discreteTimesteps(numTrainTimesteps, numInferenceSteps, valid, stepsOffset).reverse();
}
