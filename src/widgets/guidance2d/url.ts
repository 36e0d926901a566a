/** URL state of the 2-D guidance widget (prefix `g2.`), validated and clamped by url-state. */
import { POCKET_SAMPLERS } from '../../lib/pocket/sampling-run';
import { bool, defineUrlState, int, num, oneOf } from '../../lib/url-state';

export const MIN_STEPS = 10;
export const MAX_STEPS = 200;
export const MIN_PARTICLES = 100;
export const MAX_PARTICLES = 2000;
export const MIN_W = -1;
export const MAX_W = 8;
export const BACKGROUNDS = ['class', 'guided'] as const;
export type Background = (typeof BACKGROUNDS)[number];

export const guidance2dUrl = defineUrlState(
  'g2',
  {
    cls: int({ min: 0, max: 3, default: 1 }),
    w: num({ min: MIN_W, max: MAX_W, default: 3, digits: 2 }),
    sampler: oneOf(POCKET_SAMPLERS, 'ddim'),
    steps: int({ min: MIN_STEPS, max: MAX_STEPS, default: 50 }),
    seed: int({ min: 0, max: 99_999, default: 1 }),
    n: int({ min: MIN_PARTICLES, max: MAX_PARTICLES, default: 600 }),
    step: int({ min: 0, max: MAX_STEPS, default: 50 }),
    compare: bool(true),
    bg: oneOf(BACKGROUNDS, 'guided'),
  },
  (state) => ({ ...state, step: Math.min(state.step, state.steps) }),
);
