/**
 * The `npm run models:eval` table for the widget: models/eval/shapes-unet.json when it exists.
 * `import.meta.glob` (not a plain import) keeps the build working before the file is written: a
 * missing file gives no match, and the widget says the table is not there yet.
 */
import { parseEvalTable, type EvalTableResult } from '../../lib/pocket/eval-table';

const files = import.meta.glob<unknown>('../../../models/eval/shapes-unet.json', { eager: true, import: 'default' });

export const EVAL_TABLE_PATH = 'models/eval/shapes-unet.json';

export function loadEvalTable(): EvalTableResult {
  const raw = Object.values(files)[0];
  if (raw === undefined)
    return { ok: false, reason: `${EVAL_TABLE_PATH} has not been written yet (npm run models:eval)` };
  return parseEvalTable(raw);
}
