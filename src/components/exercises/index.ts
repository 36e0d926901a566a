/**
 * Exercises for chapters. In MDX:
 *
 *   import { Exercises, Exercise, Hint, Solution, Choice } from '../../src/components/exercises';
 *   <Exercises chapter="ddpm">
 *   <Exercise id="ddpm-x" title="…" type="numeric" answer={0.5} tolerance={0.01}> … <Hint>…</Hint> <Solution>…</Solution> </Exercise>
 *   <Exercise id="ddpm-y" title="…" type="choice" answer="b"> … <Choice value="a">…</Choice> <Choice value="b">…</Choice> … </Exercise>
 *   <Exercise id="ddpm-z" title="…" type="derivation"> … <Hint>…</Hint> <Solution>…</Solution> </Exercise>
 *   </Exercises>
 *
 * Rules (checked at build time, with the exercise id in the error):
 * - `id` is kebab-case, unique on the page, and never renamed once published (progress is keyed on it).
 * - numeric: finite `answer`; `tolerance` (absolute) and `relTolerance` (fraction of |answer|) are
 *   optional, non-negative, and an answer passes if it is within either. Accepted input forms are
 *   listed in src/lib/exercises/check.ts.
 * - choice: at least two <Choice>s with distinct `value`s; `answer` names one. Options are shown as
 *   (a), (b), … by position, so solutions should refer to them that way.
 * - derivation: no `answer`; needs a <Solution>; the reader marks it done.
 * - At most one <Solution>; any number of <Hint>s, revealed in order.
 * - Put every <Exercise> inside <Exercises>: the chapter slug comes from there.
 */
export { default as Exercises } from './Exercises.astro';
export { default as Exercise } from './Exercise.astro';
export { default as Hint } from './Hint.astro';
export { default as Solution } from './Solution.astro';
export { default as Choice } from './Choice.astro';
