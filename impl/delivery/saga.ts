/**
 * An orchestrated saga (Garcia-Molina & Salem, "Sagas", SIGMOD 1987; Richardson, "Microservices
 * Patterns", ch. 4): a transaction across services as a sequence of local transactions T1..Tn,
 * each with a compensation C1..Cn; if step i fails, C(i-1)..C1 undo the completed steps.
 *
 * Roles: orchestrator o1, step services s1..sN (service i runs step i). All may crash.
 *
 * - The orchestrator's saga log (phase, current step, steps compensated) is durable. A client
 *   request starts the saga; the orchestrator sends `Do(i)` for one step at a time and retries
 *   (timer `retry`) until it hears `Done(i)` or `Failed(i)`; after a crash it resumes from its
 *   log. On `Failed(i)` it sends `Undo(j)` to every completed step j < i, retrying each until
 *   `Undone(j)`; the saga is aborted once all are compensated, done once step N is done.
 * - A service runs its step as one local transaction (the charge, and its status `done`, or
 *   the status `rejected`: a business failure, its choice). Both outcomes are durable, so a
 *   retried `Do` gets the same answer and never runs the step twice. `Undo` on a done step
 *   refunds and marks it `compensated`, in one local transaction; a retried `Undo` finds it
 *   compensated and only answers.
 *
 * Known-bug variant `non-idempotent-compensation`: `Undo` refunds every time it arrives, so a
 * retried compensation refunds twice.
 */
import { assertNever } from '../core/machine.ts';
import { envMachine, type EnvChecks, type EnvMachine } from '../env/machine.ts';
import type { EnvConfig } from '../env/config.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type EnvState, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** The saga's data, for `steps` steps. */
export const sagaSchema = (steps: number) => {
  const Step = S.int(1, steps);
  return {
    durable: S.union('role', {
      orchestrator: { phase: S.enum('idle', 'running', 'compensating', 'done', 'aborted'), step: S.int(0, steps), undone: S.set(Step, steps) },
      /** `charged` and `refunded` count the step's effect and its compensation's. */
      service: { status: S.enum('none', 'done', 'rejected', 'compensated'), charged: S.int(0, 7), refunded: S.int(0, 7) },
    }),
    volatile: S.union('role', { orchestrator: {}, service: { asked: S.bool() } }),
    /** `Do(step 1)` in traces. */
    msg: S.labelled(S.union('type', { Do: { step: Step }, Done: { step: Step }, Failed: { step: Step }, Undo: { step: Step }, Undone: { step: Step } }), (m) => `${m.type}(step ${m.step})`),
    /** A compensation arrived again at a step already compensated. */
    ghost: S.record({ undoRepeated: S.bool() }),
    request: S.labelled(S.enum('start'), () => 'start saga'),
    local: S.labelled(S.enum('commit', 'reject'), (a) => (a === 'commit' ? 'run the step (commit)' : 'reject the step (business failure)')),
  };
};

/** The saga's types. */
export interface SagaTypes extends SchemaTypes<ReturnType<typeof sagaSchema>> {
  readonly timer: 'retry';
  readonly request: 'start';
  /** A service asked to run its step commits it or rejects it. */
  readonly local: 'commit' | 'reject';
}
type G = SagaTypes;
type Service = Extract<G['durable'], { role: 'service' }>;
type Orchestrator = Extract<G['durable'], { role: 'orchestrator' }>;
/** The saga's state. */
export type SagaState = EnvState<G>;
/** The saga's machine. */
export type SagaMachine = EnvMachine<G>;

const ORCHESTRATOR = 1;
/** Service i's node id. */
export const serviceNode = (step: number): number => step + 1;
const stepOf = (id: number): number => id - 1;

/** A service's handler for `Undo`: the part the known-bug variant replaces. */
type Compensate = (ctx: Ctx<G>, d: Service) => Reaction<G>;
const ASKED = { role: 'service', asked: true } as const;
const QUIET = { role: 'service', asked: false } as const;

