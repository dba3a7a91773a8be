/**
 * TwoPhase exhaustive benchmark, 5 to 8 RMs: with the invariants TLC checks in the classic
 * configuration (TPTypeOK, TCConsistent), and with the refinement to TCommit as well.
 */
import { repeatExhaustive } from './harness.ts';

/** TLC, one worker, this machine, TwoPhase with 8 RMs (the reference figure). */
export const TLC_8RM = { states: 1_745_408, seconds: 40 };

/** Run the TwoPhase benchmark. */
export async function benchTwoPhase(opts: { readonly reps?: number; readonly maxRms?: number } = {}): Promise<Record<string, unknown>> {
  const reps = opts.reps ?? 3;
  const rows = [];
  for (let rms = 5; rms <= (opts.maxRms ?? 8); rms++) {
    for (const [config, checks] of [['invariants', ['type-ok', 'tc-consistent']], ['invariants+refinement', undefined]] as const) {
      const r = repeatExhaustive({ model: 'twophase', params: { rms }, ...(checks ? { checks } : {}) }, reps);
      rows.push({ rms, config, ...r });
    }
  }
  const eight = rows.find((r) => r.rms === 8 && r.config === 'invariants');
  const summary = rows.map(
    (r) =>
      `TwoPhase ${r.rms} RMs, ${r.config.padEnd(21)} ${String(r.states).padStart(9)} states ${String(r.transitions).padStart(10)} transitions  median ${(r.elapsedMs / 1000).toFixed(2).padStart(6)} s (of ${r.reps}: ${r.elapsedMsAll.join(', ')} ms)  ${Math.round(r.statesPerSecond).toLocaleString('en-US').padStart(9)} states/s  ${r.checkerBytesPerState.toFixed(1)} B/state  peak RSS ${Math.round(r.peakRssMiB)} MiB`,
  );
  if (eight) {
    summary.push(
      `8 RMs vs TLC (${TLC_8RM.states.toLocaleString('en-US')} states, ~${TLC_8RM.seconds} s): states ${eight.states === TLC_8RM.states ? 'match' : 'DIFFER'}, ${(TLC_8RM.seconds / (eight.elapsedMs / 1000)).toFixed(1)}× faster; target ≤ 8 s: ${eight.elapsedMs <= 8000 ? 'met' : 'NOT met'}; ≤ 32 B/state: ${eight.checkerBytesPerState <= 32 ? 'met' : 'NOT met'}`,
    );
  }
  return {
    summary,
    rows,
    reference: { tlc8rm: TLC_8RM },
    ...(eight
      ? {
          target: {
            statesMatchTlc: eight.states === TLC_8RM.states,
            seconds8rm: eight.elapsedMs / 1000,
            speedupVsTlc: TLC_8RM.seconds / (eight.elapsedMs / 1000),
            meets8s: eight.elapsedMs <= 8000,
            checkerBytesPerState: eight.checkerBytesPerState,
            meets32BytesPerState: eight.checkerBytesPerState <= 32,
          },
        }
      : {}),
  };
}
