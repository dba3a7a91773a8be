/**
 * Primary failover guarded by fencing tokens or by STONITH ("shoot the other node in the head").
 *
 * Nodes: db1 (the primary, token 1), db2 (the standby), st1 (a shared storage), sw1 (a power
 * switch with an outlet per database node). db1 sends heartbeats on a `beat` timer; db2 counts
 * missed heartbeat periods on a `check` timer (`impl/failover/election.ts` describes the
 * detector) and, after `k` of them, takes over. The detector can be wrong: db1 may only be slow
 * (a GC pause, a congested link), still believe it is primary, and keep serving clients. The
 * takeover is safe only if something stops that deposed primary:
 *
 * - **Fencing tokens** (Kleppmann, "How to do distributed locking", 2016; Chubby's sequencers):
 *   every primary writes to the storage with its token; the storage accepts a write only with a
 *   token at least as large as the largest it has seen. The standby takes over with token 2 (in
 *   a real system the token comes from the consensus service that decided the failover; here
 *   there is one failover, so it is 2). A late write of db1 under token 1 is rejected once the
 *   storage has seen token 2. Bug `no-token-check`: the storage accepts every write, so db1's
 *   late write lands after db2's — a lost update.
 * - **STONITH**: a primary applies client writes to its own disk; before serving, the standby
 *   asks the power switch to cut db1's power and waits for the switch to confirm. The switch is
 *   accurate: it confirms only after the outlet is dead (it cuts db1, db1 goes dark, the switch
 *   sees it and answers). The standby retries on its `stonith` timer for as long as it takes:
 *   unavailable while the switch is unreachable, but never two primaries. Bug
 *   `stonith-unreachable`: when the switch does not answer in time (a partition between the
 *   standby and the switch, or just a slow one), the standby assumes db1 is dead and serves —
 *   and db1, alive on the other side, serves too. Bug `inaccurate-switch`: the switch confirms
 *   the command, not the effect, so the standby serves while db1's power is still on.
 *
 * The ghost records every write that took effect (on the storage, or on a primary's disk) with
 * the writer and its token, in order; `specs/failover/primary.ts` checks that tokens never go
 * down in that order (reusing `specs/lease.ts`'s `fenced-writes`).
 */
import { assertNever } from '../core/machine.ts';
import { S } from '../env/schema.ts';
import { defineProtocol, type Ctx, type NodeId, type Protocol, type Reaction, type SchemaTypes } from '../env/types.ts';

/** How the takeover is made safe. */
export type PrimaryGuard = 'fencing' | 'stonith';

/** The model's bounds. */
export interface PrimaryShape {
  /** Missed heartbeat periods before the standby suspects the primary (≥ 1). */
  readonly k: number;
  /** Client writes in total (the ghost's bound). */
  readonly requests: number;
  readonly guard: PrimaryGuard;
}

/** The data, for a shape. */
export const primarySchema = (shape: PrimaryShape) => {
  const TOKEN = S.int(0, 2);
  return {
    durable: S.union('role', {
      db: { primary: S.bool(), token: TOKEN, powered: S.bool() },
      storage: { maxToken: TOKEN },
      switch: { requester: S.optional(S.node('db')) },
    }),
    volatile: S.union('role', {
      db: {
        missed: S.int(0, shape.k),
        heard: S.bool(),
        /** STONITH: waiting for the switch to confirm. */
        waiting: S.bool(),
        /** Suspected the primary (the detector fired). */
        suspects: S.bool(),
      },
      storage: {},
      switch: {},
    }),
    /** `Write(token 2)`, `PowerOff(db1)` in traces; the others by their type (the derived default). */
    msg: S.labelled(
      S.union('type', {
        Heartbeat: {},
        Write: { token: TOKEN },
        PowerOff: { target: S.node('db') },
        Cut: {},
        Dark: {},
        PoweredOff: {},
      }),
      (m, at) => (m.type === 'Write' ? `Write(token ${m.token})` : m.type === 'PowerOff' ? `PowerOff(${at.name(m.target)})` : undefined),
    ),
    ghost: S.record({
      // `db2 token 2` in traces.
      accepted: S.list(S.labelled(S.record({ client: S.node('db'), token: TOKEN }), (w, at) => `${at.name(w.client)} token ${w.token}`), Math.max(1, shape.requests)),
      rejected: S.int(0, Math.max(1, shape.requests)),
    }),
    request: S.labelled(S.record({ op: S.enum('write') }), () => 'write'),
  };
};

