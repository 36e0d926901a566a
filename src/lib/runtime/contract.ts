/**
 * Check a loaded session's inputs and outputs against the manifest's IO contract. A wrong file
 * (another export, another revision) fails here with every difference named, not later as a
 * shape error deep inside a sampling loop.
 */
import type { SessionContract, IoDescription } from './ort';

export interface ContractTensor {
  dtype: string;
  shape: ReadonlyArray<number | string>;
  optional?: boolean;
}
export interface ExpectedContract {
  inputs: Record<string, ContractTensor>;
  outputs: Record<string, ContractTensor>;
}

export type ContractResult = { ok: true } | { ok: false; differences: string[]; message: string };

function shapeText(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

function compareSide(
  side: 'input' | 'output',
  actual: IoDescription[],
  expected: Record<string, ContractTensor>,
): string[] {
  const differences: string[] = [];
  const byName = new Map(actual.map((d) => [d.name, d]));
  for (const [name, spec] of Object.entries(expected)) {
    const got = byName.get(name);
    if (!got) {
      if (!spec.optional)
        differences.push(
          `${side} "${name}" is missing (the model has ${[...byName.keys()].map((n) => `"${n}"`).join(', ') || 'none'})`,
        );
      continue;
    }
    if (got.dtype !== null && got.dtype !== spec.dtype)
      differences.push(`${side} "${name}" is ${got.dtype}, the manifest says ${spec.dtype}`);
    if (got.shape !== null && got.shape.length > 0) {
      if (got.shape.length !== spec.shape.length) {
        differences.push(
          `${side} "${name}" has rank ${got.shape.length} ${shapeText(got.shape)}, the manifest says ${shapeText(spec.shape)}`,
        );
      } else {
        spec.shape.forEach((dim, i) => {
          const g = got.shape![i];
          if (typeof dim === 'number' && typeof g === 'number' && dim !== g) {
            differences.push(`${side} "${name}" dimension ${i} is ${g}, the manifest says ${dim}`);
          }
        });
      }
    }
  }
  for (const name of byName.keys()) {
    if (!(name in expected)) differences.push(`${side} "${name}" is not in the manifest`);
  }
  return differences;
}

export function checkContract(
  actual: SessionContract,
  expected: ExpectedContract,
  modelName = 'model',
): ContractResult {
  const differences = [
    ...compareSide('input', actual.inputs, expected.inputs),
    ...compareSide('output', actual.outputs, expected.outputs),
  ];
  if (differences.length === 0) return { ok: true };
  return {
    ok: false,
    differences,
    message: `The ${modelName} file does not match its manifest contract: ${differences.join('; ')}.`,
  };
}
