import { describe, expect, it } from 'vitest';
import {
  discreteTimesteps,
  eulerTimesteps,
  inverseTimesteps,
  numpyArange,
  roundHalfEven,
} from '../../../src/lib/samplers/timesteps.ts';

const range = (count: number, first: number, step: number) => Array.from({ length: count }, (_, k) => first + k * step);

describe('numpy helpers', () => {
  it('roundHalfEven rounds ties to even like np.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 937.5, 812.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, -0, -2, 938, 812, 2, 3,
    ]);
  });
  it('numpyArange has ⌈(stop − start)/step⌉ elements', () => {
    expect(numpyArange(10, 0, -2.5)).toEqual([10, 7.5, 5, 2.5]);
    expect(numpyArange(0, 5, 1)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('discreteTimesteps (DDPMScheduler / DDIMScheduler.set_timesteps)', () => {
  it("'leading' with steps_offset=1, T=1000, 50 steps: 981, 961, …, 1 (Stable Diffusion's DDIM setting)", () => {
    expect(discreteTimesteps(1000, 50, 'leading', 1)).toEqual(range(50, 981, -20));
  });

  it("'leading' without offset: k·⌊T/n⌋ descending", () => {
    expect(discreteTimesteps(1000, 50, 'leading')).toEqual(range(50, 980, -20));
    expect(discreteTimesteps(1000, 3, 'leading')).toEqual([666, 333, 0]);
  });

  // Lin et al. 2024, Table 2 (T = 1000, 10 sampling steps; the paper counts t from 1, diffusers from 0).
  it('reproduces Lin et al. 2024 Table 2 for 10 steps', () => {
    expect(discreteTimesteps(1000, 10, 'linspace')).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    expect(discreteTimesteps(1000, 10, 'leading')).toEqual(range(10, 900, -100));
    expect(discreteTimesteps(1000, 10, 'trailing')).toEqual(range(10, 999, -100));
  });

  it("'trailing' for 50 steps: 999, 979, …, 19", () => {
    expect(discreteTimesteps(1000, 50, 'trailing')).toEqual(range(50, 999, -20));
  });

  it("'trailing' rounds ties to even (T/n = 62.5 for 16 steps)", () => {
    // np.arange(1000, 0, −62.5) = 1000, 937.5, 875, …, 62.5 → np.round → −1.
    const expected = range(16, 1000, -62.5).map((v) => {
      const floor = Math.floor(v);
      const rounded = v - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(v);
      return rounded - 1;
    });
    expect(discreteTimesteps(1000, 16, 'trailing')).toEqual(expected);
    expect(expected.slice(0, 4)).toEqual([999, 937, 874, 811]);
  });

  it("'linspace' for 50 steps rounds linspace(0, 999, 50)", () => {
    const ts = discreteTimesteps(1000, 50, 'linspace');
    expect(ts[0]).toBe(999);
    expect(ts[49]).toBe(0);
    expect(ts[1]).toBe(979); // 999·48/49 = 978.61…
  });

  it('1000 steps visit every timestep', () => {
    for (const spacing of ['leading', 'trailing', 'linspace'] as const) {
      expect(discreteTimesteps(1000, 1000, spacing)).toEqual(range(1000, 999, -1));
    }
  });

  it('rejects invalid input with the valid values', () => {
    expect(() => discreteTimesteps(1000, 50, 'uniform' as never)).toThrow(/'leading', 'trailing', 'linspace'/);
    expect(() => discreteTimesteps(1000, 1001, 'leading')).toThrow(/numInferenceSteps/);
    expect(() => discreteTimesteps(1000, 0, 'leading')).toThrow(/numInferenceSteps/);
  });
});

describe('eulerTimesteps (EulerDiscreteScheduler.set_timesteps)', () => {
  it("'linspace' keeps fractional float32 timesteps from 999 down to 0", () => {
    const ts = eulerTimesteps(1000, 50, 'linspace');
    expect(ts).toHaveLength(50);
    expect(ts[0]).toBe(999);
    expect(ts[49]).toBe(0);
    for (let k = 0; k < 50; k++) expect(ts[k]).toBe(Math.fround((999 * (49 - k)) / 49));
  });

  it("'leading' and 'trailing' are the integer lists", () => {
    expect(eulerTimesteps(1000, 25, 'leading', 1)).toEqual(range(25, 961, -40));
    expect(eulerTimesteps(1000, 25, 'trailing')).toEqual(range(25, 999, -40));
  });
});

describe('inverseTimesteps (DDIMInverseScheduler)', () => {
  it('ascends through the forward list and rejects linspace', () => {
    expect(inverseTimesteps(1000, 50, 'leading', 1)).toEqual(range(50, 1, 20));
    expect(inverseTimesteps(1000, 10, 'trailing')).toEqual(range(10, 99, 100));
    expect(() => inverseTimesteps(1000, 10, 'linspace' as never)).toThrow(/'leading', 'trailing'/);
  });
});