/** The types. */
export interface PrimaryTypes extends SchemaTypes<ReturnType<typeof primarySchema>> {
  readonly timer: 'beat' | 'check' | 'stonith';
  readonly request: { readonly op: 'write' };
}
type P = PrimaryTypes;
type Db = Extract<P['durable'], { role: 'db' }>;
type DbVol = Extract<P['volatile'], { role: 'db' }>;
type DbNode = { readonly durable: Db; readonly volatile: DbVol };

const IDLE: DbVol = { role: 'db', missed: 0, heard: false, waiting: false, suspects: false };

/** The ids: db1, db2, st1, sw1. */
export const PRIMARY_IDS = { db1: 1, db2: 2, storage: 3, switch: 4 } as const;

/** What a known-bug variant overrides: the storage's check, and what the standby does when the switch is silent. */
export interface PrimaryRules {
  /** Does the storage accept a write under `token` when the largest it has seen is `maxToken`? */
  accepts(token: number, maxToken: number): boolean;
  /** STONITH: the `stonith` timer fired before the switch confirmed: retry (correct) or serve. */
  onSwitchSilent: 'retry' | 'serve';
  /** When the switch confirms a power-off: once it sees the outlet dark (accurate), or as soon as it takes the command. */
  switchConfirms: 'when-dark' | 'on-command';
}

/** The correct rules. */
export const CORRECT_PRIMARY_RULES: PrimaryRules = { accepts: (token, maxToken) => token >= maxToken, onSwitchSilent: 'retry', switchConfirms: 'when-dark' };

