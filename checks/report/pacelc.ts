/**
 * The PACELC chart now lives in the benchmark report, `reports/bench/index.html` (drawn by
 * `bench.ts` from `reports/bench/pacelc.json` with `chart.ts`'s bar charts); there is no
 * standalone `pacelc.html` any more. This module keeps the two entry points other code calls,
 * so that `checks/bench/pacelc.ts` and its test work unchanged; both are deprecated.
 */
import { join } from 'node:path';
import { REPORTS_DIR } from '../output.ts';
import type { StoreShape } from '../../impl/store/store.ts';
import { renderBenchIndex } from './bench.ts';

/** What a chart row needs. */
export interface PacelcChartRow {
  readonly label: string;
  readonly level: string | null;
  readonly availability: number;
  readonly roundTrips: number;
  readonly messagesPerOp: number;
}

/**
 * The benchmark report's page with only a PACELC card for `rows`.
 * @deprecated Render `reports/bench/index.html` with `bench.ts` instead.
 */
export function renderPacelcPage(rows: readonly PacelcChartRow[], shape: StoreShape): string {
  const summary = [`${shape.replicas} replicas, ${shape.clients} client sessions, ${shape.ops} operations`];
  return renderBenchIndex([{ file: 'pacelc.json', json: { section: 'pacelc', date: '', summary, shape, rows } }]);
}

/**
 * Writes nothing any more: the bench runner rewrites `reports/bench/index.html` (with the PACELC
 * card) after the section's JSON is written. Returns that page's path.
 * @deprecated Drop the call; `checks/bench/main.ts` writes the report.
 */
export function writePacelcPage(_rows: readonly PacelcChartRow[], _shape: StoreShape): string {
  return join(REPORTS_DIR, 'bench', 'index.html');
}
