/**
 * Message-sequence (Lamport) diagrams of a trace: one lane per node, one group of lines per
 * step, with every send, delivery, drop, duplicate, crash, restart, partition, heal, timer,
 * tick and local step of the trace.
 *
 * Two layers, so that other renderers (the HTML viewer) share the data:
 * - {@link buildDiagram}: a machine and a trace → a {@link Diagram} (lanes, and per step the
 *   machine's {@link TraceEvent}s, each delivery paired with the step that sent it, and which
 *   lanes are down);
 * - {@link renderDiagram}: a diagram → text.
 *
 * Pairing: a delivery (or drop, or duplicate) is matched to the earliest unmatched send with the
 * same sender, receiver, label and `msgId`; a duplicate adds one more copy sent at the same step.
 * A message with no matching send was in flight in the initial state (`sentAt` 0).
 */
import { InputError, type Machine, type TraceEvent } from '../impl/core/machine.ts';
import { labelOf, type Trace } from '../impl/core/trace.ts';

/** One event of a diagram row. */
export interface DiagramEvent {
  readonly event: TraceEvent;
  /** For deliver, drop and duplicate: the step whose send put the message in flight (0: initially). */
  readonly sentAt?: number;
}

/** One step of the trace (row 0 is the initial state). */
export interface DiagramRow {
  /** Step number: 0 for the initial state. */
  readonly step: number;
  /** The action's label ("initial state" for row 0). */
  readonly action: string;
  readonly events: readonly DiagramEvent[];
  /** The lanes that are down after this step. */
  readonly down: readonly string[];
}

/** A trace as a message-sequence diagram, independent of how it is drawn. */
export interface Diagram {
  /** Node names, one lane each, left to right. */
  readonly lanes: readonly string[];
  readonly rows: readonly DiagramRow[];
}

/**
 * The diagram of a trace. Throws {@link InputError} when the machine has no `nodes()` and
 * `events()` (machines built with the shared environment have both).
 */
export function buildDiagram<S, A>(m: Machine<S, A>, trace: Trace<S, A>): Diagram {
  if (!m.nodes || !m.events) throw new InputError(`model ${m.name} has no message-sequence diagram (it defines no nodes() and events())`);
  const lanes = m.nodes();
  const pending = new Map<string, number[]>();
  const keyOf = (e: { readonly from: string; readonly to: string; readonly label: string; readonly msgId: number }) =>
    `${e.from}\u0000${e.to}\u0000${e.msgId}\u0000${e.label}`;
  const down = new Set<string>();
  const rows: DiagramRow[] = [{ step: 0, action: 'initial state', events: [], down: [] }];
  let prev = trace.init;
  trace.steps.forEach((st, i) => {
    const step = i + 1;
    const events: DiagramEvent[] = [];
    for (const e of m.events!(prev, st.action, st.state)) {
      switch (e.kind) {
        case 'send': {
          const q = pending.get(keyOf(e));
          if (q) q.push(step);
          else pending.set(keyOf(e), [step]);
          events.push({ event: e });
          break;
        }
        case 'deliver':
        case 'drop': {
          const q = pending.get(keyOf(e));
          const sentAt = q && q.length > 0 ? q.shift()! : 0;
          events.push({ event: e, sentAt });
          break;
        }
        case 'duplicate': {
          const k = keyOf(e);
          const q = pending.get(k) ?? [];
          const sentAt = q.length > 0 ? q[0]! : 0;
          q.unshift(sentAt);
          pending.set(k, q);
          events.push({ event: e, sentAt });
          break;
        }
        case 'crash':
          down.add(e.node);
          events.push({ event: e });
          break;
        case 'restart':
          down.delete(e.node);
          events.push({ event: e });
          break;
        case 'partition':
        case 'heal':
        case 'timer':
        case 'tick':
        case 'local':
          events.push({ event: e });
          break;
      }
    }
    rows.push({ step, action: labelOf(m, st.action), events, down: lanes.filter((l) => down.has(l)) });
    prev = st.state;
  });
  return { lanes, rows };
}

/** Glyphs of the text rendering. */
const G = {
  lane: '│',
  downLane: '┆',
  cross: '┼',
  line: '─',
  dashed: '╌',
  sendFrom: '●',
  sentBefore: '○',
  inFlightRight: '▷',
  inFlightLeft: '◁',
  receiveRight: '▶',
  receiveLeft: '◀',
  drop: '×',
  duplicateRight: '»',
  duplicateLeft: '«',
  crash: '✖',
  restart: '↻',
  timer: '◷',
  tick: '◔',
  local: '◆',
} as const;

/** Options of {@link renderDiagram}. */
export interface RenderOptions {
  /** Columns between two lanes (default: longest lane name + 3, at least 5). */
  readonly laneWidth?: number;
}

/**
 * A diagram as text: a header with the lane names, then for each step one line per event (the
 * step number on the first), each drawing the lanes and the event, followed by its description.
 *
 * ```
 * step  n1   n2
 *    0  │    │    initial state
 *    1  ◆    │    n1: request ping n2
 *       ●───▷│    send n1→n2 Ping(seq=1)
 *    2  │    ▶    deliver n1→n2 Ping(seq=1) (sent at 1)
 * ```
 *
 * Sends draw `●──▷` (in flight); deliveries `○╌╌▶` from the sender's lane; drops end in `×`,
 * duplicates in `»`; `✖` crash (the lane is dashed `┆` while down), `↻` restart, `◷` timer,
 * `◔` clock tick, `◆` local step or note; a partition row marks each lane with its group letter.
 */
