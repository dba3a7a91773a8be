/**
 * Jepsen-style event logs: invocation and completion events, paired into operations.
 *
 * Three readers produce events: Jepsen/Knossos EDN histories (one vector or list of operation
 * maps, or a sequence of top-level maps), Porcupine's kv logs (one EDN map per line, the same
 * reader) and Porcupine's etcd logs (`INFO  jepsen.util - <process> <type> <f> <value>`).
 * Position is time: an event's time is its index in the file.
 *
 * Pairing follows `knossos.history`: a process has at most one operation in flight; `:ok`,
 * `:fail` and `:info` complete the pending invocation of the same process; an `:info` with no
 * pending invocation (a nemesis event) is ignored; an invocation still pending at the end never
 * completed. Only integer processes are clients: events of other processes (`:nemesis`) are
 * skipped. What `:fail` means is left to the caller (it differs between Knossos and Porcupine).
 */
import { InputError } from '../../impl/core/machine.ts';
import { ednGet, isEdnMap, readEdn, readEdnAll, showEdn, type EdnMap, type EdnValue } from './edn.ts';

/** A JSON-like value: what EDN values are converted to (keywords become their names). */
export type Plain = null | boolean | number | string | readonly Plain[] | { readonly [k: string]: Plain };

/** Convert an EDN value to a {@link Plain} one: keywords and symbols become their names. */
export function ednToPlain(v: EdnValue): Plain {
  if (v === null || typeof v !== 'object') return v;
  switch (v.kind) {
    case 'keyword':
    case 'symbol':
      return v.name;
    case 'char':
      return v.char;
    case 'vector':
    case 'list':
    case 'set':
      return v.items.map(ednToPlain);
    case 'map': {
      const o: Record<string, Plain> = {};
      for (const [k, x] of v.entries) {
        const key = k !== null && typeof k === 'object' && (k.kind === 'keyword' || k.kind === 'symbol') ? k.name : typeof k === 'string' ? k : showEdn(k);
        o[key] = ednToPlain(x);
      }
      return o;
    }
    case 'tagged':
      return ednToPlain(v.value);
  }
}

/** A plain value as short text for messages. */
export function showPlain(v: Plain | undefined): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The type of a Jepsen event. */
export type JepsenType = 'invoke' | 'ok' | 'fail' | 'info';

/** One event of a Jepsen log. */
export interface JepsenEvent {
  /** Integer for clients; anything else (`nemesis`) is not a client. */
  readonly process: number | string;
  readonly type: JepsenType;
  /** The function: read, write, cas, txn, get, put, append... */
  readonly f: string;
  /** `:value` (nil when absent). */
  readonly value: Plain;
  /** `:key`, when present (Porcupine's kv logs). */
  readonly key?: Plain;
  /** 1-based source line. */
  readonly line: number;
}

/** How a Jepsen operation ended. `none`: no completion by the end of the log. */
export type JepsenCompletion =
  | { readonly kind: 'ok'; readonly value: Plain }
  | { readonly kind: 'fail'; readonly value: Plain }
  | { readonly kind: 'info'; readonly value: Plain }
  | { readonly kind: 'none' };

/** A Jepsen operation: an invocation paired with its completion. */
export interface JepsenOp {
  readonly process: number;
  readonly f: string;
  /** The invocation's `:key`, when present. */
  readonly key?: Plain;
  /** The invocation's `:value`. */
  readonly invoke: Plain;
  readonly completion: JepsenCompletion;
  /** Index of the invocation event. */
  readonly call: number;
  /** Index of the `:ok` / `:fail` event; `null` for `:info` or no completion. */
  readonly ret: number | null;
  readonly callLine: number;
  readonly retLine?: number;
}

const TYPES: readonly JepsenType[] = ['invoke', 'ok', 'fail', 'info'];

function eventFromMap(m: EdnMap, source: string): JepsenEvent {
  const where = `${source}:${m.line}`;
  const p = ednGet(m, 'process');
  let process: number | string;
  if (typeof p === 'number' && Number.isInteger(p)) process = p;
  else if (p !== null && typeof p === 'object' && p.kind === 'keyword') process = p.name;
  else if (typeof p === 'string') process = p;
  else throw new InputError(`${where}: operation map needs :process (an integer, or a keyword such as :nemesis), got ${p === undefined ? 'none' : showEdn(p)}`);
  const t = ednGet(m, 'type');
  if (t === null || typeof t !== 'object' || t.kind !== 'keyword' || !TYPES.includes(t.name as JepsenType)) {
    throw new InputError(`${where}: :type must be one of :invoke, :ok, :fail, :info; got ${t === undefined ? 'none' : showEdn(t)}`);
  }
  const f = ednGet(m, 'f');
  let fname: string;
  if (f !== null && typeof f === 'object' && (f.kind === 'keyword' || f.kind === 'symbol')) fname = f.name;
  else if (typeof f === 'string') fname = f;
  else throw new InputError(`${where}: :f must be a keyword such as :read, got ${f === undefined ? 'none' : showEdn(f)}`);
  const value = ednGet(m, 'value');
  const key = ednGet(m, 'key');
  return {
    process,
    type: t.name as JepsenType,
    f: fname,
    value: value === undefined ? null : ednToPlain(value),
    ...(key !== undefined ? { key: ednToPlain(key) } : {}),
    line: m.line,
  };
}

/**
 * Events of an EDN history: one top-level vector or list of operation maps (Knossos), or a
 * sequence of top-level maps (Jepsen's history.edn, Porcupine's kv logs).
 */
