/**
 * The exact optimal (minimum-mean-squared-error) denoiser of an empirical 2-D distribution.
 *
 * Data: x_0 uniform over the points {d_1 … d_M}. Forward marginal (Ho et al. 2020, eq. (4)):
 *   x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε,  ε ~ N(0, I).
 * By Bayes' rule the posterior over which point was noised is a softmax of Gaussian
 * log-likelihoods, so
 *   E[x_0 | x_t] = Σ_i w_i d_i,  w = softmax_i( −‖x_t − √ᾱ_t d_i‖² / (2(1 − ᾱ_t)) ),
 * and the matching noise prediction is ε̂ = (x_t − √ᾱ_t x̂_0) / √(1 − ᾱ_t).
 * This is the function a perfectly trained ε-prediction network would compute for this data.
 */

/** Below this 1 − ᾱ the posterior is a point mass on the nearest data point (to float64 precision). */
const DETERMINISTIC_LIMIT = 1e-12;
/** Terms with logit more than this below the maximum contribute < e^-40 ≈ 4e-18: skip their exp. */
const NEGLIGIBLE_LOGIT_GAP = 40;

export interface OptimalDenoiser {
  /** Number of data points M. */
  readonly size: number;
  /** E[x_0 | x_t] for every particle of `sample` (flat N×2). Writes into `out` if given. */
  predictOriginal(sample: Float32Array, alphaBar: number, out?: Float32Array): Float32Array;
  /** ε̂ = (x_t − √ᾱ x̂_0)/√(1 − ᾱ); also writes x̂_0 into `originalOut` if given. */
  predictNoise(sample: Float32Array, alphaBar: number, out?: Float32Array, originalOut?: Float32Array): Float32Array;
}

function checkSample(sample: Float32Array, out: Float32Array): void {
  if (sample.length % 2 !== 0) throw new RangeError('sample must hold 2-D points (even length)');
  if (out.length !== sample.length) throw new RangeError('output length must match the sample');
}

/** Builds the denoiser for a flat [x0, y0, x1, y1, …] dataset (copied, so later edits don't leak in). */
export function createOptimalDenoiser(dataPoints: Float32Array): OptimalDenoiser {
  if (dataPoints.length < 2 || dataPoints.length % 2 !== 0) {
    throw new RangeError('data must hold at least one 2-D point');
  }
  const data = Float64Array.from(dataPoints);
  const m = data.length / 2;
  const logits = new Float64Array(m);
  const scaledX = new Float64Array(m);
  const scaledY = new Float64Array(m);
  const offsets = new Float64Array(m);

  function nearestPoint(x: number, y: number, scale: number): number {
    let best = 0;
    let bestDistance = Infinity;
    for (let i = 0; i < m; i++) {
      const dx = x - scale * data[2 * i];
      const dy = y - scale * data[2 * i + 1];
      const distance = dx * dx + dy * dy;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    return best;
  }

  function predictOriginal(sample: Float32Array, alphaBar: number, out = new Float32Array(sample.length)) {
    checkSample(sample, out);
    const a = Math.min(1, Math.max(0, alphaBar));
    const scale = Math.sqrt(a);
    const variance = 1 - a;
    const n = sample.length / 2;
    if (variance <= DETERMINISTIC_LIMIT) {
      for (let p = 0; p < n; p++) {
        const i = nearestPoint(sample[2 * p], sample[2 * p + 1], scale);
        out[2 * p] = data[2 * i];
        out[2 * p + 1] = data[2 * i + 1];
      }
      return out;
    }
    // ‖x − s·d_i‖²/(2σ²) = ‖x‖²/(2σ²) − x·(s·d_i)/σ² + ‖s·d_i‖²/(2σ²); the first term is the same
    // for every i and cancels in the softmax, so logit_i = x·(s·d_i)/σ² − ‖s·d_i‖²/(2σ²).
    const invVariance = 1 / variance;
    for (let i = 0; i < m; i++) {
      const sx = scale * data[2 * i]!;
      const sy = scale * data[2 * i + 1]!;
      scaledX[i] = sx;
      scaledY[i] = sy;
      offsets[i] = -0.5 * (sx * sx + sy * sy) * invVariance;
    }
    for (let p = 0; p < n; p++) {
      const ax = sample[2 * p]! * invVariance;
      const ay = sample[2 * p + 1]! * invVariance;
      let maxLogit = -Infinity;
      for (let i = 0; i < m; i++) {
        const logit = ax * scaledX[i]! + ay * scaledY[i]! + offsets[i]!;
        logits[i] = logit;
        if (logit > maxLogit) maxLogit = logit;
      }
      // Log-sum-exp shift: the largest weight becomes e^0 = 1, so the sum never underflows.
      let total = 0;
      let sumX = 0;
      let sumY = 0;
      const cutoff = maxLogit - NEGLIGIBLE_LOGIT_GAP;
      for (let i = 0; i < m; i++) {
        const logit = logits[i]!;
        if (logit < cutoff) continue;
        const w = Math.exp(logit - maxLogit);
        total += w;
        sumX += w * data[2 * i]!;
        sumY += w * data[2 * i + 1]!;
      }
      out[2 * p] = sumX / total;
      out[2 * p + 1] = sumY / total;
    }
    return out;
  }

  function predictNoise(
    sample: Float32Array,
    alphaBar: number,
    out = new Float32Array(sample.length),
    originalOut = new Float32Array(sample.length),
  ) {
    checkSample(sample, out);
    predictOriginal(sample, alphaBar, originalOut);
    const a = Math.min(1, Math.max(0, alphaBar));
    const scale = Math.sqrt(a);
    // At ᾱ = 1 the ratio is 0/0; the floor keeps ε̂ finite (x̂_0 is then exact anyway).
    const invSigma = 1 / Math.sqrt(Math.max(1 - a, DETERMINISTIC_LIMIT));
    for (let k = 0; k < sample.length; k++) {
      out[k] = (sample[k] - scale * originalOut[k]) * invSigma;
    }
    return out;
  }

  return { size: m, predictOriginal, predictNoise };
}
