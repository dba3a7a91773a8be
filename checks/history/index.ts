/**
 * Checking recorded histories (linearizability, and the sequential, causal and eventual levels):
 * the public surface.
 *
 * ```ts
 * import { checkHistory, loadHistoryFile } from './checks/history/index.ts';
 * const { model, history } = await loadHistoryFile('history.edn', { model: 'cas-register' });
 * const result = checkHistory(model.spec, history, { timeLimitMs: 10_000 });
 * ```
 */
export { describeSource, makeHistory, sortProcesses, summarize } from '../../impl/core/history/history.ts';
export type { History, HistorySummary, Operation, OperationInit, ProcessId, SourceSpan } from '../../impl/core/history/history.ts';
export { checkHistory, DEFAULT_HISTORY_BOUNDS, partitionHistory } from '../../impl/core/history/search.ts';
export type { Explanation, HistoryCheckOptions, HistoryCheckResult, HistoryStats, LinearizabilityVerdict, PartitionResult } from '../../impl/core/history/search.ts';
export { ednGet, ednHas, isEdnMap, readEdn, readEdnAll, showEdn } from './edn.ts';
export type { EdnChar, EdnKeyword, EdnList, EdnMap, EdnSet, EdnSymbol, EdnTagged, EdnValue, EdnVector } from './edn.ts';
export { ednToPlain, jepsenEventsFromEdn, jepsenEventsFromEtcd, jepsenEventsFromKvLog, pairJepsenEvents, showPlain } from './jepsen.ts';
export type { JepsenCompletion, JepsenEvent, JepsenOp, JepsenType, Plain } from './jepsen.ts';
export { JSON_HISTORY_FORMAT, parseJsonHistory } from './json-format.ts';
export type { JsonHistory, JsonOp } from './json-format.ts';
export { HISTORY_MODEL_NAMES, historyModel, isHistoryModelName } from './models.ts';
export type { AnyHistoryModel, HistoryModel, HistoryModelName, HistoryModelOptions, OpIO } from './models.ts';
export { detectFormat, HISTORY_FORMATS, isHistoryFormat, loadHistoryFile, parseHistory } from './load.ts';
export type { HistoryFormat, LoadedHistory, ParseHistoryOptions } from './load.ts';
export { describeOperation, explanationLines, explanationReport, operationReport, statsLine, verdictLine } from './report.ts';
export type { ExplanationTextOptions, OperationReport } from './report.ts';
export { buildTimeline, renderTimeline, TIMELINE_LEGEND } from '../../impl/core/history/timeline.ts';
export type { RenderTimelineOptions, TimelineData, TimelineMark, TimelineOp, TimelineOptions, TimelineStatus } from '../../impl/core/history/timeline.ts';
export { verifyLinearization } from './verify.ts';
export { checkSequential, sessionPredecessors, verifySequentialOrder } from '../../impl/core/history/sequential.ts';
export type { SequentialExplanation, SequentialResult, SequentialVerdict } from '../../impl/core/history/sequential.ts';
export { causalUnsupported, checkCausal, INITIAL } from '../../impl/core/history/causal.ts';
export type { CausalEdge, CausalResult, CausalVerdict, CausalViolation, PathStep, SessionGuarantee } from '../../impl/core/history/causal.ts';
export { checkEventual } from '../../impl/core/history/eventual.ts';
export type { EventualOptions, EventualResult, EventualVerdict, EventualViolation, KeyWindow } from '../../impl/core/history/eventual.ts';
export { accessesOf, historyAccesses, showKey } from './accesses.ts';
export type { Access } from './accesses.ts';
export { checkLevel, checkStrongest, CONSISTENCY_LEVELS, isConsistencyLevel, levelLine, levelUnsupported, violationLines, witnessLines } from './levels.ts';
export type { ConsistencyLevel, LevelCheckOptions, LevelDetail, LevelOutcome, StrongestResult } from './levels.ts';
export { checkCorpusEntry, CORPUS_FAMILIES, corpusRoot, loadCorpus } from './corpus.ts';
export type { CorpusEntry, CorpusOutcome } from './corpus.ts';
