/** URL state of the schedule explorer (prefix `se.`), validated and clamped by url-state. */
import { BETA_SCHEDULES, type BetaScheduleName } from '../../lib/schedules';
import { defineUrlState, int, oneOf } from '../../lib/url-state';

export const MIN_T = 2;
export const MAX_T = 4000;
export const NO_COMPARISON = 'none';

export const SCHEDULE_LABELS: Record<BetaScheduleName, string> = {
  linear: 'Linear',
  scaled_linear: 'Scaled linear',
  squaredcos_cap_v2: 'Cosine',
};

export const scheduleExplorerUrl = defineUrlState(
  'se',
  {
    T: int({ min: MIN_T, max: MAX_T, default: 1000 }),
    t: int({ min: 1, max: MAX_T, default: 500 }),
    schedule: oneOf(BETA_SCHEDULES, 'linear'),
    compare: oneOf([NO_COMPARISON, ...BETA_SCHEDULES], 'squaredcos_cap_v2'),
  },
  (state) => ({ ...state, t: Math.min(state.t, state.T) }),
);
