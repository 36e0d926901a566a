/** URL state of the classifier-guidance widget (prefix `cg.`), validated and clamped by url-state. */
import { POCKET_SAMPLERS } from '../../lib/pocket/sampling-run';
import { vocabulary } from '../../lib/shapes-world/vocabulary';
import { defineUrlState, int, num, oneOf } from '../../lib/url-state';

export const MIN_STEPS = 5;
export const MAX_STEPS = 100;
export const MAX_SCALE = 20;
export const SAMPLE_COUNTS = [1, 4, 9] as const;
export const VIEWS = ['x', 'x0'] as const;
export type View = (typeof VIEWS)[number];

/** 1, 4 or 9 samples (a square grid); anything else snaps to the nearest. */
function squareCount(n: number): number {
  return SAMPLE_COUNTS.reduce((best, c) => (Math.abs(c - n) < Math.abs(best - n) ? c : best), 4);
}

export const classifierGuidanceUrl = defineUrlState(
  'cg',
  {
    colour: int({ min: 0, max: vocabulary.colours.length - 1, default: 0 }),
    shape: int({ min: 0, max: vocabulary.shapes.length - 1, default: 0 }),
    s: num({ min: 0, max: MAX_SCALE, default: 5, digits: 2 }),
    sampler: oneOf(POCKET_SAMPLERS, 'ddim'),
    steps: int({ min: MIN_STEPS, max: MAX_STEPS, default: 25 }),
    seed: int({ min: 0, max: 99_999, default: 1 }),
    n: int({ min: 1, max: 9, default: 4 }),
    step: int({ min: 0, max: MAX_STEPS, default: MAX_STEPS }),
    view: oneOf(VIEWS, 'x'),
  },
  (state) => ({ ...state, n: squareCount(state.n), step: Math.min(state.step, state.steps) }),
);
