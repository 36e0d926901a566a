/**
 * Classifier-free guidance (Ho & Salimans 2022). Two equivalent conventions:
 *  - the paper's guidance weight w:   ε̃ = (1 + w)·ε(z, c) − w·ε(z)            (eq. 6)
 *  - diffusers' guidance scale s:     ε̃ = ε(z) + s·(ε(z, c) − ε(z))
 * Expanding the second gives (s)·ε_c + (1 − s)·ε_u, so s = 1 + w. Hence w = 0 and s = 1 both mean
 * "no guidance" (the conditional prediction), and s = 0 / w = −1 is the unconditional one.
 * Works for any parameterisation (ε, x₀ or v): it is a fixed affine combination.
 */

type Readable = ArrayLike<number>;

/** Paper weight w → diffusers scale s = 1 + w. */
export function guidanceWeightToScale(weight: number): number {
  return 1 + weight;
}

/** diffusers scale s → paper weight w = s − 1. */
export function guidanceScaleToWeight(scale: number): number {
  return scale - 1;
}

function combine(
  conditional: Readable,
  unconditional: Readable,
  condCoef: number,
  uncondCoef: number,
  out?: Float32Array,
): Float32Array {
  if (conditional.length !== unconditional.length) {
    throw new Error(
      `Guidance: conditional length ${conditional.length} ≠ unconditional length ${unconditional.length}.`,
    );
  }
  const result = out ?? new Float32Array(conditional.length);
  for (let i = 0; i < conditional.length; i++) result[i] = condCoef * conditional[i]! + uncondCoef * unconditional[i]!;
  return result;
}

/** ε̃ = (1 + w)·ε_c − w·ε_u (Ho & Salimans 2022, eq. 6). */
export function guideWithWeight(
  conditional: Readable,
  unconditional: Readable,
  weight: number,
  out?: Float32Array,
): Float32Array {
  return combine(conditional, unconditional, 1 + weight, -weight, out);
}

/** ε̃ = ε_u + s·(ε_c − ε_u) (diffusers pipelines' `guidance_scale`). */
export function guideWithScale(
  conditional: Readable,
  unconditional: Readable,
  scale: number,
  out?: Float32Array,
): Float32Array {
  if (conditional.length !== unconditional.length) {
    throw new Error(
      `Guidance: conditional length ${conditional.length} ≠ unconditional length ${unconditional.length}.`,
    );
  }
  const result = out ?? new Float32Array(conditional.length);
  for (let i = 0; i < conditional.length; i++) {
    const u = unconditional[i]!;
    result[i] = u + scale * (conditional[i]! - u);
  }
  return result;
}

/**
 * Classifier guidance (Dhariwal & Nichol 2021, eq. 14 and Algorithm 2):
 *   ε̃ = ε(x_t) − s·√(1 − ᾱ_t)·∇ₓ log p_φ(y | x_t)
 * ε = −√(1 − ᾱ_t)·score, so this adds s·∇ₓ log p_φ to the model's score. `alphaBar` is ᾱ_t of the
 * timestep being denoised, `scale` is s (s = 0: the unguided ε).
 */
export function classifierGuidedEpsilon(
  epsilon: Readable,
  gradLogProb: Readable,
  alphaBar: number,
  scale: number,
  out?: Float32Array,
): Float32Array {
  if (epsilon.length !== gradLogProb.length) {
    throw new Error(`Classifier guidance: ε length ${epsilon.length} ≠ gradient length ${gradLogProb.length}.`);
  }
  if (!(alphaBar > 0 && alphaBar <= 1))
    throw new RangeError(`Classifier guidance: ᾱ_t must be in (0, 1], got ${alphaBar}.`);
  const gradCoef = scale * Math.sqrt(1 - alphaBar);
  const result = out ?? new Float32Array(epsilon.length);
  for (let i = 0; i < epsilon.length; i++) result[i] = epsilon[i]! - gradCoef * gradLogProb[i]!;
  return result;
}
