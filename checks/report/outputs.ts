/**
 * Where reports and ITF traces go, and writing them (atomically, as every CLI output file).
 * Shared by `dscheck check … --report --out-itf --out-otlp`, `dscheck report` and `dscheck history --report`.
 */
import { basename, join } from 'node:path';
import { REPORTS_DIR, writeFileAtomic } from '../output.ts';
import type { ReportData } from './data.ts';
import { renderReport } from './html.ts';
import { formatItf, type ItfTrace } from './itf.ts';
import { reportToOtlpJson } from './otlp.ts';

/** The default report file of a trace file: `reports/<its name>.html`. */
export function reportPathForTrace(traceFile: string, dir: string = REPORTS_DIR): string {
  return join(dir, `${basename(traceFile).replace(/\.json$/i, '')}.html`);
}

/** Write a report page; returns the path. */
export function writeReport(path: string, data: ReportData): string {
  writeFileAtomic(path, renderReport(data));
  return path;
}

/** Write an ITF trace; returns the path. */
export function writeItf(path: string, t: ItfTrace): string {
  writeFileAtomic(path, formatItf(t));
  return path;
}

/** Write a report's counterexample as an OpenTelemetry trace (OTLP/JSON); returns the path. */
export function writeOtlp(path: string, data: ReportData): string {
  writeFileAtomic(path, reportToOtlpJson(data));
  return path;
}
