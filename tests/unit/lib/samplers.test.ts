import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/lib/rng.ts';
import {
  createSampler,
  ddimInvert,
  DDIMSampler,
  DDPMSampler,
  denoisingLoop,
  dynamicThreshold,
  EulerAncestralSampler,
  EulerSampler,
  runDenoisingLoop,
  type Sampler,
  type SamplerName,
} from '../../../src/lib/samplers/index.ts';
import { ksCritical, ksStatistic, normalCdf, sampleMean, sampleVariance } from './stats.ts';

// ---- Independent reference quantities (not taken from src/lib) -------------------------------
const T = 1000;
const betas = Array.from({ length: T }, (_, i) => 1e-4 + ((0.02 - 1e-4) * i) / (T - 1));
const alphaBars: number[] = [];
betas.reduce((product, beta) => {
  const next = product * (1 - beta);
  alphaBars.push(next);
  return next;
}, 1);
const sigmaOf = (i: number) => Math.sqrt((1 - alphaBars[i]!) / alphaBars[i]!);
/** ᾱ at a possibly fractional timestep: σ linear in t (diffusers' Euler `np.interp`). */
function alphaBarAt(t: number): number {
  const lo = Math.floor(t);
  if (lo === t) return alphaBars[t]!;
  const s = sigmaOf(lo) + (t - lo) * (sigmaOf(lo + 1) - sigmaOf(lo));
  return 1 / (1 + s * s);
}

// Data distribution N(μ, s²). Then x_t ~ N(√ᾱ μ, ᾱ s² + 1 − ᾱ) and the MMSE noise prediction is
// E[ε | x_t] = √(1−ᾱ)(x_t − √ᾱ μ)/(ᾱ s² + 1 − ᾱ) (Gaussian conditioning).
const DATA_MEAN = 0.7;
const DATA_VAR = 0.25;
function exactEpsilon(xt: number, ab: number): number {
  return (Math.sqrt(1 - ab) * (xt - Math.sqrt(ab) * DATA_MEAN)) / (ab * DATA_VAR + 1 - ab);
}
type PredictionType = 'epsilon' | 'sample' | 'v_prediction';
function exactModel(prediction: PredictionType) {
  return (input: Float32Array, t: number) =>
    input.map((xt) => {
      const ab = alphaBarAt(t);
      const eps = exactEpsilon(xt, ab);
      const x0 = (xt - Math.sqrt(1 - ab) * eps) / Math.sqrt(ab);
      if (prediction === 'epsilon') return eps;
      if (prediction === 'sample') return x0;
      return Math.sqrt(ab) * eps - Math.sqrt(1 - ab) * x0;
    });
}

function sampleData(
  sampler: Sampler,
  steps: number,
  prediction: PredictionType,
  n: number,
  seed: number,
): Float32Array {
  sampler.setTimesteps(steps);
  const rng = createRng(seed);
  return runDenoisingLoop(sampler, exactModel(prediction), rng.fork(0).normalArray(n), rng.fork(1));
}

function expectDataDistribution(samples: Float32Array, meanTol: number, varRelTol: number): void {
  const n = samples.length;
  const sd = Math.sqrt(DATA_VAR);
  expect(Math.abs(sampleMean(samples) - DATA_MEAN)).toBeLessThan(meanTol + (4 * sd) / Math.sqrt(n));
  expect(Math.abs(sampleVariance(samples) / DATA_VAR - 1)).toBeLessThan(varRelTol + 4 * Math.sqrt(2 / n));
  expect(ksStatistic(samples, (v) => normalCdf(v, DATA_MEAN, sd))).toBeLessThan(ksCritical(n));
}

