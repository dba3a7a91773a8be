/**
 * Sequential specifications for linearizability checking: the interface and the bundled models.
 */
export { accept, REJECT, showValue, valueKey } from '../../impl/core/history/spec.ts';
export type { AnySequentialSpec, RegisterValue, SequentialSpec, StepResult } from '../../impl/core/history/spec.ts';
export { casRegisterSpec, registerSpec } from './register.ts';
export type { CasRegisterInput, CasRegisterOutput, RegisterInput, RegisterOutput } from './register.ts';
export { kvSpec } from './kv.ts';
export type { KvInput, KvOutput, KvState } from './kv.ts';
export { multiRegisterSpec } from './multi-register.ts';
export type { MicroOp, MultiRegisterInput, MultiRegisterOutput, MultiRegisterState } from './multi-register.ts';
