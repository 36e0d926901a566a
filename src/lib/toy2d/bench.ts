/**
 * Benchmark of the 2-D toy's reverse process: milliseconds per reverse step (one optimal-denoiser
 * evaluation plus one sampler step) for a cloud of particles, measured with performance.now.
 * Runs anywhere (Node, a page, headless Chromium); the widget exposes it as
 * `window.__dsbsBench2d(options)` when its page URL has `?bench`.
 */
import { makeDataset } from './datasets';
import { createReverseRun, initialNoise, type ReverseSamplerName } from './trajectories';

export interface BenchOptions {
  /** Reverse steps to time (default 50). */
  steps?: number;
  /** Particles (default 2000). */
  particles?: number;
  /** Sampler (default 'ddim'). */
  sampler?: ReverseSamplerName;
  /** Untimed steps first so the JIT has compiled the hot loops (default 5). */
  warmupSteps?: number;
}

export interface BenchResult {
  msPerStep: number;
  steps: number;
  particles: number;
  dataPoints: number;
  sampler: ReverseSamplerName;
}

export function benchmarkReverseSteps(options: BenchOptions = {}): BenchResult {
  const steps = Math.max(1, Math.floor(options.steps ?? 50));
  const particles = Math.max(1, Math.floor(options.particles ?? 2000));
  const sampler = options.sampler ?? 'ddim';
  const warmupSteps = Math.max(0, Math.floor(options.warmupSteps ?? 5));
  const data = makeDataset('moons', { seed: 2020 });
  const noise = initialNoise(1, particles);
  const common = { data, initialNoise: noise, seed: 1, recordPredOriginal: false, sampler };
  const warmup = createReverseRun({ ...common, steps: Math.max(1, warmupSteps) });
  for (let i = 0; i < warmupSteps; i++) warmup.advance();
  const run = createReverseRun({ ...common, steps });
  const start = performance.now();
  while (run.advance());
  const elapsed = performance.now() - start;
  return {
    msPerStep: elapsed / run.totalSteps,
    steps: run.totalSteps,
    particles,
    dataPoints: data.length / 2,
    sampler,
  };
}
