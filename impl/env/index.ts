/**
 * # The shared environment (`impl/env`)
 *
 * Everything in a distributed system that is not the protocol: nodes that crash and restart,
 * a network that delays, reorders, loses, duplicates and partitions messages, timers, clients
 * and physical clocks. A protocol only says how one node reacts; {@link envMachine} turns it
 * into a checker {@link Machine} whose actions are every delivery, fault, timer fire, client
 * request, local step and clock tick the configuration allows, so both runners explore faults
 * with no special case.
 *
 * ## 1. Declare the protocol's data, once
 *
 * A schema (`schema.ts`) says what each part of a node holds: bounded integers, booleans, enums,
 * node ids, node sets, per-node arrays, lists, records, tagged unions, optional values. The
 * TypeScript types come from it, and so does everything the checker needs: the canonical
 * encoding, trace views and message labels, renaming under node permutations (symmetry is sound
 * by construction) and per-node signatures. A handler that produces a value outside the schema
 * (a node that does not exist, a counter above its bound, a missing field) is reported as a
 * counterexample: "step produced an invalid state: n2 durable seq: 9, expected an integer in 0..8".
 *
 * ```ts
 * const pingSchema = {
 *   durable: S.record({ seq: S.int(0, 8) }),                      // survives a crash
 *   volatile: S.record({ waiting: S.optional(S.node()) }),        // lost on a crash
 *   msg: S.union('type', { Ping: { seq: S.int(0, 8) }, Pong: { seq: S.int(0, 8) } }),
 *   ghost: S.record({ pongs: S.int(0, 8) }),                      // history for invariants
 * };
 * interface PingTypes extends SchemaTypes<typeof pingSchema> {
 *   readonly timer: 'retry';                                      // timer names
 *   readonly request: { readonly to: NodeId };                    // client request payloads
 *   readonly local: 'give-up';                                    // spontaneous local steps
 * }
 * ```
 *
 * Node ids are numbers 1..n (`n1`..`nN` in traces, or role names, section 7). Bounds may depend
 * on the configuration: `schema: (cfg) => ({ … S.int(0, cfg.requests) … })`.
 *
 * ## 2. Write the handlers
 *
 * Every handler is pure: `(ctx, node, input) => { durable, volatile, effects }`. `node` is the
 * running node's `{ durable, volatile }`; return `{ ...node }` to change nothing, or
 * `{ ...node, effects: [...] }` to only act. `ctx` says who the node is (`self`, `n`, `nodes`,
 * `peers`, `majority`, `clock`, `name(id)`) and builds effects, typed by the protocol:
 *
 * | effect                    | meaning                                                        |
 * |---------------------------|----------------------------------------------------------------|
 * | `ctx.send(to, msg)`       | put `msg` in flight to `to` (itself allowed)                    |
 * | `ctx.broadcast(msg)`      | send to every peer (not itself), in id order                   |
 * | `ctx.setTimer(name)`      | arm a timer (arming an armed timer is a no-op)                 |
 * | `ctx.cancelTimer(name)`   | disarm it                                                      |
 * | `ctx.ghost(g => g2)`      | update the ghost record (a pure function of the old record)   |
 * | `ctx.note(label)`         | annotate the diagram ("becomes leader"); no state change       |
 *
 * Effects apply in order, after the node's new state is installed. The free functions `send`,
 * `broadcast`, `setTimer`, `cancelTimer`, `ghost`, `note` build the same data outside a handler.
 *
 * | member                                   | required when         | called when                                             |
 * |------------------------------------------|-----------------------|---------------------------------------------------------|
 * | `name`                                   | always                | model name                                              |
 * | `init(ctx)`                              | always                | building node `ctx.self` (return durable, volatile, effects) |
 * | `onRestart(ctx, durable)`                | always                | a crashed node restarts: rebuild volatile from durable  |
 * | `onMessage(ctx, node, msg, from)`        | always                | a message is delivered to a running node                 |
 * | `timers: [...]`, `onTimer(ctx, node, t)` | `timer` declared      | an armed timer fires (it is disarmed first)             |
 * | `requests`, `onClientRequest(ctx, node, req)`, `acceptsRequest?` | `request` declared | a client request arrives (budget `requests`) |
 * | `localActions(ctx, node)`, `onLocal(ctx, node, a)` | `local` declared | the node takes a spontaneous step it offered       |
 * | `initGhost`                              | `ghost` declared      | the initial ghost record                                |
 * | `onTick?(ctx, node)`                     | optional              | the node's clock advanced to `ctx.clock`                |
 *
 * `requests` is a list of payloads, or `(seq, n) => payloads` where `seq` counts the requests
 * made so far (use it for unique values: `write(seq + 1)`). Each payload is offered to every
 * running node for which `acceptsRequest` (default: always) holds.
 *
 * **Short labels** come from the schema too. By default a node's state views as JSON with node
 * names, and a message as `Type(field=value, …)`. `S.labelled(schema, (v, at) => string)` gives a
 * value a short label that every derived view uses instead: node views, the ghost view, the
 * network, message labels, diagrams. `at.name(id)` names node ids, so role names and renamings
 * apply. `at.show(part, x)` shows a part by its own label. `at.node` and `at.index` say where
 * the value sits (its per-node entry, its position in a list). A label that returns `undefined`
 * falls back to the plain view.
 *
 * ```ts
 * const Ballot = S.labelled(S.record({ round: S.int(0, 3), node: S.node() }), (b, at) => `${b.round}.${at.name(b.node)}`);
 * msg: S.union('type', { Prepare: { b: Ballot } }),            // deliver n1→n2 Prepare(b=2.n1)
 * msg: S.labelled(S.union('type', { Stamp: { ev: S.int(0, 9), stamp } }), (m, at) => `Stamp(${at.show(stamp, m.stamp)})`),
 * request: S.labelled(S.record({ w: S.int(1, 9) }), (r) => `put w${r.w}`),   // request n1 put w1
 * local: S.labelled(S.enum('acquire'), () => 'acquire lease'),          // local n1 acquire lease
 * ghost: S.record({ procs: S.inline(S.perNode(…)) }),          // views as { n1: …, n2: … }
 * msgs: S.viewAs(S.record({ prepared: S.nodeSet(), commit: S.bool() }), S.list(Msg), toRecords),
 * ```
 *
 * The optional `request` and `local` schemas are only used for the request and local step
 * labels. `S.inline(field)` spreads a record field's view into the record's view.
 * `S.viewAs(schema, as, map)` shows a value as `as` shows `map(value)` (TwoPhase holds `msgs` as
 * a node set and two flags, and shows the set of message records TwoPhase.tla has). Labels and
 * `viewAs` change nothing else: the encoding, renaming, signatures and validation stay the plain
 * schema's. Every protocol in the repository declares its trace text this way (a layout test,
 * checks/layout/hooks.test.ts, keeps it so). Hand-written `formatMessage`, `formatRequest`,
 * `formatLocal`, `encode*`, `view*` and `symmetry` renamers still override the derived ones, as
 * an escape hatch where a benchmark shows the derived ones are too slow. Without a schema, the encoding falls
 * back to the generic (slower) `out.value(x)`.
 *
 * ```ts
 * const ping = defineProtocol<PingTypes>({
 *   name: 'ping',
 *   schema: pingSchema,
 *   symmetry: {},                                                 // nodes are interchangeable
 *   timers: ['retry'],
 *   initGhost: { pongs: 0 },
 *   init: () => ({ durable: { seq: 0 }, volatile: { waiting: null } }),
 *   onRestart: (_ctx, durable) => ({ durable, volatile: { waiting: null } }),
 *   requests: (_seq, n) => Array.from({ length: n }, (_, i) => ({ to: i + 1 })),
 *   acceptsRequest: (ctx, _node, req) => req.to !== ctx.self,
 *   onClientRequest: (ctx, node, req) => ({
 *     durable: { seq: node.durable.seq + 1 },
 *     volatile: { waiting: req.to },
 *     effects: [ctx.send(req.to, { type: 'Ping', seq: node.durable.seq + 1 }), ctx.setTimer('retry')],
 *   }),
 *   onMessage(ctx, node, msg, from) {
 *     switch (msg.type) {
 *       case 'Ping': return { ...node, effects: [ctx.send(from, { type: 'Pong', seq: msg.seq })] };
 *       case 'Pong':
 *         if (from !== node.volatile.waiting || msg.seq !== node.durable.seq) return node; // stale
 *         return { durable: node.durable, volatile: { waiting: null },
 *                  effects: [ctx.cancelTimer('retry'), ctx.ghost((g) => ({ pongs: g.pongs + 1 }))] };
 *     }
 *   },
 *   onTimer: (ctx, node) => ({ ...node, effects: node.volatile.waiting === null ? [] :
 *                              [ctx.send(node.volatile.waiting, { type: 'Ping', seq: node.durable.seq })] }),
 *   localActions: (_ctx, node) => (node.volatile.waiting !== null ? ['give-up'] : []),
 *   onLocal: (ctx, node) => ({ durable: node.durable, volatile: { waiting: null }, effects: [ctx.cancelTimer('retry')] }),
 * });
 * ```
 *
 * ## 3. Add invariants and build the machine
 *
 * Invariants, transition properties and witnesses read the {@link EnvState} from outside:
 * `s.nodes[id - 1]` is `{ up, durable, volatile (null while down), timers, clock }`, `s.net` the
 * messages in flight (`{ from, to, msg, count }`), `s.partition` (`{ groups, oneWay, cut }` or
 * null), `s.used` the budgets spent, `s.ghost` the ghost record. {@link upNodes} lists the
 * running nodes.
 *
 * ```ts
 * const checks: EnvChecks<PingTypes> = {
 *   invariants: [{ name: 'one-pong-per-ping', check: (s) => s.ghost.pongs <= s.used.requests || 'too many pongs' }],
 *   properties: [],                                   // (prev, action, next) checks
 *   sometimes: [{ name: 'pong', check: (s) => s.ghost.pongs > 0 }],
 *   isTerminal: (s) => s.net.length === 0,            // optional: proper ends, not deadlocks
 * };
 * const machine = envMachine(ping, { nodes: 3, crashes: 1, requests: 2 }, checks);
 * export const pingModel = defineModel({
 *   name: 'ping', doc: '...',
 *   params: { ...envParams(ping, { nodes: 3, crashes: 1, requests: 2 }), eager: bool(false, '...') },
 *   bugs: { forgetful: { doc: 'the counter is not persisted', breaks: ['<the invariant it breaks>'] } },
 *   // `p` holds the env parameters plus `eager` and `bug`; envMachine ignores keys it does not know.
 *   build: (p) => envMachine(p.bug === 'forgetful' ? forgetful : ping, p, checks),
 * });
 * ```
 *
 * The machine is a plain object: `{ ...machine, invariants: [...more] }` also works. It has
 * `encode`, `formatAction` (`deliver n1→n2 Ping(seq=1)`, `timer n1 retry`, `crash n2`,
 * `partition {n1} | {n2,n3}`, `request n1 {"to":2}` unless the request schema labels it),
 * `view` (nodes by name with durable/volatile/timers/clock, network, partition, budgets, ghost),
 * `nodes()` and `events()` (for `checks/diagram.ts`), and `rename(s, perm)`.
 *
 * ## 4. Known-bug variants
 *
 * A variant overrides one handler of the correct protocol, or flips a flag its factory takes:
 *
 * ```ts
 * const forgetful: Protocol<PingTypes> = { ...ping, onRestart: () => ({ durable: { seq: 0 }, volatile: { waiting: null } }) };
 * const makePing = (opts: { eagerRetry: boolean }) => defineProtocol<PingTypes>({ ... });
 * ```
 *
 * `impl/echo/echo.ts` is a complete example: the protocol with its schema and bug overrides; its checks
 * are in `specs/echo.ts` and its model (params, bugs, build) in `specs/models/echo.ts`.
 *
 * ## 5. The configuration ({@link EnvConfig}; `envParams(protocol, defaults)` gives the CLI schema)
 *
 * `envParams(protocol, defaults)` offers only the parameters the protocol's declaration uses:
 * no `nodes` with roles (they fix the count), no `crashes`/`maxDown`/`restarts`/`initiallyDown`
 * when no role may crash, no `requests` without `requests`, no `timeouts` without timers, no
 * `maxClock`/`maxSkew` without `onTick` or `clocks: true`, no `detector`/`falseSuspicions`
 * without a `detector`, no `symmetry` without `symmetry`. The CLI rejects the others (exit 2).
 *
 * | parameter         | default      | meaning                                                                 |
 * |-------------------|--------------|-------------------------------------------------------------------------|
 * | `nodes`           | 3            | n, 1..16                                                                |
 * | `delivery`        | `multiset`   | `multiset`: any message in flight next; `fifo`: per directed link, oldest first |
 * | `crashes`         | 0            | K: crashes in total                                                     |
 * | `maxDown`         | 1            | f: nodes down at once                                                   |
 * | `restarts`        | true         | crash-recovery (false: crash-stop; mail to a down node is a dead letter) |
 * | `initiallyDown`   | 0            | nodes down from the start: the last that may crash; each is a crash spent |
 * | `drops`           | 0            | messages lost, in total                                                 |
 * | `duplicates`      | 0            | messages duplicated, in total (0: non-duplicating network)              |
 * | `partitions`      | 0            | partitions imposed, in total                                            |
 * | `partitionGroups` | `two`        | `two` groups, or `any` split into ≥ 2 groups                            |
 * | `oneWay`          | false        | also one-way cuts `{A} ↛ {B}`                                           |
 * | `requests`        | 0            | client requests, in total                                               |
 * | `timeouts`        | -1           | timer fires, in total (-1: unbounded; the protocol must bound itself)   |
 * | `maxClock`        | 0            | largest clock value (0: no clocks, no ticks)                            |
 * | `maxSkew`         | 1            | largest difference between two clocks                                   |
 * | `detector`        | `perfect`    | failure detector of the suspect timeouts: `perfect`, `eventually-perfect`, `unreliable` |
 * | `falseSuspicions` | 0            | false suspicions the detector may make, in total (not `perfect`)        |
 * | `symmetry`        | false        | reduce by node permutations (needs `protocol.symmetry`)                 |
 *
 * ## 6. Semantics
 *
 * - **Actions** come in this order: deliver (network order), timer, suspect, request, local, tick,
 *   drop, duplicate, crash, restart, partition, heal, stabilize; nodes in id order within each kind.
 * - **Crash** (while `used.crashes < crashes` and fewer than `maxDown` nodes are down): the
 *   node's volatile state and armed timers are gone; its durable state stays. Messages to a down
 *   node stay in flight and cannot be delivered until it restarts (they can still be dropped);
 *   messages it sent before crashing stay in flight. A down node takes no step, but its clock
 *   still ticks. **Restart** (any down node, if `restarts`): `onRestart(ctx, durable)` rebuilds
 *   it with no timers armed, then its effects apply. **Crash-stop** (`restarts=false`): a down
 *   node is down for good, so messages to it are dead letters: a crash removes them from the
 *   network and a send to a down node discards the message at once (the trace shows a `drop`
 *   labelled "dead letter"); states never differ by undeliverable mail. **Initially down**
 *   (`initiallyDown=k`): the last k nodes that may crash start down, with `init`'s durable state
 *   and none of its effects; each counts as a crash already spent (against `crashes`, `maxDown`
 *   and its role's `maxDown`); a restart brings one up through `onRestart`.
 * - **Failure detectors**: a timer named in `protocol.detector` (`{ watch: (ctx, node) => [c1] }`)
 *   is a suspect timeout: while armed, it fires (action `suspect c1 → p1 (c1 down)`) only when
 *   the detector suspects every node the function returns (none: never). `perfect` suspects a
 *   node only when it is down or the partition cuts it off from the observer (`(c1 cut off)`).
 *   `unreliable` may also suspect a running, reachable node at any time (`(c1 false)`), each
 *   such fire spending one of `falseSuspicions`. `eventually-perfect` makes false suspicions
 *   like `unreliable`, but only before the environment's `stabilize` action (global
 *   stabilization time), which the scheduler may take at any point while budget is left and
 *   which forfeits the rest of it: from then on the detector is perfect. Suspect fires also count
 *   against `timeouts` when it is bounded.
 * - **Network**: `multiset` keeps one entry per distinct (from, to, msg) with a copy count,
 *   sorted by the canonical encoding of (from, to, msg), so the same messages in flight encode
 *   alike whatever the send order. `fifo` keeps each link's messages in send order; only the
 *   head of a link may be delivered, dropped or duplicated (dropping a later message is
 *   equivalent to dropping it when it reaches the head). **Duplicate** puts one more copy in
 *   flight (multiset: count + 1; fifo: right behind the head), so the message can be delivered
 *   twice.
 * - **Partition** (none in force and budget left): messages across the cut stay in flight but
 *   cannot be delivered until **heal** (always enabled while a partition holds); sends still
 *   succeed; drops are not blocked. Messages to oneself are never blocked.
 * - **Timers** are armed/disarmed by effects; firing an armed timer of a running node is an
 *   action the scheduler may take at any point (there is no real time). It is disarmed before
 *   `onTimer` runs. With `timeouts ≥ 0`, fires are counted against that budget.
 * - **Clocks**: a tick advances one node's clock by one, enabled only if the clock stays
 *   ≤ `maxClock` and max − min over all clocks stays ≤ `maxSkew`. `onTick` runs if the node is up.
 * - **Ghost**: updated only by `ghost` effects; part of the state (and its encoding), never
 *   shown to handlers.
 * - **Encoding** (the hot path): a state's words are the node slots in id order (up, timers,
 *   clock if clocks are on, durable, volatile if up), the network (its length, then each
 *   message's key, plus its copy count in multiset mode), the partition (0, or 1 and the cut
 *   matrix), the six budget counters, and the ghost. A message's key (the encoding of
 *   from, to, msg) is computed once, when it is sent. With the protocol's own `encode*` hooks
 *   slots are written directly; with the generic default, each slot's and the ghost's encoding
 *   is cached by object identity (states share unchanged slots). Write the hooks for models
 *   beyond ~10^5 states.
 *
 * ## 7. Roles and symmetry
 *
 * A protocol whose nodes play different parts declares them, in node order, with their counts:
 * `roles: { coordinator: { count: 1, prefix: 'c', crashes: true }, participant: { count: 3,
 * prefix: 'p', maxDown: 1 } }`. Nodes are then named `c1`, `p1`, `p2`, `p3` everywhere (traces, diagrams,
 * reports), `ctx.role` and `ctx.members(role)` tell handlers who is who, `crashes: false` keeps
 * a role's nodes up, `maxDown` bounds how many of its nodes are down at once, and each role whose nodes are interchangeable (`symmetric`, default true)
 * is one symmetry class. Declare `symmetry: {}` when the handlers treat the nodes of a role
 * alike (no handler singles out an id); with a schema, the renaming is derived, so nothing can
 * be forgotten. Run with `symmetry: true`. Hand-written renamers (`renameDurable`, …,
 * `classes(n)`, `signature(node)`) remain possible for protocols without a schema. See
 * `symmetry.ts` for the algorithm.
 *
 * ## 8. Diagrams
 *
 * `formatDiagram(machine, trace)` (in `checks/diagram.ts`) draws a counterexample as a
 * message-sequence chart from `nodes()` and `events()`.
 */
