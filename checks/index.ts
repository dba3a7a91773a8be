/**
 * dscheck's public TypeScript surface: the machine contract, the runners, traces and
 * refinement. Import from here; the modules behind it are internal.
 */
export {
  defineModel,
  int,
  bool,
  oneOf,
  instantiate,
  variantOverrides,
  resolveParams,
  defaultParams,
  assertNever,
  InputError,
} from '../impl/core/machine.ts';
export type {
  Machine,
  AnyMachine,
  FrontierCodec,
  Model,
  AnyModel,
  Invariant,
  TransitionProperty,
  Witness,
  Verdict,
  TraceEvent,
  ParamSpec,
  IntParam,
  BoolParam,
  EnumParam,
  ParamSchema,
  ParamValue,
  ParamsOf,
  ModelParams,
  BugSpec,
  WitnessNeeds,
} from '../impl/core/machine.ts';
export { WordBuffer, canonicalKey, canonicalEqual, hashWords } from '../impl/core/encode.ts';
export type { Encoder } from '../impl/core/encode.ts';
export { explore, exploreAsync, DEFAULT_BOUNDS, PURITY_FIRST_STATES } from './exhaustive.ts';
export { PurityError, guardPurity, deepFreeze } from './engine/purity.ts';
export type { PurityGuard } from './engine/purity.ts';
export { symmetryPlan, sampleSymmetry } from './symmetric.ts';
export type { SymmetryPlan, SymmetryBreak, RenamingMachine, SampleSymmetryOptions } from './symmetric.ts';
export type { ExploreOptions, ExploreStats, ExploreProgress } from './exhaustive.ts';
export { selectChecks, checkNames, throwIfViolation, PropertyViolationError, witnessesInContext, unmetNeeds } from '../impl/core/result.ts';
export type { CheckResult, BoundHit, BoundKind, WitnessResult, RunStats } from '../impl/core/result.ts';
export { refines } from '../impl/core/refinement.ts';
export type { RefinementOptions } from '../impl/core/refinement.ts';
export {
  traceFromIndices,
  lastState,
  formatTrace,
  describeViolation,
  diffViews,
  toTraceFile,
  toPlain,
  TRACE_FORMAT,
  TRACE_VERSION,
} from '../impl/core/trace.ts';
export type { Trace, TraceStep, Violation, ViolationKind, TraceFile, TraceModule, TraceOrigin, FieldChange } from '../impl/core/trace.ts';
export { checkRandom, checkRandomAsync, assertRandom, drawnConfig, drawKinds, RANDOM_DEFAULTS } from './random.ts';
export type { RandomOptions, RandomResult, RandomStats, ConfigDraw, DrawAxis, Schedule } from './random.ts';
export { checkModelRandom, checkModelRandomAsync, modelDraw, randomSetup } from './random/config.ts';
export type { DrawRanges, DrawValues } from '../impl/core/machine.ts';
