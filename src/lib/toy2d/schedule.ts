/**
 * The noise schedule of the 2-D toy: diffusers' default (linear β from 1e-4 to 0.02 over
 * T = 1000 training steps, Ho et al. 2020 §4), the same one the DDPM and DDIM samplers use.
 */
import { createSchedule, DEFAULT_SCHEDULE_OPTIONS } from '../schedules';

export const TOY_SCHEDULE_OPTIONS = DEFAULT_SCHEDULE_OPTIONS;
export const toySchedule = createSchedule({ ...TOY_SCHEDULE_OPTIONS });
export const TRAIN_TIMESTEPS = toySchedule.numTrainTimesteps;

/** ᾱ at training timestep index t (diffusers indexing); 1 for t < 0 (the clean data). */
export function alphaBarAt(t: number): number {
  if (t < 0) return 1;
  return toySchedule.alphasCumprod[Math.min(TRAIN_TIMESTEPS - 1, Math.floor(t))]!;
}