export {
  defineProtocol,
  ACTION_ORDER,
  type NodeId,
  type ProtocolTypes,
  type DurableOf,
  type VolatileOf,
  type MsgOf,
  type TimerOf,
  type RequestOf,
  type LocalOf,
  type GhostOf,
  type SendEffect,
  type BroadcastEffect,
  type SetTimerEffect,
  type CancelTimerEffect,
  type GhostEffect,
  type NoteEffect,
  type Effect,
  type NodeView,
  type Reaction,
  type Ctx,
  type Renamer,
  type ProtocolSymmetry,
  type ProtocolCore,
  type TimerPart,
  type RequestPart,
  type LocalPart,
  type GhostPart,
  type Protocol,
  type ProtocolSchema,
  type SchemaTypes,
  type RoleSpec,
  type NodeSlot,
  type Packet,
  type Partition,
  type Usage,
  type EnvState,
  type EnvAction,
  type SuspectReason,
  type DetectorDeclaration,
} from './types.ts';
export { send, broadcast, setTimer, cancelTimer, ghost, note } from './effects.ts';
export { envMachine, upNodes, type EnvChecks, type EnvMachine, type EnvNodeView, type EnvView } from './machine.ts';
export { envParams, allEnvParams, applicableEnvParams, type DerivedEnvParams } from './params.ts';
export {
  envConfig,
  ENV_DEFAULTS,
  MAX_NODES,
  type EnvConfig,
  type EnvParamSchema,
  type DetectorKind,
  type Delivery,
  type PartitionGroups,
} from './config.ts';
export { nodeName, blocks, formatPartition, makePartition, partitionShapes } from './partition.ts';
export { inFlight } from './network.ts';
export { formatMessageDefault } from './format.ts';
export { S, compile, SchemaError, type Schema, type Infer, type Codec, type AnySchema } from './schema.ts';
export { popcount, hasNode, addNode, removeNode, nodeSetOf, nodesIn, renameNodeSet, EMPTY_NODES, type NodeSet } from './nodeset.ts';
export { roleLayout, DEFAULT_ROLE, type RoleLayout } from './roles.ts';
export { symmetryCanonicalizer, permutationsOf, MAX_SYMMETRIC_NODES, type SymmetryOptions } from './symmetry.ts';
