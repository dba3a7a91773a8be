/**
 * Consensus: the abstract specification every Paxos refines, after Lamport's `Consensus.tla`
 * (Lamport, "Paxos Made Simple", 2001, section 1 "The Problem"; the TLA+ module in
 * tlaplus/Examples, specifications/Paxos/Consensus.tla).
 *
 * One variable, `chosen`, a set of values. Initially it is empty; the only step chooses one
 * value, once:
 *
 * ```tla
 * Init == chosen = {}
 * Next == /\ chosen = {}
 *         /\ \E v \in Value : chosen' = {v}
 * ```
 *
 * So `chosen` has at most one element and only grows from empty to one value. Multi-Paxos runs
 * one such instance per log slot: {@link makeConsensus} takes a slot count, and its state holds
 * one `chosen` set per slot, each growing independently (`Choose(slot, v)`).
 *
 * The state type allows any set of values per slot, so a refinement mapping that produces two
 * chosen values maps to a state no Consensus step reaches: that is how the refinement check
 * pinpoints the step at which an implementation chose a second value.
 */
import { defineModel, InputError, int, type Invariant, type Machine } from '../impl/core/machine.ts';
import { compile, S } from '../impl/env/schema.ts';
import { valueName } from '../impl/paxos/history.ts';

/** A value: a positive integer (`v1`, `v2`, …). Implementations use 0 for "no value". */
export type ConsensusValue = number;

/** Consensus's state: `chosen[slot]`, a set of values as a sorted array without repeats. */
export interface ConsensusState {
  readonly chosen: readonly (readonly ConsensusValue[])[];
}

/** The one action: choose `value` in `slot` (slots are numbered from 0). */
export interface ConsensusAction {
  readonly type: 'Choose';
  readonly slot: number;
  readonly value: ConsensusValue;
}

/** A value's name in traces: `v1`; 0 (no value) is `nil` (shared with the Paxos reducers, which name values in their labels). */
export { valueName };

/**
 * Consensus's data for `slots` instances. Values are 1..65535, and 0, the "no value" a buggy
 * implementation may map to a chosen one; each slot's set is a list, so a mapped state encodes
 * as it is. The view names values (`v1`) and shows one slot as one set:
 * `{ chosen: ['v1'] }`, or with several slots `{ chosen: [['v1'], []] }`.
 */
export function consensusSchema(slots: number) {
  const Value = S.labelled(S.int(0, 0xffff), valueName);
  const chosen = S.list(S.list(Value), slots);
  return S.record({ chosen: slots === 1 ? S.viewAs(chosen, S.list(Value), (c) => c[0] ?? []) : chosen });
}

/** The at-most-one-chosen invariant, for any state that has per-slot chosen sets. */
export function atMostOneChosen<S>(chosenOf: (s: S) => readonly (readonly ConsensusValue[])[], name = 'chosen-at-most-one'): Invariant<S> {
  return {
    name,
    doc: 'at most one value is chosen in each slot',
    check(s) {
      const chosen = chosenOf(s);
      for (let slot = 0; slot < chosen.length; slot++) {
        const c = chosen[slot]!;
        if (c.length > 1) return `${c.map(valueName).join(' and ')} are both chosen${chosen.length > 1 ? ` in slot ${slot + 1}` : ''}`;
      }
      return true;
    },
  };
}

/**
 * The Consensus machine over the values `values` (e.g. `[1, 2]`), with `slots` independent
 * instances (1 for single-decree consensus).
 */
export function makeConsensus(values: readonly ConsensusValue[], slots = 1): Machine<ConsensusState, ConsensusAction> {
  if (values.length === 0) throw new InputError('consensus needs at least one value');
  if (values.some((v) => !Number.isInteger(v) || v < 1 || v > 0xffff)) throw new InputError('consensus values are integers in 1..65535');
  if (!Number.isInteger(slots) || slots < 1) throw new InputError(`consensus needs at least one slot, got ${slots}`);
  const vs = [...new Set(values)].sort((a, b) => a - b);
  const codec = compile(consensusSchema(slots), { n: 1 });
  // Action objects are data; build each once.
  const choose = Array.from({ length: slots }, (_, slot) => vs.map((value): ConsensusAction => ({ type: 'Choose', slot, value })));
  const empty: readonly ConsensusValue[] = [];
  return {
    name: 'consensus',
    init: () => [{ chosen: Array.from({ length: slots }, () => empty) }],
    actions(s) {
      const out: ConsensusAction[] = [];
      for (let slot = 0; slot < slots; slot++) if (s.chosen[slot]!.length === 0) out.push(...choose[slot]!);
      return out;
    },
    step(s, a) {
      const chosen = s.chosen.slice();
      chosen[a.slot] = [a.value];
      return { chosen };
    },
    invariants: [atMostOneChosen((s: ConsensusState) => s.chosen)],
    sometimes: [
      { name: 'value-chosen', doc: 'some value is chosen', check: (s) => s.chosen.some((c) => c.length > 0) },
      { name: 'all-chosen', doc: 'a value is chosen in every slot', check: (s) => s.chosen.every((c) => c.length > 0) },
    ],
    encode: codec.encode,
    formatAction: (a) => (slots === 1 ? `Choose(${valueName(a.value)})` : `Choose(slot ${a.slot + 1}, ${valueName(a.value)})`),
    view: codec.view,
    isTerminal: (s) => s.chosen.every((c) => c.length > 0),
  };
}

/** The Consensus registry entry. */
export const consensusModel = defineModel({
  name: 'consensus',
  doc: "Consensus, the abstract spec Paxos refines (Lamport's Consensus.tla), one instance per slot",
  params: {
    values: int(2, 1, 16, 'number of values v1..vN'),
    slots: int(1, 1, 8, 'independent instances (log slots)'),
  },
  // Random mode draws each run's configuration from these ranges (--fixed-config: the parameters as given).
  draw: { values: [1, 3], slots: [1, 3] },
  build: (p) => makeConsensus(Array.from({ length: p.values }, (_, i) => i + 1), p.slots),
});