describe('full denoising loops on 1-D Gaussian data with the exact ε-predictor', () => {
  const n = 4000;
  // Step counts are high enough that the samplers' own discretisation error (which shrinks the
  // variance: e.g. DDIM with 50 steps gives ≈ 0.89 of the data variance here, DDPM with 100 strided
  // steps ≈ 0.88) stays below the listed tolerance.
  const cases: [string, SamplerName, object, number, PredictionType, number, number][] = [
    // name, sampler, options, steps, prediction, mean tolerance, variance relative tolerance (discretisation)
    ['DDPM, 1000 steps', 'ddpm', { clipSample: false }, 1000, 'epsilon', 0.005, 0.03],
    [
      'DDPM, 1000 steps, fixed_large, v-prediction',
      'ddpm',
      { clipSample: false, varianceType: 'fixed_large', predictionType: 'v_prediction' },
      1000,
      'v_prediction',
      0.005,
      0.03,
    ],
    [
      'DDPM, 500 steps, x₀-prediction, trailing',
      'ddpm',
      { clipSample: false, predictionType: 'sample', timestepSpacing: 'trailing' },
      500,
      'sample',
      0.005,
      0.04,
    ],
    [
      'DDIM η = 0, 250 steps, leading + offset 1',
      'ddim',
      { clipSample: false, stepsOffset: 1 },
      250,
      'epsilon',
      0.005,
      0.04,
    ],
    [
      'DDIM η = 1, 500 steps, trailing',
      'ddim',
      { clipSample: false, eta: 1, timestepSpacing: 'trailing' },
      500,
      'epsilon',
      0.005,
      0.04,
    ],
    [
      'DDIM η = 0, 250 steps, v-prediction, linspace',
      'ddim',
      { clipSample: false, predictionType: 'v_prediction', timestepSpacing: 'linspace' },
      250,
      'v_prediction',
      0.005,
      0.04,
    ],
    ['Euler, 250 steps (linspace)', 'euler', {}, 250, 'epsilon', 0.005, 0.04],
    [
      'Euler, 250 steps, leading, v-prediction',
      'euler',
      { timestepSpacing: 'leading', stepsOffset: 1, predictionType: 'v_prediction' },
      250,
      'v_prediction',
      0.005,
      0.04,
    ],
    ['Euler with churn (Karras Alg. 2), 250 steps', 'euler', { sChurn: 10 }, 250, 'epsilon', 0.005, 0.04],
    ['Euler ancestral, 1000 steps', 'euler-ancestral', {}, 1000, 'epsilon', 0.005, 0.03],
    [
      'Euler ancestral, 500 steps, trailing, v-prediction',
      'euler-ancestral',
      { timestepSpacing: 'trailing', predictionType: 'v_prediction' },
      500,
      'v_prediction',
      0.005,
      0.04,
    ],
  ];
  for (const [name, samplerName, options, steps, prediction, meanTol, varTol] of cases) {
    it(`${name}: samples have the data mean, variance and distribution`, () => {
      const sampler = createSampler(samplerName, options as never);
      expectDataDistribution(sampleData(sampler, steps, prediction, n, 17), meanTol, varTol);
    });
  }

  it('a wrong model (ε of the wrong data) is detected by the same check', () => {
    const sampler = createSampler('ddim', { clipSample: false });
    sampler.setTimesteps(50);
    const wrong = (x: Float32Array, t: number) => exactModel('epsilon')(x, t).map((e) => 0.8 * e);
    const samples = runDenoisingLoop(sampler, wrong, createRng(3).normalArray(2000));
    expect(() => expectDataDistribution(samples, 0.02, 0.05)).toThrow();
  });
});

