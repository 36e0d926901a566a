/** What models:pin prints: a table per model, size warnings and the manifest values that change. */
import { formatBytes } from '../../src/lib/runtime/download/format';
import { APPROX_TOLERANCE, approxDifference, type Change, type ModelPin } from './pin';

const short = (hex: string) => `${hex.slice(0, 12)}…`;
const percent = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  // Numbers right-aligned (columns 3 and 5), text left-aligned.
  return rows.map((r) =>
    r
      .map((cell, c) => (c === 3 || c === 5 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

export function pinTable(pin: ModelPin): string[] {
  const { repo, requested, revision } = pin.hub;
  const head =
    requested === revision
      ? `${pin.id}: ${repo} at commit ${revision}`
      : `${pin.id}: ${repo}@${requested} is commit ${revision}`;
  const rows = [['role', 'path', 'repo@revision', 'bytes', 'sha256', 'vs bytesApprox']];
  for (const f of pin.files) {
    rows.push([
      f.role,
      f.path,
      `${f.repo}@${short(f.revision)}`,
      String(f.bytes),
      `${short(f.sha256)}${f.source === 'hashed' ? ' (hashed here)' : ''}`,
      percent(approxDifference(f)),
    ]);
  }
  return [head, ...table(rows).map((line) => `  ${line}`)];
}

export function sizeWarnings(pin: ModelPin): string[] {
  return pin.files
    .filter((f) => Math.abs(approxDifference(f)) > APPROX_TOLERANCE)
    .map(
      (f) =>
        `warning: ${pin.id}.${f.role} is ${f.bytes} bytes (${formatBytes(f.bytes)}), ${percent(approxDifference(f))} from its bytesApprox ` +
        `${f.bytesApprox} (${formatBytes(f.bytesApprox)}): the published size in the manifest may be wrong (pinned anyway; bytesApprox is left as it is).`,
    );
}

export function changeLines(changes: readonly Change[]): string[] {
  return changes.map((c) => `  ${c.path.join('.')}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.value)}`);
}