/** Refund once: a step already compensated only answers. */
const compensateOnce: Compensate = (ctx, d) => {
  const answer = ctx.send(ORCHESTRATOR, { type: 'Undone', step: stepOf(ctx.self) });
  if (d.status === 'compensated') return { durable: d, volatile: QUIET, effects: [answer, ctx.ghost(() => ({ undoRepeated: true }))] };
  if (d.status !== 'done') return { durable: d, volatile: QUIET, effects: [answer] }; // nothing to undo
  return { durable: { ...d, status: 'compensated', refunded: d.refunded + 1 }, volatile: QUIET, effects: [answer] };
};

/** Refund on every Undo. */
const compensateAlways: Compensate = (ctx, d) => ({
  durable: { ...d, status: 'compensated', refunded: d.refunded + 1 },
  volatile: QUIET,
  effects: [ctx.send(ORCHESTRATOR, { type: 'Undone', step: stepOf(ctx.self) }), ...(d.status === 'compensated' ? [ctx.ghost(() => ({ undoRepeated: true }))] : [])],
});

/** The saga with `steps` steps and the services' compensation handler. */
export function sagaProtocol(steps: number, compensate: Compensate = compensateOnce): Protocol<G> {
  const doStep = (ctx: Ctx<G>, step: number) => ctx.send(serviceNode(step), { type: 'Do', step });
  const undoStep = (ctx: Ctx<G>, step: number) => ctx.send(serviceNode(step), { type: 'Undo', step });
  /** The compensations still owed: completed steps before the failed one, not yet undone. */
  const owed = (o: Orchestrator) => Array.from({ length: Math.max(0, o.step - 1) }, (_, j) => j + 1).filter((j) => !o.undone.includes(j));
  const resend = (ctx: Ctx<G>, o: Orchestrator) => (o.phase === 'running' ? [doStep(ctx, o.step)] : o.phase === 'compensating' ? owed(o).map((j) => undoStep(ctx, j)) : []);
  const active = (o: Orchestrator) => o.phase === 'running' || o.phase === 'compensating';

  const stepOrchestrator = (ctx: Ctx<G>, o: Orchestrator, msg: G['msg']): Reaction<G> | null => {
    switch (msg.type) {
      case 'Done':
        if (o.phase !== 'running' || msg.step !== o.step) return null; // a late answer
        if (o.step === steps) return { durable: { ...o, phase: 'done' }, volatile: { role: 'orchestrator' }, effects: [ctx.cancelTimer('retry'), ctx.note('saga done')] };
        return { durable: { ...o, step: o.step + 1 }, volatile: { role: 'orchestrator' }, effects: [doStep(ctx, o.step + 1), ctx.setTimer('retry')] };
      case 'Failed': {
        if (o.phase !== 'running' || msg.step !== o.step) return null;
        const next: Orchestrator = { ...o, phase: 'compensating' };
        if (owed(next).length === 0) return { durable: { ...next, phase: 'aborted' }, volatile: { role: 'orchestrator' }, effects: [ctx.cancelTimer('retry'), ctx.note('saga aborted')] };
        return { durable: next, volatile: { role: 'orchestrator' }, effects: [...resend(ctx, next), ctx.setTimer('retry')] };
      }
      case 'Undone': {
        if (o.phase !== 'compensating' || o.undone.includes(msg.step) || msg.step >= o.step) return null;
        const next: Orchestrator = { ...o, undone: [...o.undone, msg.step] };
        if (owed(next).length > 0) return { durable: next, volatile: { role: 'orchestrator' } };
        return { durable: { ...next, phase: 'aborted' }, volatile: { role: 'orchestrator' }, effects: [ctx.cancelTimer('retry'), ctx.note('saga aborted')] };
      }
      default:
        return null;
    }
  };

  const stepService = (ctx: Ctx<G>, d: Service, msg: G['msg']): Reaction<G> | null => {
    switch (msg.type) {
      case 'Do':
        // A step already decided answers the same again; an undecided one is asked.
        if (d.status === 'none') return { durable: d, volatile: ASKED };
        return { durable: d, volatile: QUIET, effects: [ctx.send(ORCHESTRATOR, { type: d.status === 'rejected' ? 'Failed' : 'Done', step: msg.step })] };
      case 'Undo':
        return compensate(ctx, d);
      default:
        return null;
    }
  };

  return defineProtocol<G>({
    name: 'saga',
    schema: sagaSchema(steps),
    roles: { orchestrator: { count: 1, prefix: 'o' }, service: { count: steps, prefix: 's', symmetric: false } },
    timers: ['retry'],
    initGhost: { undoRepeated: false },
    init: (ctx) =>
      ctx.role === 'orchestrator'
        ? { durable: { role: 'orchestrator', phase: 'idle', step: 0, undone: [] }, volatile: { role: 'orchestrator' } }
        : { durable: { role: 'service', status: 'none', charged: 0, refunded: 0 }, volatile: QUIET },
    // The orchestrator resumes from its saga log: the retry timer resends what is outstanding.
    onRestart: (ctx, d) =>
      d.role === 'orchestrator' ? { durable: d, volatile: { role: 'orchestrator' }, effects: active(d) ? [ctx.setTimer('retry')] : [] } : { durable: d, volatile: QUIET },
    requests: ['start'],
    acceptsRequest: (ctx, node) => ctx.role === 'orchestrator' && node.durable.role === 'orchestrator' && node.durable.phase === 'idle',
    onClientRequest: (ctx, node) => {
      const d = node.durable;
      if (d.role !== 'orchestrator') return node;
      return { durable: { ...d, phase: 'running', step: 1 }, volatile: node.volatile, effects: [doStep(ctx, 1), ctx.setTimer('retry')] };
    },
    onMessage(ctx, node, msg) {
      const d = node.durable;
      const r = d.role === 'orchestrator' ? stepOrchestrator(ctx, d, msg) : d.role === 'service' ? stepService(ctx, d, msg) : assertNever(d);
      return r ?? node;
    },
    onTimer: (ctx, node) => {
      const d = node.durable;
      if (d.role !== 'orchestrator' || !active(d)) return node;
      return { ...node, effects: [...resend(ctx, d), ctx.setTimer('retry')] };
    },
    localActions: (_ctx, node) => (node.durable.role === 'service' && node.durable.status === 'none' && node.volatile.role === 'service' && node.volatile.asked ? ['commit', 'reject'] : []),
    // The step's local transaction: its effect and its status together, then the answer.
    onLocal: (ctx, node, a) => {
      const d = node.durable;
      if (d.role !== 'service') return node;
      const step = stepOf(ctx.self);
      if (a === 'commit') return { durable: { ...d, status: 'done', charged: d.charged + 1 }, volatile: QUIET, effects: [ctx.send(ORCHESTRATOR, { type: 'Done', step })] };
      return { durable: { ...d, status: 'rejected' }, volatile: QUIET, effects: [ctx.send(ORCHESTRATOR, { type: 'Failed', step })] };
    },
  });
}

/** The saga's known-bug variants. */
export type SagaBug = 'non-idempotent-compensation';

/** The saga in the environment with `checks`. */
export function makeSaga(steps: number, config: Partial<EnvConfig>, bug: SagaBug | 'none', checks: EnvChecks<G>): SagaMachine {
  const protocol = bug === 'none' ? sagaProtocol(steps) : bug === 'non-idempotent-compensation' ? sagaProtocol(steps, compensateAlways) : assertNever(bug);
  return envMachine(protocol, { ...config, requests: Math.min(config.requests ?? 1, 1) }, checks);
}