describe('DDPM step', () => {
  it('equals μ_θ (Ho et al. 2020, eq. 11) + √β̃_t z on the full chain (fixed_small)', () => {
    const ddpm = new DDPMSampler({ clipSample: false });
    const xt = new Float32Array([0.3, -1.2, 2.2]);
    const eps = new Float32Array([0.5, 0.1, -0.7]);
    const z = new Float32Array([1, -0.5, 0.25]);
    for (const t of [999, 500, 10, 1]) {
      const result = ddpm.step(eps, t, xt, z);
      const beta = betas[t]!;
      const tildeBeta = ((1 - alphaBars[t - 1]!) / (1 - alphaBars[t]!)) * beta;
      for (let i = 0; i < 3; i++) {
        const mu = (xt[i]! - (beta / Math.sqrt(1 - alphaBars[t]!)) * eps[i]!) / Math.sqrt(1 - beta);
        expect(result.prevSample[i]).toBeCloseTo(mu + Math.sqrt(tildeBeta) * z[i]!, 5);
      }
    }
  });

  it('adds no noise at t = 0 and returns x̂₀ there', () => {
    const ddpm = new DDPMSampler({ clipSample: false });
    const xt = new Float32Array([0.3, -0.2]);
    const eps = new Float32Array([0.1, 0.4]);
    const r = ddpm.step(eps, 0, xt);
    for (let i = 0; i < 2; i++) {
      const x0 = (xt[i]! - Math.sqrt(1 - alphaBars[0]!) * eps[i]!) / Math.sqrt(alphaBars[0]!);
      expect(r.predOriginalSample[i]).toBeCloseTo(x0, 5);
      expect(r.prevSample[i]).toBeCloseTo(x0, 5);
    }
  });

  it('noise standard deviations: fixed_small = √β̃, fixed_small_log the same, fixed_large = √β', () => {
    const t = 300;
    const tildeBeta = ((1 - alphaBars[t - 1]!) / (1 - alphaBars[t]!)) * betas[t]!;
    expect(new DDPMSampler({ varianceType: 'fixed_small' }).noiseStd(t)).toBeCloseTo(Math.sqrt(tildeBeta), 12);
    expect(new DDPMSampler({ varianceType: 'fixed_small_log' }).noiseStd(t)).toBeCloseTo(Math.sqrt(tildeBeta), 12);
    expect(new DDPMSampler({ varianceType: 'fixed_large' }).noiseStd(t)).toBeCloseTo(Math.sqrt(betas[t]!), 12);
  });

  it('clips x̂₀ to ±clipSampleRange by default (diffusers clip_sample = true)', () => {
    const r = new DDPMSampler({ clipSampleRange: 2 }).step(
      new Float32Array([-30, 30, 0]),
      500,
      new Float32Array([0, 0, 1]),
      new Float32Array(3),
    );
    expect(Array.from(r.predOriginalSample.slice(0, 2))).toEqual([2, -2]);
  });

  it('requires noise for t > 0', () => {
    expect(() => new DDPMSampler().step(new Float32Array(2), 5, new Float32Array(2))).toThrow(/noise/);
  });
});

describe('dynamic thresholding (Saharia et al. 2022)', () => {
  it('per item: s = clamp(quantile(|x|, p), 1, max); x ← clamp(x, −s, s)/s', () => {
    // Item 1: |x| sorted 0.1, 0.5, 2, 3 → p = 1 gives s = 3. Item 2: all |x| ≤ 1 → s = 1 (unchanged).
    const x = new Float32Array([3, -2, 0.5, 0.1, 0.9, -0.3, 0.2, 1]);
    dynamicThreshold(x, 1, 10, 4);
    const expected = [1, -2 / 3, 0.5 / 3, 0.1 / 3, 0.9, -0.3, 0.2, 1];
    expected.forEach((v, i) => expect(x[i]).toBeCloseTo(v, 6));
    // p = 0.5: position 1.5 between 0.5 and 2 → s = 1.25; sampleMaxValue 1.1 caps it.
    const y = new Float32Array([3, -2, 0.5, 0.1]);
    dynamicThreshold(y, 0.5, 1.1, 4);
    [1, -1, 0.5 / 1.1, 0.1 / 1.1].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });

  it('is applied by DDIM when thresholding is on (sampleSize = 2 for 2-D points)', () => {
    const ddim = new DDIMSampler({
      thresholding: true,
      dynamicThresholdingRatio: 1,
      sampleMaxValue: 5,
      sampleSize: 2,
      setAlphaToOne: true,
    });
    ddim.setTimesteps(10);
    const ab = alphaBars[900]!;
    // model output chosen so that x̂₀ = (4, 2) for the first point and (0.5, 0.5) for the second.
    const x0 = [4, 2, 0.5, 0.5];
    const xt = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const eps = new Float32Array(x0.map((v, i) => (xt[i]! - Math.sqrt(ab) * v) / Math.sqrt(1 - ab)));
    const r = ddim.step(eps, 900, xt);
    [1, 0.5, 0.5, 0.5].forEach((v, i) => expect(r.predOriginalSample[i]).toBeCloseTo(v, 4));
    expect(() =>
      new DDPMSampler({ thresholding: true, sampleSize: 3 }).step(new Float32Array(4), 0, new Float32Array(4)),
    ).toThrow(/multiple/);
  });
});

