/**
 * TCommit: the abstract Transaction Commit specification, ported from Lamport and Gray,
 * "Consensus on Transaction Commit" (2004), module TCommit (tlaplus/Examples,
 * specifications/transaction_commit/TCommit.tla).
 *
 * One variable, `rmState`, maps each resource manager to working | prepared | committed |
 * aborted. An RM prepares on its own; it may commit only when every RM is prepared or committed,
 * and abort only while none has committed. TCConsistent: no RM aborts while another commits.
 *
 * RMs are numbered from 1 (`rm: 1` is r1).
 */
import { defineModel, int, type Invariant, type Machine } from '../impl/core/machine.ts';
import { compile, S } from '../impl/env/schema.ts';
import { RM_STATE, type RMState } from '../impl/commit/common.ts';

export type { RMState };
/** The values an RM state can take, in the encoding order (TCommit's vocabulary: `impl/commit/common.ts`). */
export const RM_STATES: readonly RMState[] = RM_STATE.values;

/** TCommit's state: `rmState[r - 1]` is RM r's state. */
export interface TCState {
  readonly rmState: readonly RMState[];
}

/** TCommit's actions: Prepare(r), and Decide(r) in its commit or abort disjunct. */
export type TCAction =
  | { readonly type: 'Prepare'; readonly rm: number }
  | { readonly type: 'Decide'; readonly rm: number; readonly decision: 'commit' | 'abort' };

/** RM r's name in traces. */
export const rmName = (r: number): string => `r${r}`;

/**
 * Pack an rmState vector into one word, 2 bits an RM (up to 16 RMs): the hand-written encoding
 * the benchmark baselines (`checks/bench/baseline/`) still use. TCommit encodes through its schema.
 */
export function packRmState(rmState: readonly RMState[]): number {
  let w = 0;
  for (let i = 0; i < rmState.length; i++) {
    // A comparison chain on interned strings is much faster here than a keyed lookup.
    const x = rmState[i];
    w |= (x === 'working' ? 0 : x === 'prepared' ? 1 : x === 'committed' ? 2 : 3) << (2 * i);
  }
  return w;
}

/** TCommit's data: its one variable (the encoding and the view, `{ rmState: { r1: 'working', … } }`, are derived). */
export const tcommitSchema = S.record({ rmState: S.perNode(RM_STATE) });

/** TCConsistent: no RM has aborted while another has committed. */
export function tcConsistent<S>(rmStateOf: (s: S) => readonly RMState[]): Invariant<S> {
  return {
    name: 'tc-consistent',
    doc: 'no resource manager aborts while another commits (TCConsistent)',
    check(s) {
      const rs = rmStateOf(s);
      const c = rs.indexOf('committed');
      const a = rs.indexOf('aborted');
      return c < 0 || a < 0 || `${rmName(c + 1)} committed while ${rmName(a + 1)} aborted`;
    },
  };
}

/** TCTypeOK, for the rmState part: each RM's state is one of the four. */
export function rmStateTypeOk(rmState: readonly RMState[], n: number): true | string {
  if (rmState.length !== n) return `rmState has ${rmState.length} entries, expected ${n}`;
  for (let i = 0; i < n; i++) {
    if (!RM_STATES.includes(rmState[i]!)) return `rmState[${rmName(i + 1)}] = ${JSON.stringify(rmState[i])}`;
  }
  return true;
}

function setAt(rmState: readonly RMState[], r: number, v: RMState): RMState[] {
  const next = rmState.slice();
  next[r - 1] = v;
  return next;
}

/** The TCommit machine over `n` resource managers. */
export function makeTCommit(n: number): Machine<TCState, TCAction> {
  const codec = compile(tcommitSchema, { n, name: rmName });
  const rms = Array.from({ length: n }, (_, i) => i + 1);
  const canCommit = (s: TCState) => s.rmState.every((x) => x === 'prepared' || x === 'committed');
  const notCommitted = (s: TCState) => s.rmState.every((x) => x !== 'committed');
  // Action objects are data; build each once.
  const prepare = rms.map((rm): TCAction => ({ type: 'Prepare', rm }));
  const commit = rms.map((rm): TCAction => ({ type: 'Decide', rm, decision: 'commit' }));
  const abort = rms.map((rm): TCAction => ({ type: 'Decide', rm, decision: 'abort' }));
  return {
    name: 'tcommit',
    init: () => [{ rmState: rms.map((): RMState => 'working') }],
    actions(s) {
      const out: TCAction[] = [];
      const cc = canCommit(s);
      const nc = notCommitted(s);
      for (let i = 0; i < n; i++) {
        const x = s.rmState[i];
        if (x === 'working') out.push(prepare[i]!);
        if (x === 'prepared' && cc) out.push(commit[i]!);
        if ((x === 'working' || x === 'prepared') && nc) out.push(abort[i]!);
      }
      return out;
    },
    step(s, a) {
      switch (a.type) {
        case 'Prepare':
          return { rmState: setAt(s.rmState, a.rm, 'prepared') };
        case 'Decide':
          return { rmState: setAt(s.rmState, a.rm, a.decision === 'commit' ? 'committed' : 'aborted') };
      }
    },
    invariants: [
      { name: 'type-ok', doc: 'TCTypeOK: rmState maps each RM to one of its four states', check: (s) => rmStateTypeOk(s.rmState, n) },
      tcConsistent((s: TCState) => s.rmState),
    ],
    sometimes: [
      { name: 'all-committed', doc: 'every RM commits', check: (s) => s.rmState.every((x) => x === 'committed') },
      { name: 'some-aborted', doc: 'an RM aborts', check: (s) => s.rmState.includes('aborted') },
    ],
    encode: codec.encode,
    formatAction: (a) => (a.type === 'Prepare' ? `Prepare(${rmName(a.rm)})` : `Decide(${rmName(a.rm)}, ${a.decision})`),
    view: codec.view,
    isTerminal: (s) => s.rmState.every((x) => x === 'committed' || x === 'aborted'),
  };
}

/** The TCommit registry entry. */
export const tcommitModel = defineModel({
  name: 'tcommit',
  doc: 'TCommit, the abstract transaction commit spec (Lamport & Gray, TCommit.tla)',
  params: { rms: int(3, 1, 16, 'number of resource managers') },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { rms: [2, 6] },
  build: (p) => makeTCommit(p.rms),
});
