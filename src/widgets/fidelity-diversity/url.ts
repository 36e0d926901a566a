/** URL state of the fidelity-versus-diversity widget (prefix `fd.`), validated and clamped by url-state. */
import { W_GRID } from '../../lib/pocket/fidelity-diversity';
import { vocabulary } from '../../lib/shapes-world/vocabulary';
import { defineUrlState, int, num, oneOf } from '../../lib/url-state';

/** The held-out evaluation captions of `npm run models:eval` (every one a held-out combination). */
export const CAPTIONS = [...vocabulary.evaluationCaptions.oneObject, ...vocabulary.evaluationCaptions.twoObjects];
export const MIN_STEPS = 2;
export const MAX_STEPS = 50;
export const MAX_SAMPLES = 16;

/** The chosen weights as a bit mask over W_GRID (bit i ↔ W_GRID[i]). */
export function weightsOf(mask: number): number[] {
  return W_GRID.filter((_, i) => (mask >> i) & 1);
}
export function maskOf(weights: readonly number[]): number {
  let mask = 0;
  W_GRID.forEach((w, i) => {
    if (weights.includes(w)) mask |= 1 << i;
  });
  return mask;
}
const ALL = (1 << W_GRID.length) - 1;
const DEFAULT_MASK = maskOf([0, 1, 3, 7]);

export const fidelityDiversityUrl = defineUrlState('fd', {
  caption: oneOf(CAPTIONS, CAPTIONS[0]!),
  n: int({ min: 2, max: MAX_SAMPLES, default: 9 }),
  steps: int({ min: MIN_STEPS, max: MAX_STEPS, default: 10 }),
  seed: int({ min: 0, max: 99_999, default: 1 }),
  ws: int({ min: 1, max: ALL, default: DEFAULT_MASK }),
  pick: num({ min: 0, max: W_GRID.at(-1)!, default: 3, digits: 2 }),
});
