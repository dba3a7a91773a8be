/**
 * Reports: self-contained HTML pages of runs, traces and histories, the index of a reports
 * folder, ITF export and validation, and coverage. The public surface of `checks/report/`.
 *
 * ```ts
 * import { exhaustiveCoverage, reportFromRun, renderReport, traceToItf, validateItf } from './checks/report/index.ts';
 * const result = explore(machine);
 * const coverage = exhaustiveCoverage(machine);
 * writeFileSync('report.html', renderReport(reportFromRun({ machine, model: 'twophase', params, mode: 'bfs', result, bounds: [], coverage })));
 * ```
 */
export {
  REPORT_FORMAT,
  REPORT_VERSION,
  reportFromRun,
  reportFromTraceFile,
  reportFromHistory,
  reportTitle,
  statsFields,
  originFields,
  checksOf,
  stepsOf,
  boundText,
  fmtMs,
  fmtNum,
} from './data.ts';
export type {
  ReportData,
  ReportStatus,
  ReportStep,
  ReportViolation,
  ReportCheck,
  ReportWitness,
  ReportHistory,
  Field,
  RunReportInput,
  TraceFileReportInput,
  HistoryReportInput,
} from './data.ts';
export { renderReport, summaryOf, scriptJson, page, REPORT_CSP } from './html.ts';
export type { ReportSummary } from './html.ts';
export { listReports, readSummary, renderIndex } from './folder.ts';
export type { IndexEntry } from './folder.ts';
export { diagramSvg, timelineSvg, messageLegend, messageType, esc, cut } from './svg.ts';
export type { DiagramLayout, DiagramSvgOptions } from './svg.ts';
export { toItfValue, traceToItf, traceFileToItf, formatItf, validateItf, ITF_SPEC_URL } from './itf.ts';
export type { ItfValue, ItfState, ItfTrace, ItfMeta } from './itf.ts';
export {
  exhaustiveCoverage,
  exhaustiveCoverageAsync,
  randomCoverage,
  randomCoverageAsync,
  formatCoverage,
  declaredKinds,
  actionDetail,
  NEVER_FIRED_WARNING,
} from './coverage.ts';
export type { Coverage, KindCoverage, DetailCoverage } from './coverage.ts';
export { reportPathForTrace, writeReport, writeItf } from './outputs.ts';
export { viewerMain } from './viewer.ts';
export { REPORT_CSS } from './style.ts';