/** The protocol. */
export function primaryProtocol(shape: PrimaryShape, rules: PrimaryRules = CORRECT_PRIMARY_RULES): Protocol<P> {
  if (!Number.isInteger(shape.k) || shape.k < 1) throw new RangeError(`primary: k must be ≥ 1, got ${shape.k}`);
  const { db1, storage, switch: sw } = PRIMARY_IDS;

  const serve = (ctx: Ctx<P>, node: DbNode): Reaction<P> => ({
    durable: { ...node.durable, primary: true, token: 2 },
    volatile: { ...node.volatile, waiting: false },
    effects: [ctx.cancelTimer('check'), ctx.cancelTimer('stonith'), ctx.note('serves as primary (token 2)')],
  });

  /** The standby suspects the primary: take over, guarded. */
  const takeOver = (ctx: Ctx<P>, node: DbNode): Reaction<P> => {
    const n = { ...node, volatile: { ...node.volatile, suspects: true } };
    if (shape.guard === 'fencing') return serve(ctx, n); // the storage fences db1 from here on
    return { durable: n.durable, volatile: { ...n.volatile, waiting: true }, effects: [ctx.send(sw, { type: 'PowerOff', target: db1 }), ctx.setTimer('stonith')] };
  };

  const onDbMessage = (ctx: Ctx<P>, node: DbNode, msg: P['msg']): Reaction<P> => {
    const d = node.durable;
    const v = node.volatile;
    switch (msg.type) {
      case 'Heartbeat':
        return d.primary ? node : { durable: d, volatile: { ...v, heard: true } };
      case 'Cut': // the outlet goes dead: whatever db1 believed, it serves no more
        return { durable: { ...d, primary: false, powered: false }, volatile: IDLE, effects: [ctx.cancelTimer('beat'), ctx.send(sw, { type: 'Dark' }), ctx.note('powered off')] };
      case 'PoweredOff':
        return v.waiting ? serve(ctx, node) : node;
      default:
        return node;
    }
  };

  const onStorageMessage = (ctx: Ctx<P>, d: Extract<P['durable'], { role: 'storage' }>, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    if (msg.type !== 'Write') return null;
    if (!rules.accepts(msg.token, d.maxToken)) return { durable: d, volatile: { role: 'storage' }, effects: [ctx.ghost((g) => ({ ...g, rejected: g.rejected + 1 })), ctx.note(`rejects token ${msg.token} (seen ${d.maxToken})`)] };
    return {
      durable: { role: 'storage', maxToken: Math.max(d.maxToken, msg.token) },
      volatile: { role: 'storage' },
      effects: [ctx.ghost((g) => ({ ...g, accepted: [...g.accepted, { client: from, token: msg.token }] })), ctx.note(`accepts ${ctx.name(from)}'s write (token ${msg.token})`)],
    };
  };

  const onSwitchMessage = (ctx: Ctx<P>, d: Extract<P['durable'], { role: 'switch' }>, msg: P['msg'], from: NodeId): Reaction<P> | null => {
    switch (msg.type) {
      case 'PowerOff': {
        const cut = ctx.send(msg.target, { type: 'Cut' });
        // An inaccurate switch confirms the command, not the effect: the cut may not have happened yet (or ever).
        if (rules.switchConfirms === 'on-command') return { durable: { role: 'switch', requester: null }, volatile: { role: 'switch' }, effects: [cut, ctx.send(from, { type: 'PoweredOff' })] };
        return { durable: { role: 'switch', requester: from }, volatile: { role: 'switch' }, effects: [cut] };
      }
      case 'Dark': // an accurate switch confirms only what it has seen: the outlet is dead
        return d.requester === null ? null : { durable: d, volatile: { role: 'switch' }, effects: [ctx.send(d.requester, { type: 'PoweredOff' })] };
      default:
        return null;
    }
  };

  return defineProtocol<P>({
    name: 'primary',
    schema: primarySchema(shape),
    roles: {
      db: { count: 2, prefix: 'db', crashes: false, symmetric: false },
      storage: { count: 1, prefix: 'st', crashes: false },
      switch: { count: 1, prefix: 'sw', crashes: false },
    },
    timers: ['beat', 'check', 'stonith'],
    initGhost: { accepted: [], rejected: 0 },
    init(ctx) {
      if (ctx.role === 'storage') return { durable: { role: 'storage', maxToken: 0 }, volatile: { role: 'storage' } };
      if (ctx.role === 'switch') return { durable: { role: 'switch', requester: null }, volatile: { role: 'switch' } };
      const primary = ctx.self === db1;
      return { durable: { role: 'db', primary, token: primary ? 1 : 0, powered: true }, volatile: IDLE, effects: [ctx.setTimer(primary ? 'beat' : 'check')] };
    },
    onRestart: (_ctx, durable) => ({ durable, volatile: durable.role === 'db' ? IDLE : { role: durable.role } }),
    onMessage(ctx, node, msg, from) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role === 'storage') return onStorageMessage(ctx, d, msg, from) ?? node;
      if (d.role === 'switch') return onSwitchMessage(ctx, d, msg, from) ?? node;
      if (v.role !== 'db') return node;
      return onDbMessage(ctx, { durable: d, volatile: v }, msg);
    },
    onTimer(ctx, node, timer) {
      const d = node.durable;
      const v = node.volatile;
      if (d.role !== 'db' || v.role !== 'db' || !d.powered) return node;
      switch (timer) {
        case 'beat':
          return { ...node, effects: [ctx.send(PRIMARY_IDS.db2, { type: 'Heartbeat' }), ctx.setTimer('beat')] };
        case 'check': {
          if (d.primary || v.waiting) return node;
          if (v.heard) return { durable: d, volatile: { ...v, heard: false, missed: 0 }, effects: [ctx.setTimer('check')] };
          const missed = Math.min(shape.k, v.missed + 1);
          if (missed < shape.k) return { durable: d, volatile: { ...v, missed }, effects: [ctx.setTimer('check')] };
          return takeOver(ctx, { durable: d, volatile: { ...v, missed } });
        }
        case 'stonith':
          if (!v.waiting) return node;
          // The switch has not confirmed. Only an accurate confirmation makes serving safe.
          if (rules.onSwitchSilent === 'serve') return { ...serve(ctx, { durable: d, volatile: v }), effects: [ctx.note('switch silent: assumes db1 is dead')] };
          return { ...node, effects: [ctx.send(sw, { type: 'PowerOff', target: db1 }), ctx.setTimer('stonith')] };
        default:
          return assertNever(timer);
      }
    },
    requests: [{ op: 'write' }],
    acceptsRequest: (_ctx, node) => node.durable.role === 'db' && node.durable.primary && node.durable.powered,
    onClientRequest(ctx, node) {
      const d = node.durable;
      if (d.role !== 'db') return node;
      if (shape.guard === 'fencing') return { ...node, effects: [ctx.send(storage, { type: 'Write', token: d.token })] };
      // STONITH: the primary applies the write to its own disk.
      return { ...node, effects: [ctx.ghost((g) => ({ ...g, accepted: [...g.accepted, { client: ctx.self, token: d.token }] })), ctx.note(`applies the write as primary (token ${d.token})`)] };
    },
  });
}

/** The known-bug variants' rules. */
export const NO_TOKEN_CHECK: PrimaryRules = { ...CORRECT_PRIMARY_RULES, accepts: () => true };
/** STONITH through a switch that confirms a power-off as soon as it takes the command. */
export const INACCURATE_SWITCH: PrimaryRules = { ...CORRECT_PRIMARY_RULES, switchConfirms: 'on-command' };
/** STONITH that serves when the switch is silent. */
export const SERVE_ON_SILENT_SWITCH: PrimaryRules = { ...CORRECT_PRIMARY_RULES, onSwitchSilent: 'serve' };