export function jepsenEventsFromEdn(text: string, source = '<edn>'): JepsenEvent[] {
  const forms = readEdnAll(text, source);
  let maps: readonly EdnValue[];
  const first = forms[0];
  if (forms.length === 0) throw new InputError(`${source}: empty history: no EDN value in the file`);
  if (forms.length === 1 && first !== null && typeof first === 'object' && (first.kind === 'vector' || first.kind === 'list')) maps = first.items;
  else maps = forms;
  return maps.map((m, i) => {
    if (!isEdnMap(m)) {
      const line = m !== null && typeof m === 'object' && 'line' in m ? `:${m.line}` : '';
      throw new InputError(`${source}${line}: entry ${i + 1} is ${showEdn(m).slice(0, 40)}, expected an operation map {:process .., :type .., :f .., :value ..}`);
    }
    return eventFromMap(m, source);
  });
}

/**
 * Events of Porcupine's kv log: one EDN map per line, `{:process P, :type T, :f F, :key "K",
 * :value X}`. Stricter than the EDN reader: each non-blank line must hold exactly one map.
 */
export function jepsenEventsFromKvLog(text: string, source = '<kv>'): JepsenEvent[] {
  const events: JepsenEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const v = readEdn(line, source, { line: i + 1 });
    if (!isEdnMap(v)) throw new InputError(`${source}:${i + 1}: expected one map {:process P, :type T, :f F, :key K, :value X} per line, got ${showEdn(v).slice(0, 40)}`);
    const e = eventFromMap({ ...v, line: i + 1 }, source);
    if (e.key === undefined) throw new InputError(`${source}:${i + 1}: kv log entry has no :key`);
    events.push(e);
  }
  if (events.length === 0) throw new InputError(`${source}: empty history: no operation lines`);
  return events;
}

const ETCD_LINE = /^INFO {2}jepsen\.util - (\S+)\s+(\S+)\s+(\S+)\s+(\S.*?)\s*$/;

/**
 * Events of a Porcupine etcd log: `INFO  jepsen.util - <process> <type> <f> <value>`, fields
 * separated by tabs or spaces; the value is EDN (`nil`, `3`, `[1 2]`, `:timed-out`).
 */
export function jepsenEventsFromEtcd(text: string, source = '<etcd>'): JepsenEvent[] {
  const events: JepsenEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const where = `${source}:${i + 1}`;
    const m = ETCD_LINE.exec(raw);
    if (m === null) {
      const shown = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
      throw new InputError(`${where}: not an etcd log line (expected 'INFO  jepsen.util - <process> <type> <f> <value>'): ${JSON.stringify(shown)}`);
    }
    const [, p, t, f, v] = m as unknown as [string, string, string, string, string];
    if (!/^\d+$/.test(p)) throw new InputError(`${where}: process must be a non-negative integer, got '${p}'`);
    const type = t.replace(/^:/, '') as JepsenType;
    if (!t.startsWith(':') || !TYPES.includes(type)) throw new InputError(`${where}: type must be one of :invoke, :ok, :fail, :info; got '${t}'`);
    if (!/^:[\w-]+$/.test(f)) throw new InputError(`${where}: function must be a keyword such as :read, got '${f}'`);
    const column = raw.trimEnd().length - v.length + 1;
    events.push({ process: Number(p), type, f: f.slice(1), value: ednToPlain(readEdn(v, source, { line: i + 1, column })), line: i + 1 });
  }
  if (events.length === 0) throw new InputError(`${source}: empty history: no log lines`);
  return events;
}

/**
 * Pair invocations with completions. Throws {@link InputError} on a completion with no pending
 * invocation (`:ok` / `:fail`), a second invocation while one is pending, or a completion whose
 * `:f` differs from its invocation's.
 */
export function pairJepsenEvents(events: readonly JepsenEvent[], source = '<history>'): JepsenOp[] {
  const pending = new Map<number, { ev: JepsenEvent; index: number }>();
  const ops: JepsenOp[] = [];
  const complete = (inv: { ev: JepsenEvent; index: number }, completion: JepsenCompletion, ret: number | null, retLine?: number): void => {
    ops.push({
      process: inv.ev.process as number,
      f: inv.ev.f,
      ...(inv.ev.key !== undefined ? { key: inv.ev.key } : {}),
      invoke: inv.ev.value,
      completion,
      call: inv.index,
      ret,
      callLine: inv.ev.line,
      ...(retLine !== undefined ? { retLine } : {}),
    });
  };
  events.forEach((ev, index) => {
    if (typeof ev.process !== 'number') return; // nemesis and other non-client processes
    const p = ev.process;
    const inv = pending.get(p);
    const where = `${source}:${ev.line}`;
    if (ev.type === 'invoke') {
      if (inv !== undefined) throw new InputError(`${where}: process ${p} invokes :${ev.f} while its :${inv.ev.f} from line ${inv.ev.line} is still pending`);
      pending.set(p, { ev, index });
      return;
    }
    if (inv === undefined) {
      if (ev.type === 'info') return; // an :info with nothing pending (Knossos ignores it)
      throw new InputError(`${where}: unmatched completion: process ${p} reports :${ev.type} :${ev.f} but has no pending invocation`);
    }
    if (inv.ev.f !== ev.f) throw new InputError(`${where}: process ${p} completes :${ev.f} but its pending invocation (line ${inv.ev.line}) is :${inv.ev.f}`);
    pending.delete(p);
    switch (ev.type) {
      case 'ok':
      case 'fail':
        complete(inv, { kind: ev.type, value: ev.value }, index, ev.line);
        break;
      case 'info':
        complete(inv, { kind: 'info', value: ev.value }, null, ev.line);
        break;
    }
  });
  for (const inv of pending.values()) complete(inv, { kind: 'none' }, null);
  return ops.sort((a, b) => a.call - b.call);
}
