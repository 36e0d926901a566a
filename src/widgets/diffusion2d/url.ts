/** URL state of the 2-D diffusion widget (prefix `d2.`), validated and clamped by url-state. */
import { DATASET_NAMES } from '../../lib/toy2d/datasets';
import { defineUrlState, int, oneOf } from '../../lib/url-state';

export const MIN_STEPS = 10;
export const MAX_STEPS = 1000;
export const MIN_PARTICLES = 100;
export const MAX_PARTICLES = 4000;
export const DEFAULT_PARTICLES = 2000;
export const VIEWS = ['reverse', 'forward'] as const;
export type View = (typeof VIEWS)[number];

export const diffusion2dUrl = defineUrlState(
  'd2',
  {
    dataset: oneOf(DATASET_NAMES, 'moons'),
    steps: int({ min: MIN_STEPS, max: MAX_STEPS, default: 50 }),
    seed: int({ min: 0, max: 99_999, default: 1 }),
    step: int({ min: 0, max: MAX_STEPS, default: 0 }),
    particles: int({ min: MIN_PARTICLES, max: MAX_PARTICLES, default: DEFAULT_PARTICLES }),
    view: oneOf(VIEWS, 'reverse'),
  },
  (state) => ({ ...state, step: Math.min(state.step, state.steps) }),
);
