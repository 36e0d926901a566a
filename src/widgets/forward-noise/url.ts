/** URL state of the forward-noise scrubber (prefix `fn.`); the reader's image is never in the URL. */
import { BETA_SCHEDULES } from '../../lib/schedules';
import { defineUrlState, int, oneOf } from '../../lib/url-state';

export const MIN_T = 2;
export const MAX_T = 4000;
export const MAX_SEED = 99_999;

export const forwardNoiseUrl = defineUrlState(
  'fn',
  {
    T: int({ min: MIN_T, max: MAX_T, default: 1000 }),
    // Paper timestep: 0 is the clean image, T is the end of the chain.
    t: int({ min: 0, max: MAX_T, default: 250 }),
    schedule: oneOf(BETA_SCHEDULES, 'linear'),
    seed: int({ min: 0, max: MAX_SEED, default: 1 }),
  },
  (state) => ({ ...state, t: Math.min(state.t, state.T) }),
);
