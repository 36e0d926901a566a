import { describe, expect, it } from 'vitest';
import { diffusion2dUrl } from '../../../src/widgets/diffusion2d/url';

describe('d2. URL state', () => {
  it('reads a complete state and writes it back unchanged', () => {
    const query = '?d2.dataset=spiral&d2.steps=100&d2.seed=7&d2.step=30&d2.particles=500&d2.view=forward';
    const state = diffusion2dUrl.read(query);
    expect(state).toEqual({ dataset: 'spiral', steps: 100, seed: 7, step: 30, particles: 500, view: 'forward' });
    expect(diffusion2dUrl.read(diffusion2dUrl.write(state, '?other=1'))).toEqual(state);
    expect(diffusion2dUrl.write(state, '?other=1')).toContain('other=1');
  });

  it('turns garbage into defaults and clamps numbers', () => {
    const defaults = diffusion2dUrl.defaults();
    expect(diffusion2dUrl.read('?d2.dataset=%3Cscript%3E&d2.steps=NaN&d2.seed=abc&d2.view=sideways')).toEqual(defaults);
    const clamped = diffusion2dUrl.read('?d2.steps=-5&d2.particles=1e9&d2.seed=-3');
    expect(clamped.steps).toBe(10);
    expect(clamped.particles).toBe(4000);
    expect(clamped.seed).toBe(0);
  });

  it('never lets the step index pass the step count', () => {
    expect(diffusion2dUrl.read('?d2.steps=20&d2.step=500').step).toBe(20);
    expect(diffusion2dUrl.sanitize({ ...diffusion2dUrl.defaults(), steps: 10, step: 999 }).step).toBe(10);
  });
});