describe('DDIM', () => {
  it('σ_t(η=1)² is the posterior variance (Song et al. 2021, eq. 16) on the strided grid', () => {
    const ddim = new DDIMSampler({ eta: 1 });
    ddim.setTimesteps(50);
    const t = 500;
    const prev = 480;
    expect(ddim.variance(t)).toBeCloseTo(
      ((1 - alphaBars[prev]!) / (1 - alphaBars[t]!)) * (1 - alphaBars[t]! / alphaBars[prev]!),
      12,
    );
  });

  it('η = 0 is deterministic and ignores noise', () => {
    const ddim = new DDIMSampler({ clipSample: false });
    ddim.setTimesteps(25);
    const x = new Float32Array([0.5, -1]);
    const eps = new Float32Array([0.2, 0.3]);
    expect(ddim.step(eps, 480, x, new Float32Array([9, 9])).prevSample).toEqual(ddim.step(eps, 480, x).prevSample);
  });

  it('setAlphaToOne = false ends at ᾱ_0 instead of clean data', () => {
    const ddim = new DDIMSampler({ clipSample: false, setAlphaToOne: false });
    ddim.setTimesteps(50);
    const x = new Float32Array([0.5]);
    const eps = new Float32Array([0.2]);
    const r = ddim.step(eps, 0, x);
    const ab = alphaBars[0]!;
    const x0 = (0.5 - Math.sqrt(1 - ab) * 0.2) / Math.sqrt(ab);
    expect(r.prevSample[0]).toBeCloseTo(Math.sqrt(ab) * x0 + Math.sqrt(1 - ab) * 0.2, 5);
  });

  it('requires setTimesteps before step, like diffusers', () => {
    expect(() => new DDIMSampler().step(new Float32Array(1), 10, new Float32Array(1))).toThrow(/setTimesteps/);
  });
});

describe('DDIM inversion (η = 0)', () => {
  it('is exact with a denoiser that knows the trajectory (constant ε): invert(sample(x_T)) = x_T', () => {
    const n = 64;
    const rng = createRng(5);
    const x0 = rng.normalArray(n).map((v) => 0.3 * v);
    const eps = rng.normalArray(n);
    const options = { stepsOffset: 1 };
    const ddim = new DDIMSampler(options);
    ddim.setTimesteps(50);
    const abT = alphaBars[ddim.timesteps[0]!]!;
    const xT = x0.map((v, i) => Math.sqrt(abT) * v + Math.sqrt(1 - abT) * eps[i]!);
    const oracle = () => eps;
    const sampled = runDenoisingLoop(ddim, oracle, xT);
    // Tolerance: float32 rounding of x_T is amplified by 1/√ᾱ_981 ≈ 150 in the first x̂₀.
    for (let i = 0; i < n; i++) expect(Math.abs(sampled[i]! - x0[i]!)).toBeLessThan(1e-4);
    const inverted = ddimInvert(oracle, sampled, 50, options);
    for (let i = 0; i < n; i++) expect(Math.abs(inverted[i]! - xT[i]!)).toBeLessThan(1e-4);
  });

  it('with the exact Gaussian-data ε-predictor, the round-trip error shrinks like 1/steps (first order)', () => {
    const xT = createRng(6).normalArray(500);
    const roundTripError = (steps: number) => {
      const options = { clipSample: false, timestepSpacing: 'trailing' } as const;
      const ddim = new DDIMSampler(options);
      ddim.setTimesteps(steps);
      const model = exactModel('epsilon');
      const x0 = runDenoisingLoop(ddim, model, xT);
      const back = ddimInvert((x, t) => model(x, t), x0, steps, options);
      let sq = 0;
      for (let i = 0; i < xT.length; i++) sq += (back[i]! - xT[i]!) ** 2;
      return Math.sqrt(sq / xT.length);
    };
    const coarse = roundTripError(20);
    const fine = roundTripError(200);
    expect(fine).toBeLessThan(0.03);
    expect(fine).toBeLessThan(coarse / 7); // 10× more steps: first-order error drops ≈ 10×
  });
});

