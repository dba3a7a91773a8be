/**
 * Check a claimed linearization independently of the search: it must contain every completed
 * operation of its partition exactly once (operations that never completed at most once), respect
 * real-time order (if A completed before B was invoked, A comes first), and replay on the spec
 * with every observed output accepted.
 */
import type { SequentialSpec } from '../../impl/core/history/spec.ts';
import type { History } from '../../impl/core/history/history.ts';

/**
 * `null` when `order` (operation ids) is a valid linearization of the operations `partition`
 * (ids; default: all of them); otherwise what is wrong, as a sentence.
 */
export function verifyLinearization<S, I, O>(
  spec: SequentialSpec<S, I, O>,
  history: History<I, O>,
  order: readonly number[],
  partition: readonly number[] = history.ops.map((o) => o.id),
): string | null {
  const inPartition = new Set(partition);
  const seen = new Set<number>();
  for (const id of order) {
    if (!inPartition.has(id)) return `operation ${id} is not in the partition`;
    if (seen.has(id)) return `operation ${id} appears twice`;
    seen.add(id);
  }
  for (const id of partition) {
    if (history.ops[id]!.ret !== null && !seen.has(id)) return `completed operation ${id} is missing`;
  }
  for (let i = 0; i < order.length; i++) {
    const a = history.ops[order[i]!]!;
    for (let j = i + 1; j < order.length; j++) {
      const b = history.ops[order[j]!]!;
      if (b.ret !== null && b.ret < a.call) return `operation ${b.id} completed before ${a.id} was invoked but comes after it`;
    }
  }
  let state = spec.init();
  for (const id of order) {
    const op = history.ops[id]!;
    const r = spec.step(state, op.input, op.output);
    if (!r.ok) return `operation ${id} (${spec.describe(op.input, op.output)}) is illegal in state ${(spec.describeState ?? spec.key)(state)}`;
    state = r.next;
  }
  return null;
}
