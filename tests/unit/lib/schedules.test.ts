import { describe, expect, it } from 'vitest';
import { BETA_SCHEDULES, createSchedule } from '../../../src/lib/schedules.ts';

describe('createSchedule', () => {
  it('uses diffusers defaults: linear 1e-4 … 0.02 over 1000 steps', () => {
    const s = createSchedule();
    expect(s.numTrainTimesteps).toBe(1000);
    expect(s.betas[0]).toBeCloseTo(1e-4, 15);
    expect(s.betas[999]).toBeCloseTo(0.02, 15);
    const step = (0.02 - 1e-4) / 999;
    for (let i = 1; i < 1000; i++) expect(s.betas[i]! - s.betas[i - 1]!).toBeCloseTo(step, 14);
  });

  it('ᾱ is the running product of (1 − β) and α = 1 − β, for every schedule', () => {
    for (const betaSchedule of BETA_SCHEDULES) {
      const s = createSchedule({ betaSchedule, numTrainTimesteps: 300 });
      let product = 1;
      for (let i = 0; i < 300; i++) {
        product *= 1 - s.betas[i]!;
        expect(s.alphas[i]).toBe(1 - s.betas[i]!);
        expect(s.alphasCumprod[i]).toBeCloseTo(product, 15);
      }
    }
  });

  it('linear schedule: ᾱ_T matches the series log ᾱ_T = −Σβ − Σβ²/2 − Σβ³/3 − …', () => {
    // For β linear from a to b over T steps, Σβ^k ≈ T·(b^{k+1} − a^{k+1})/((k+1)(b − a)) (midpoint-exact for k = 1).
    const a = 1e-4;
    const b = 0.02;
    const T = 1000;
    const sumPower = (k: number) => {
      let total = 0;
      for (let i = 0; i < T; i++) total += (a + ((b - a) * i) / (T - 1)) ** k;
      return total;
    };
    const logAlphaBar = -sumPower(1) - sumPower(2) / 2 - sumPower(3) / 3 - sumPower(4) / 4 - sumPower(5) / 5;
    const s = createSchedule();
    expect(s.alphasCumprod[T - 1]! / Math.exp(logAlphaBar)).toBeCloseTo(1, 8);
    // The well-known value for DDPM's schedule: ᾱ_T ≈ 4.0e-5 (SNR ≈ 4e-5, nearly pure noise).
    expect(s.alphasCumprod[T - 1]).toBeGreaterThan(4.0e-5);
    expect(s.alphasCumprod[T - 1]).toBeLessThan(4.1e-5);
  });

  it('scaled_linear is linear in √β (Stable Diffusion: 0.00085 … 0.012)', () => {
    const s = createSchedule({ betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012 });
    expect(s.betas[0]).toBeCloseTo(0.00085, 15);
    expect(s.betas[999]).toBeCloseTo(0.012, 15);
    const step = (Math.sqrt(0.012) - Math.sqrt(0.00085)) / 999;
    for (let i = 1; i < 1000; i++) expect(Math.sqrt(s.betas[i]!) - Math.sqrt(s.betas[i - 1]!)).toBeCloseTo(step, 14);
  });

  it('squaredcos_cap_v2: ᾱ_t = f(t/T)/f(0), f(τ) = cos²((τ + 0.008)/1.008 · π/2) (Nichol & Dhariwal eq. 17), β capped at 0.999', () => {
    const T = 1000;
    const f = (tau: number) => Math.cos(((tau + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    const s = createSchedule({ betaSchedule: 'squaredcos_cap_v2', numTrainTimesteps: T });
    // ᾱ at index i is ᾱ(t = i + 1). The cap only bites at the very end.
    let capped = 0;
    for (let i = 0; i < T; i++) {
      if (s.betas[i]! >= 0.999) {
        capped++;
        continue;
      }
      if (capped === 0) expect(s.alphasCumprod[i]! / (f((i + 1) / T) / f(0))).toBeCloseTo(1, 9);
    }
    expect(capped).toBeGreaterThanOrEqual(1);
    expect(s.betas[T - 1]).toBe(0.999);
    expect(Math.max(...s.betas)).toBe(0.999);
  });

  it('SNR = ᾱ/(1 − ᾱ), log-SNR = log SNR, both strictly decreasing', () => {
    const s = createSchedule({ betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012 });
    for (let i = 0; i < 1000; i++) {
      const ab = s.alphasCumprod[i]!;
      expect(s.snr[i]).toBeCloseTo(ab / (1 - ab), 10);
      expect(s.logSnr[i]).toBeCloseTo(Math.log(ab / (1 - ab)), 10);
      if (i > 0) expect(s.logSnr[i]!).toBeLessThan(s.logSnr[i - 1]!);
    }
  });

  it('rescaleBetasZeroSnr: ᾱ_T = 0, ᾱ_1 unchanged, √ᾱ an affine function of the original √ᾱ (Lin et al. 2024, Alg. 1)', () => {
    const original = createSchedule({ betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012 });
    const rescaled = createSchedule({
      betaSchedule: 'scaled_linear',
      betaStart: 0.00085,
      betaEnd: 0.012,
      rescaleBetasZeroSnr: true,
    });
    expect(rescaled.alphasCumprod[999]).toBeLessThan(1e-20);
    expect(rescaled.snr[999]).toBeLessThan(1e-20);
    expect(rescaled.alphasCumprod[0]).toBeCloseTo(original.alphasCumprod[0]!, 14);
    const s0 = Math.sqrt(original.alphasCumprod[0]!);
    const sT = Math.sqrt(original.alphasCumprod[999]!);
    for (const i of [1, 10, 250, 500, 900, 998]) {
      const expected = ((Math.sqrt(original.alphasCumprod[i]!) - sT) * s0) / (s0 - sT);
      expect(Math.sqrt(rescaled.alphasCumprod[i]!)).toBeCloseTo(expected, 12);
    }
  });

  it('accepts trained betas', () => {
    const s = createSchedule({ trainedBetas: [0.1, 0.2, 0.3] });
    expect(s.numTrainTimesteps).toBe(3);
    expect(s.alphasCumprod[2]).toBeCloseTo(0.9 * 0.8 * 0.7, 15);
  });

  it('rejects invalid options with the list of valid values', () => {
    expect(() => createSchedule({ betaSchedule: 'cosine' as never })).toThrow(
      /'linear', 'scaled_linear', 'squaredcos_cap_v2'/,
    );
    expect(() => createSchedule({ numTrainTimesteps: 0 })).toThrow(/numTrainTimesteps/);
    expect(() => createSchedule({ betaStart: 1.5 })).toThrow(/betaStart/);
    expect(() => createSchedule({ beta_schedule: 'linear' } as never)).toThrow(
      /valid options: numTrainTimesteps, betaStart/,
    );
  });
});
