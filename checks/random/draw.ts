/**
 * Configurations from the seed: each schedule runs on the machine of the configuration it draws
 * (see "Configurations from the seed" in `checks/random.ts`).
 */
import type { InputError, Machine, ParamValue } from '../../impl/core/machine.ts';
import type { WitnessResult } from '../../impl/core/result.ts';
import type { Violation } from '../../impl/core/trace.ts';
import { discoverKinds } from './schedule.ts';
import type { Runner, ScheduleRunner } from './runner.ts';
import type { ConfigDraw, Schedule, SwarmMix } from './types.ts';

/**
 * The full configuration a schedule draws: `draw.base` with one value per axis, or with every
 * axis at its default for the default lane (an empty or absent index list).
 */
export function drawnConfig(draw: ConfigDraw, sch: Pick<Schedule, 'config'>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = { ...draw.base };
  const lane = sch.config === undefined || sch.config.length === 0;
  draw.axes.forEach((ax, i) => {
    out[ax.name] = lane ? draw.defaults[ax.name]! : ax.values[Math.min(sch.config![i]!, ax.values.length - 1)]!;
  });
  return out;
}

/** An error in a drawn configuration (the model's ranges admit a configuration it rejects). */
export class DrawError extends Error {}

/** How many built configurations a draw keeps (a machine and its runner each; least recently used evicted first). */
const DRAW_CACHE = 64;

/**
 * Runs each schedule on the machine of the configuration it draws: one {@link ScheduleRunner}
 * per configuration, built on first use and kept in a bounded LRU cache (most runs draw a new
 * configuration; an evicted one is built again when drawn again). Counters and witness depths of
 * evicted runners are kept.
 */
export class DrawRunner<S, A> implements Runner<S, A> {
  private readonly cache = new Map<string, ScheduleRunner<S, A>>();
  private cur: ScheduleRunner<S, A> | undefined;
  private lastConfig: Record<string, ParamValue> = {};
  private readonly seen = new Set<string>();
  private evictedSteps = 0;
  private evictedStates = 0;
  /** Witness depths of evicted runners, by index (-1: not reached). */
  private evictedWitness: number[] | undefined;

  constructor(
    private readonly draw: ConfigDraw,
    private readonly make: (m: Machine<S, A>) => ScheduleRunner<S, A>,
  ) {}

  get steps(): number {
    let n = this.evictedSteps;
    for (const r of this.cache.values()) n += r.steps;
    return n;
  }
  get states(): number {
    let n = this.evictedStates;
    for (const r of this.cache.values()) n += r.states;
    return n;
  }
  get len(): number {
    return this.cur?.len ?? 0;
  }
  get fatal(): InputError | undefined {
    for (const r of this.cache.values()) if (r.fatal) return r.fatal;
    return this.cur?.fatal;
  }

  get m(): Machine<S, A> {
    if (!this.cur) throw new Error('no run yet');
    return this.cur.m;
  }
  /** Distinct configurations run so far. */
  get configs(): number {
    return this.seen.size;
  }
  /** The configuration of the last run. */
  get config(): Readonly<Record<string, ParamValue>> {
    return this.lastConfig;
  }

  run(sch: Schedule): boolean {
    const key = (sch.config ?? []).join(',');
    let r = this.cache.get(key);
    const config = drawnConfig(this.draw, sch);
    if (r === undefined) {
      try {
        r = this.make(this.draw.build(config) as Machine<S, A>);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new DrawError(`the drawn configuration ${JSON.stringify(config)} is invalid (${why}); narrow the model's draw ranges or pin the parameter with -p`);
      }
      if (this.cache.size >= DRAW_CACHE) this.evict();
      this.cache.set(key, r);
      this.seen.add(key);
    } else if (this.cache.size > 1) {
      // Least recently used goes first: move this one to the end.
      this.cache.delete(key);
      this.cache.set(key, r);
    }
    this.cur = r;
    this.lastConfig = config;
    return r.run(sch);
  }

  /** Drop the oldest runner, keeping its counters and witness depths. */
  private evict(): void {
    const [key, old] = this.cache.entries().next().value as [string, ScheduleRunner<S, A>];
    if (old === this.cur) return;
    this.cache.delete(key);
    this.evictedSteps += old.steps;
    this.evictedStates += old.states;
    const ws = old.witnesses();
    const acc = (this.evictedWitness ??= ws.map(() => -1));
    ws.forEach((w, i) => {
      if (w.depth !== undefined && (acc[i]! < 0 || w.depth < acc[i]!)) acc[i] = w.depth;
    });
  }

  witnesses(): WitnessResult[] {
    const all = [...this.cache.values()].map((r) => r.witnesses());
    if (all.length === 0) return [];
    return all[0]!.map((w, i) => {
      const e = this.evictedWitness?.[i] ?? -1;
      let depth: number | undefined = e >= 0 ? e : undefined;
      for (const ws of all) {
        const d = ws[i]?.depth;
        if (d !== undefined && (depth === undefined || d < depth)) depth = d;
      }
      return { name: w.name, reached: depth !== undefined, ...(depth !== undefined ? { depth } : {}) };
    });
  }

  mix(sch: Schedule): SwarmMix {
    return this.cur!.mix(sch);
  }

  violation(): Violation<S, A> {
    return this.cur!.violation();
  }
}

/**
 * The swarm kinds under a configuration draw: the union of the kinds of the base configuration
 * and of the configuration with every axis at its last value (the largest budgets), sorted.
 */
export function drawKinds<S, A>(m: Machine<S, A>, draw: ConfigDraw): string[] {
  const kinds = new Set(discoverKinds(m));
  if (draw.axes.length > 0) {
    const top = drawnConfig(draw, { config: draw.axes.map((a) => a.values.length - 1) });
    for (const k of discoverKinds(draw.build(top))) kinds.add(k);
  }
  return [...kinds].sort();
}