describe('Euler samplers', () => {
  it('σ grid: ends in 0, starts at σ_max = √((1−ᾱ_T)/ᾱ_T); init noise σ depends on spacing', () => {
    const euler = new EulerSampler();
    euler.setTimesteps(50);
    const sigmaMax = Math.sqrt((1 - alphaBars[999]!) / alphaBars[999]!);
    expect(euler.sigmas).toHaveLength(51);
    expect(euler.sigmas[50]).toBe(0);
    expect(euler.sigmas[0]).toBeCloseTo(sigmaMax, 4);
    expect(euler.initNoiseSigma).toBeCloseTo(sigmaMax, 4);
    for (let i = 1; i < 51; i++) expect(euler.sigmas[i]!).toBeLessThan(euler.sigmas[i - 1]!);

    const trailing = new EulerSampler({ timestepSpacing: 'trailing' });
    trailing.setTimesteps(50);
    expect(trailing.initNoiseSigma).toBeCloseTo(sigmaMax, 4);

    const leading = new EulerSampler({ timestepSpacing: 'leading' });
    leading.setTimesteps(50);
    expect(leading.timesteps[0]).toBe(980);
    expect(leading.initNoiseSigma).toBeCloseTo(Math.sqrt(sigmaOf(980) ** 2 + 1), 4);
  });

  it("Stable Diffusion's schedule gives σ_max ≈ 14.6146", () => {
    const euler = new EulerSampler({ betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012 });
    euler.setTimesteps(30);
    expect(euler.initNoiseSigma).toBeCloseTo(14.6146, 3);
  });

  it('finalSigmasType sigma_min ends at σ(t = 0)', () => {
    const euler = new EulerSampler({ finalSigmasType: 'sigma_min' });
    euler.setTimesteps(10);
    expect(euler.sigmas[10]).toBeCloseTo(sigmaOf(0), 6);
  });

  it('scaleModelInput divides by √(σ² + 1)', () => {
    const euler = new EulerSampler();
    euler.setTimesteps(10);
    const t = euler.timesteps[0]!;
    const scaled = euler.scaleModelInput(new Float32Array([2, -4]), t);
    const s = euler.sigmas[0]!;
    expect(scaled[0]).toBeCloseTo(2 / Math.sqrt(s * s + 1), 6);
    expect(scaled[1]).toBeCloseTo(-4 / Math.sqrt(s * s + 1), 6);
  });

  it('one Euler step is x + (σ_next − σ)(x − D)/σ with D = x − σ ε (Karras et al. 2022, Alg. 1)', () => {
    const euler = new EulerSampler();
    euler.setTimesteps(10);
    const [s0, s1] = euler.sigmas as [number, number];
    const x = new Float32Array([3, -7]);
    const eps = new Float32Array([0.4, -0.9]);
    const r = euler.step(eps, euler.timesteps[0]!, x);
    for (let i = 0; i < 2; i++) {
      const denoised = x[i]! - s0 * eps[i]!;
      expect(r.predOriginalSample[i]).toBeCloseTo(denoised, 4);
      expect(r.prevSample[i]).toBeCloseTo(x[i]! + ((s1 - s0) * (x[i]! - denoised)) / s0, 4);
    }
  });

  it('ancestral steps split σ_next² into σ_up² + σ_down²', () => {
    const ea = new EulerAncestralSampler();
    ea.setTimesteps(20);
    const x = new Float32Array([1.5]);
    const eps = new Float32Array([0.25]);
    const z = new Float32Array([0.7]);
    const [s0, s1] = ea.sigmas as [number, number];
    const up = Math.sqrt((s1 ** 2 * (s0 ** 2 - s1 ** 2)) / s0 ** 2);
    const down = Math.sqrt(s1 ** 2 - up ** 2);
    expect(up ** 2 + down ** 2).toBeCloseTo(s1 ** 2, 10);
    const r = ea.step(eps, ea.timesteps[0]!, x, z);
    const denoised = 1.5 - s0 * 0.25;
    expect(r.prevSample[0]).toBeCloseTo(1.5 + ((down - s0) * (1.5 - denoised)) / s0 + up * 0.7, 4);
  });

  it('rejects prediction_type sample for Euler ancestral (as diffusers does)', () => {
    expect(() => new EulerAncestralSampler({ predictionType: 'sample' as never })).toThrow(/'epsilon', 'v_prediction'/);
  });
});

