/**
 * Next-token sampling strategies for autoregressive language models, each a small pure function
 * over one step's logits or probabilities:
 * - temperature: p_i = exp(z_i / T) / Σ_j exp(z_j / T) (T → 0 is greedy decoding, T = 1 the model's
 *   own distribution, T > 1 flatter; Ackley, Hinton & Sejnowski 1985 for the Boltzmann form);
 * - top-k: keep the k most probable tokens and renormalise (Fan, Lewis & Dauphin 2018, §5.4);
 * - top-p / nucleus: keep the smallest set of most probable tokens whose total probability is at
 *   least p, and renormalise (Holtzman et al. 2020, eq. 3);
 * applied in that order (temperature, then top-k, then top-p), as Hugging Face's logits warpers do.
 * Sampling draws u ~ U[0, 1) from the project's seeded generator (src/lib/rng.ts) and takes the
 * first token whose cumulative probability exceeds u.
 */
import type { Rng } from '../rng';

export interface SamplingOptions {
  /** ≥ 0; 0 means greedy (all mass on the most likely token). */
  temperature: number;
  /** Keep this many tokens (0 or undefined: all). */
  topK?: number;
  /** Keep the nucleus of this much probability (1 or undefined: all). */
  topP?: number;
}

/** softmax(z / T). T = 0 puts all probability on the first largest logit. */
export function softmaxWithTemperature(logits: ArrayLike<number>, temperature = 1): Float64Array {
  if (!(temperature >= 0) || !Number.isFinite(temperature))
    throw new Error(`Temperature must be a finite number ≥ 0, got ${temperature}.`);
  const n = logits.length;
  if (n === 0) throw new Error('No logits.');
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < n; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      argmax = i;
    }
  }
  const out = new Float64Array(n);
  if (temperature === 0) {
    out[argmax] = 1;
    return out;
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp((logits[i]! - max) / temperature);
    out[i] = e;
    total += e;
  }
  for (let i = 0; i < n; i++) out[i]! /= total;
  return out;
}

/** Indices sorted by probability, largest first (ties: lower index first). */
export function rankByProbability(probs: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(probs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => probs[b]! - probs[a]! || a - b);
}

function renormalised(probs: ArrayLike<number>, keep: ArrayLike<number>): Float64Array {
  const out = new Float64Array(probs.length);
  let total = 0;
  for (let i = 0; i < keep.length; i++) total += probs[keep[i]!]!;
  if (!(total > 0)) throw new Error('The kept tokens have no probability.');
  for (let i = 0; i < keep.length; i++) out[keep[i]!] = probs[keep[i]!]! / total;
  return out;
}

/** Keep the k most probable tokens, renormalised. k ≤ 0 or k ≥ n keeps everything. */
export function topK(probs: ArrayLike<number>, k: number, order = rankByProbability(probs)): Float64Array {
  if (!Number.isInteger(k)) throw new Error(`top-k needs an integer k, got ${k}.`);
  if (k <= 0 || k >= probs.length) return Float64Array.from(probs);
  return renormalised(probs, order.subarray(0, k));
}

/** Keep the smallest most-probable set with total ≥ p (at least one token), renormalised. p ≥ 1 keeps everything. */
export function topP(probs: ArrayLike<number>, p: number, order = rankByProbability(probs)): Float64Array {
  if (!(p > 0) || p > 1) throw new Error(`top-p needs 0 < p ≤ 1, got ${p}.`);
  if (p === 1) return Float64Array.from(probs);
  // A rounding error in the running sum must not pull in one more token (0.4 + 0.3 + 0.2 < 0.9 in binary).
  const target = p - 1e-12;
  let cumulative = 0;
  let count = 0;
  while (count < order.length) {
    cumulative += probs[order[count]!]!;
    count++;
    if (cumulative >= target) break;
  }
  return renormalised(probs, order.subarray(0, count));
}

/** temperature → top-k → top-p: the distribution the next token is drawn from. */
export function nextTokenDistribution(logits: ArrayLike<number>, options: SamplingOptions): Float64Array {
  let probs = softmaxWithTemperature(logits, options.temperature);
  if (options.topK !== undefined && options.topK > 0) probs = topK(probs, options.topK);
  if (options.topP !== undefined && options.topP < 1) probs = topP(probs, options.topP);
  return probs;
}

/** The first index whose cumulative probability exceeds u·(total) (inverse CDF), u ∈ [0, 1). */
export function sampleIndex(probs: ArrayLike<number>, u: number): number {
  if (!(u >= 0 && u < 1)) throw new Error(`u must be in [0, 1), got ${u}.`);
  let total = 0;
  for (let i = 0; i < probs.length; i++) total += probs[i]!;
  const target = u * total;
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i]! <= 0) continue;
    cumulative += probs[i]!;
    last = i;
    if (cumulative > target) return i;
  }
  if (last < 0) throw new Error('No token has positive probability.');
  return last;
}

export function sampleToken(probs: ArrayLike<number>, rng: Rng): number {
  return sampleIndex(probs, rng.uniform());
}

export interface RankedToken {
  id: number;
  probability: number;
}

/** The n most probable tokens with their probabilities, largest first. */
export function topTokens(probs: ArrayLike<number>, n: number, order = rankByProbability(probs)): RankedToken[] {
  return Array.from(order.subarray(0, Math.max(0, Math.min(n, order.length))), (id) => ({
    id,
    probability: probs[id]!,
  }));
}