export function renderDiagram(d: Diagram, opts: RenderOptions = {}): string {
  const lanes = d.lanes;
  const W = opts.laneWidth ?? Math.max(5, Math.max(0, ...lanes.map((l) => l.length)) + 3);
  const width = lanes.length === 0 ? 1 : (lanes.length - 1) * W + 1;
  const lastStep = d.rows.length === 0 ? 0 : d.rows[d.rows.length - 1]!.step;
  const sw = Math.max(4, String(lastStep).length);
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const col = (lane: string): number => {
    const i = laneIndex.get(lane);
    if (i === undefined) throw new InputError(`diagram: event on unknown lane '${lane}'`);
    return i * W;
  };
  const out: string[] = [];

  let header = `${'step'.padStart(sw)}  `;
  for (let i = 0; i < lanes.length; i++) header = header.padEnd(sw + 2 + i * W) + lanes[i]!;
  out.push(header.trimEnd());

  let downBefore = new Set<string>();
  for (const row of d.rows) {
    const downAfter = new Set(row.down);
    const base = (downSet: ReadonlySet<string>): string[] => {
      const cells = new Array<string>(width).fill(' ');
      lanes.forEach((l, i) => {
        cells[i * W] = downSet.has(l) ? G.downLane : G.lane;
      });
      return cells;
    };
    const arrow = (cells: string[], from: string, to: string, origin: string, line: string, headR: string, headL: string): void => {
      const a = col(from);
      const b = col(to);
      if (a === b) {
        cells[a] = headR;
        return;
      }
      const [lo, hi] = a < b ? [a, b] : [b, a];
      for (let c = lo + 1; c < hi; c++) cells[c] = c % W === 0 ? G.cross : line;
      cells[a] = origin;
      cells[b] = a < b ? headR : headL;
    };
    const lines: { cells: string[]; text: string }[] = [];
    // Lanes are drawn as they are when each event happens: a crash switches its lane to dashed.
    const current = new Set(downBefore);
    for (const { event: e, sentAt } of row.events) {
      if (e.kind === 'restart') current.delete(e.node);
      const cells = base(current);
      let text: string;
      switch (e.kind) {
        case 'send':
          if (e.from === e.to) cells[col(e.from)] = G.sendFrom;
          else arrow(cells, e.from, e.to, G.sendFrom, G.line, G.inFlightRight, G.inFlightLeft);
          text = `send ${e.from}→${e.to} ${e.label}`;
          break;
        case 'deliver':
          arrow(cells, e.from, e.to, G.sentBefore, G.dashed, G.receiveRight, G.receiveLeft);
          text = `deliver ${e.from}→${e.to} ${e.label} (sent at ${sentAt ?? 0})`;
          break;
        case 'drop':
          arrow(cells, e.from, e.to, G.sentBefore, G.dashed, G.drop, G.drop);
          text = `drop ${e.from}→${e.to} ${e.label} (sent at ${sentAt ?? 0})`;
          break;
        case 'duplicate':
          arrow(cells, e.from, e.to, G.sentBefore, G.dashed, G.duplicateRight, G.duplicateLeft);
          text = `duplicate ${e.from}→${e.to} ${e.label} (sent at ${sentAt ?? 0})`;
          break;
        case 'crash':
          cells[col(e.node)] = G.crash;
          text = `crash ${e.node}`;
          current.add(e.node);
          break;
        case 'restart':
          cells[col(e.node)] = G.restart;
          text = `restart ${e.node}`;
          break;
        case 'timer':
          cells[col(e.node)] = G.timer;
          text = `timer ${e.node} ${e.timer}`;
          break;
        case 'tick':
          cells[col(e.node)] = G.tick;
          text = `tick ${e.node} → ${e.clock}`;
          break;
        case 'local':
          cells[col(e.node)] = G.local;
          text = `${e.node}: ${e.label}`;
          break;
        case 'partition':
          e.groups.forEach((g, k) => {
            for (const l of g) cells[col(l)] = String.fromCharCode(65 + k);
          });
          text = `partition ${e.groups.map((g) => `{${g.join(',')}}`).join(e.oneWay ? ' ↛ ' : ' | ')}`;
          break;
        case 'heal':
          text = 'heal';
          break;
      }
      lines.push({ cells, text });
    }
    if (lines.length === 0) lines.push({ cells: base(downAfter), text: row.action });
    lines.forEach((l, i) => {
      const num = i === 0 ? String(row.step).padStart(sw) : ' '.repeat(sw);
      out.push(`${num}  ${l.cells.join('')}  ${l.text}`.trimEnd());
    });
    downBefore = downAfter;
  }
  return out.join('\n');
}

/** The text diagram of a trace: {@link renderDiagram} of {@link buildDiagram}. */
export function formatDiagram<S, A>(m: Machine<S, A>, trace: Trace<S, A>, opts: RenderOptions = {}): string {
  return renderDiagram(buildDiagram(m, trace), opts);
}
