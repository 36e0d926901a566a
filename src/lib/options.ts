/** Option validation shared by the schedule and sampler factories: errors always list valid values. */

export function assertOneOf<T extends string>(optionName: string, value: unknown, valid: readonly T[]): T {
  if (typeof value !== 'string' || !(valid as readonly string[]).includes(value)) {
    throw new Error(
      `Invalid ${optionName} ${JSON.stringify(value)}; valid values: ${valid.map((v) => `'${v}'`).join(', ')}.`,
    );
  }
  return value as T;
}

/**
 * Rejects unknown option keys (usually a typo), listing the accepted ones. Keys in `ignored`
 * (e.g. another sampler's options, so one config object can serve every sampler, as with
 * diffusers' `from_config`) are allowed and ignored.
 */
export function assertKnownKeys(
  context: string,
  options: object,
  valid: readonly string[],
  ignored: readonly string[] = [],
): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key) && !ignored.includes(key)) {
      throw new Error(`Unknown ${context} option '${key}'; valid options: ${valid.join(', ')}.`);
    }
  }
}

export function assertInteger(optionName: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Invalid ${optionName} ${value}; expected an integer in [${min}, ${max}].`);
  }
  return value;
}

export function assertNumberInRange(
  optionName: string,
  value: number,
  min: number,
  max: number,
  { minExclusive = false, maxExclusive = false } = {},
): number {
  const aboveMin = minExclusive ? value > min : value >= min;
  const belowMax = maxExclusive ? value < max : value <= max;
  if (typeof value !== 'number' || !aboveMin || !belowMax) {
    const range = `${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
    throw new Error(`Invalid ${optionName} ${value}; expected a number in ${range}.`);
  }
  return value;
}

export function assertBoolean(optionName: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new Error(`Invalid ${optionName} ${JSON.stringify(value)}; expected true or false.`);
  return value;
}