describe('shape agnosticism', () => {
  it('an N×2 run equals two independent 1-D runs of its columns (elementwise samplers)', () => {
    for (const name of ['ddim', 'euler'] as const) {
      const n = 50;
      const xT = createRng(9).normalArray(2 * n);
      const col = (c: number) => xT.filter((_, i) => i % 2 === c);
      const run = (x: Float32Array) => {
        const s = createSampler(name, name === 'ddim' ? { clipSample: false } : {});
        s.setTimesteps(15);
        return runDenoisingLoop(s, exactModel('epsilon'), x);
      };
      const joint = run(xT);
      const [a, b] = [run(col(0)), run(col(1))];
      for (let i = 0; i < n; i++) {
        expect(joint[2 * i]).toBe(a[i]);
        expect(joint[2 * i + 1]).toBe(b[i]);
      }
    }
  });
});

describe('denoisingLoop', () => {
  it('yields once per timestep with the step results and needs an rng for stochastic samplers', () => {
    const ddim = createSampler('ddim', { clipSample: false });
    ddim.setTimesteps(5);
    const seen = [...denoisingLoop(ddim, exactModel('epsilon'), new Float32Array([0.1, -0.2]))];
    expect(seen.map((p) => p.timestep)).toEqual([800, 600, 400, 200, 0]);
    expect(seen.map((p) => p.stepIndex)).toEqual([0, 1, 2, 3, 4]);
    const ddpm = createSampler('ddpm');
    ddpm.setTimesteps(5);
    expect(() => runDenoisingLoop(ddpm, exactModel('epsilon'), new Float32Array(2))).toThrow(/rng/);
  });
});

describe('createSampler', () => {
  it('builds each sampler by name', () => {
    expect(createSampler('ddpm')).toBeInstanceOf(DDPMSampler);
    expect(createSampler('ddim')).toBeInstanceOf(DDIMSampler);
    expect(createSampler('euler')).toBeInstanceOf(EulerSampler);
    expect(createSampler('euler-ancestral')).toBeInstanceOf(EulerAncestralSampler);
  });

  it('rejects invalid names and options, listing the valid ones', () => {
    expect(() => createSampler('heun' as never)).toThrow(/'ddpm', 'ddim', 'euler', 'euler-ancestral'/);
    expect(() => createSampler('ddpm', { varianceType: 'learned' as never })).toThrow(
      /'fixed_small', 'fixed_small_log', 'fixed_large'/,
    );
    expect(() => createSampler('ddim', { predictionType: 'x0' as never })).toThrow(
      /'epsilon', 'sample', 'v_prediction'/,
    );
    expect(() => createSampler('euler', { timestepSpacing: 'uniform' as never })).toThrow(
      /'leading', 'trailing', 'linspace'/,
    );
    expect(() => createSampler('ddim', { etaa: 1 } as never)).toThrow(/Unknown DDIM option 'etaa'.*eta/);
  });

  it("accepts one shared config for every sampler, ignoring other samplers' options (like diffusers' from_config)", () => {
    const shared = {
      betaSchedule: 'scaled_linear',
      betaStart: 0.00085,
      betaEnd: 0.012,
      clipSample: false,
      eta: 0.5,
      sChurn: 0,
    } as const;
    for (const name of ['ddpm', 'ddim', 'euler', 'euler-ancestral'] as const) {
      const sampler = createSampler(name, shared as never);
      expect(sampler.schedule.config.betaSchedule).toBe('scaled_linear');
    }
    expect((createSampler('ddim', shared as never) as DDIMSampler).eta).toBe(0.5);
  });
});
