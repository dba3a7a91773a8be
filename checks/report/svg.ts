/**
 * The pictures of a report, as inline SVG: the message-sequence diagram of a trace (one lane
 * per node, one row per step, an arrow per message from the step that sent it to the step that
 * delivered it) and the per-process timeline of a history.
 *
 * Both are drawn from data only ({@link Diagram} from `checks/diagram.ts`, {@link TimelineData}
 * from `impl/core/history/timeline.ts`), with stable class names and `data-*` attributes that the
 * page's script and the browser tests use:
 * - `.step-row[data-step=k]` (the clickable band of step k), `.lane[data-lane=n1]`;
 * - `.msg` with `data-from`, `data-to`, `data-sent`, `data-step`, and one of `.msg-deliver`,
 *   `.msg-copy` (a delivery of a duplicated copy), `.msg-drop`, `.msg-dup` (the duplication),
 *   `.msg-inflight` (never delivered by the end of the trace);
 * - `.mark-crash`, `.mark-restart`, `.mark-timer`, `.mark-tick`, `.mark-local`,
 *   `.partition-band`;
 * - `.op[data-op=id]` with `.op-unplaced`, `.op-blocking`, `.op-crashed` on the timeline.
 */
import type { TraceEvent } from '../../impl/core/machine.ts';
import type { Diagram } from '../diagram.ts';
import type { TimelineData, TimelineOp } from '../../impl/core/history/timeline.ts';
import { describeSource } from '../../impl/core/history/history.ts';

/** Escape text for HTML and SVG (content and attribute values). */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** How long a run of non-space characters may be before {@link escWrap} offers breaks inside it. */
export const LONG_TOKEN = 24;

/**
 * {@link esc}, plus a `<wbr>` after each `,` `:` `;` `=` `/` `|` `)` `]` `}` inside runs of
 * non-space characters longer than {@link LONG_TOKEN} (JSON, paths, states printed in a message),
 * so that a long message wraps at its punctuation instead of spilling out of its box or being
 * cut inside a word. `<wbr>` adds no character: copied text is unchanged.
 */
export function escWrap(s: string): string {
  return s
    .split(/(\s+)/)
    .map((t) => (t.length > LONG_TOKEN ? t.split(/(?<=[,:;=/|)\]}])(?=\S)/).map(esc).join('<wbr>') : esc(t)))
    .join('');
}

/** Cut a label to `max` characters with an ellipsis. */
export function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** A number for an SVG attribute. */
function f(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** Colours of message types (by first appearance), readable on white. */
const MSG_COLORS = ['#1f5fbf', '#0f8a6c', '#b5580c', '#7b3fb8', '#a8326e', '#4b6b12', '#0e7490', '#8a5a00'];
/** Partition group tints. */
const GROUP_COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ec4899', '#8b5cf6'];

/** The type of a message label: `Ping(seq=1)` → `Ping`. */
export function messageType(label: string): string {
  const m = /^[A-Za-z_][\w.:-]*/.exec(label);
  return m ? m[0] : label;
}

/** Geometry of a diagram, shared with the HTML header that names the lanes. */
export interface DiagramLayout {
  readonly width: number;
  readonly height: number;
  /** x of each lane's centre. */
  readonly laneX: readonly number[];
  readonly gutter: number;
}

/** One message of the diagram, from its send to its end. */
interface Msg {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly sentAt: number;
  /** The step that delivered, dropped or duplicated it; the last row + 1 when still in flight. */
  readonly end: number;
  readonly kind: 'deliver' | 'copy' | 'drop' | 'dup' | 'inflight';
}

/**
 * Pair every send with its delivery, drop or duplication exactly as `buildDiagram` does (the
 * earliest unmatched send with the same sender, receiver, label and `msgId`; a duplicate puts a
 * copy at the front), remembering which entries are duplicated copies.
 */
function messagesOf(d: Diagram): Msg[] {
  const out: Msg[] = [];
  type Pending = { readonly sentAt: number; readonly from: string; readonly to: string; readonly label: string; readonly copy: boolean };
  const pending = new Map<string, Pending[]>();
  const key = (e: { from: string; to: string; label: string; msgId: number }) => `${e.from}\u0000${e.to}\u0000${e.msgId}\u0000${e.label}`;
  for (const row of d.rows) {
    for (const { event: e, sentAt } of row.events) {
      switch (e.kind) {
        case 'send': {
          const q = pending.get(key(e)) ?? [];
          q.push({ sentAt: row.step, from: e.from, to: e.to, label: e.label, copy: false });
          pending.set(key(e), q);
          break;
        }
        case 'deliver':
        case 'drop': {
          const entry = pending.get(key(e))?.shift();
          const at = sentAt ?? entry?.sentAt ?? 0;
          const copy = entry?.copy === true || (e.kind === 'deliver' && e.duplicate === true);
          out.push({ from: e.from, to: e.to, label: e.label, sentAt: at, end: row.step, kind: e.kind === 'drop' ? 'drop' : copy ? 'copy' : 'deliver' });
          break;
        }
        case 'duplicate': {
          const at = sentAt ?? 0;
          const q = pending.get(key(e)) ?? [];
          q.unshift({ sentAt: at, from: e.from, to: e.to, label: e.label, copy: true });
          pending.set(key(e), q);
          out.push({ from: e.from, to: e.to, label: e.label, sentAt: at, end: row.step, kind: 'dup' });
          break;
        }
        default:
          break;
      }
    }
  }
  const last = d.rows.length === 0 ? 0 : d.rows[d.rows.length - 1]!.step;
  // What is still in flight at the end.
  for (const q of pending.values()) {
    for (const p of q) out.push({ from: p.from, to: p.to, label: p.label, sentAt: p.sentAt, end: last + 1, kind: 'inflight' });
  }
  return out;
}

/** Icon and class of a lane mark, and the note it adds (when the action label does not say it). */
function markOf(e: TraceEvent): { icon: string; cls: string; text: string } | undefined {
  switch (e.kind) {
    case 'crash':
      return { icon: '✖', cls: 'mark-crash', text: 'crash' };
    case 'restart':
      return { icon: '↻', cls: 'mark-restart', text: 'restart' };
    case 'timer':
      return { icon: '◷', cls: 'mark-timer', text: `timer ${e.timer}` };
    case 'tick':
      return { icon: '◔', cls: 'mark-tick', text: `clock ${e.clock}` };
    case 'local':
      return { icon: '◆', cls: 'mark-local', text: e.label };
    default:
      return undefined;
  }
}

/** Options of {@link diagramSvg}. */
export interface DiagramSvgOptions {
  /** The step that breaks the check (highlighted). */
  readonly violationStep?: number;
  /** Label of a last pseudo-row: an action that threw. */
  readonly threwLabel?: string;
}

/** Row height, the vertical room for each extra stacked label or note, and the gutter width. */
const ROW_H = 38;
const STACK_H = 13;
const GUTTER = 244;

/**
 * The message-sequence diagram as SVG, with its layout (lane positions for the HTML header).
 * Rows are steps (row 0: the initial state); each row's band is clickable (`.step-row`). A
 * message is an arrow from the row that sent it to the row that delivered it, labelled once
 * at its sending point; node events are marks on the lanes; notes a step adds that its action
 * label does not already say (a protocol's `note`) go under the action in the gutter.
 */
export function diagramSvg(d: Diagram, opts: DiagramSvgOptions = {}): { svg: string; layout: DiagramLayout } {
  const lanes = d.lanes;
  const rows = opts.threwLabel !== undefined ? [...d.rows, { step: d.rows.length, action: opts.threwLabel, events: [], down: d.rows[d.rows.length - 1]?.down ?? [] }] : d.rows;
  const lastStep = d.rows.length === 0 ? 0 : d.rows[d.rows.length - 1]!.step;
  const gap = Math.max(120, Math.min(190, Math.floor(660 / Math.max(1, lanes.length))));
  const laneX = lanes.map((_, i) => GUTTER + gap / 2 + i * gap);
  const laneIndex = new Map(lanes.map((l, i) => [l, i]));
  const xOf = (lane: string): number => laneX[laneIndex.get(lane) ?? 0] ?? GUTTER;
  const msgs = messagesOf(d);

  // Notes: node events whose text the action label does not already carry.
  const notes = new Map<number, string[]>();
  for (const r of rows) {
    for (const { event: e } of r.events) {
      const mk = markOf(e);
      if (!mk || !('node' in e) || mk.text.split(/\s+/).every((w) => r.action.includes(w))) continue;
      const list = notes.get(r.step) ?? [];
      list.push(`${e.node}: ${mk.text}`);
      notes.set(r.step, list);
    }
  }
  const width = GUTTER + lanes.length * gap + 12;

  // Labels start at the sending point; the distinct labels sent from one point stack up.
  const labelStacks = new Map<string, string[]>();
  const slots = new Map<Msg, number>();
  for (const m of msgs) {
    if (m.kind === 'dup') continue;
    const dir = m.to === m.from ? 'self' : laneIndex.get(m.to)! > laneIndex.get(m.from)! ? 'r' : 'l';
    const k = `${m.sentAt}\u0000${m.from}\u0000${dir}`;
    const stack = labelStacks.get(k) ?? [];
    labelStacks.set(k, stack);
    if (stack.includes(m.label)) continue; // a broadcast: one label for its copies
    stack.push(m.label);
    slots.set(m, stack.length - 1);
  }
  const extra = new Map<number, number>();
  const bump = (step: number, n: number) => extra.set(step, Math.max(extra.get(step) ?? 0, n));
  for (const [k, st] of labelStacks) bump(Number(k.split('\u0000')[0]), st.length - 1);
  for (const [step, list] of notes) bump(step, list.length);
  for (const r of rows) {
    const perLane = new Map<string, number>();
    for (const { event: e } of r.events) if ('node' in e && markOf(e)) perLane.set(e.node, (perLane.get(e.node) ?? 0) + 1);
    bump(r.step, Math.max(0, ...perLane.values()) - 1);
  }

  // Row geometry: the event line of a row sits in its upper part; stacks grow downwards.
  const top: number[] = [];
  const mid: number[] = [];
  let y = 4;
  for (const r of rows) {
    const h = ROW_H + (extra.get(r.step) ?? 0) * STACK_H;
    top.push(y);
    mid.push(y + ROW_H / 2);
    y += h;
  }
  const bottom = y + 30;
  const rowOf = new Map(rows.map((r, i) => [r.step, i]));
  const midOf = (step: number): number => mid[rowOf.get(step) ?? rows.length - 1] ?? y;

  const colorOf = new Map<string, string>();
  for (const m of msgs) {
    const t = messageType(m.label);
    if (!colorOf.has(t)) colorOf.set(t, MSG_COLORS[colorOf.size % MSG_COLORS.length]!);
  }
  const types = [...colorOf.keys()];

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="${width}" height="${f(bottom)}" viewBox="0 0 ${width} ${f(bottom)}" role="img" aria-label="message-sequence diagram">`);
  parts.push('<defs>');
  types.forEach((t, i) => {
    parts.push(`<marker id="ah-${i}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${colorOf.get(t)!}"/></marker>`);
  });
  parts.push('<marker id="ah-open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10" fill="none" stroke="#8a94a6" stroke-width="1.6"/></marker>');
  parts.push('</defs>');

  // Row bands (clickable), under everything else.
  parts.push('<g class="rows">');
  rows.forEach((r, i) => {
    const h = (i + 1 < rows.length ? top[i + 1]! : y) - top[i]!;
    const cls = ['step-row', i % 2 === 1 ? 'odd' : '', r.step === opts.violationStep ? 'violating' : ''].filter(Boolean).join(' ');
    parts.push(`<rect class="${cls}" data-step="${r.step}" x="0" y="${f(top[i]!)}" width="${width}" height="${f(h)}"/>`);
  });
  parts.push('</g>');

  // Partition bands: from the partition's row to the heal's row, one tinted column per lane.
  parts.push('<g class="partitions">');
  let open: { step: number; groups: readonly (readonly string[])[] } | undefined;
  const closeBand = (endY: number): void => {
    if (!open) return;
    const y0 = midOf(open.step);
    open.groups.forEach((g, gi) => {
      const color = GROUP_COLORS[gi % GROUP_COLORS.length]!;
      for (const lane of g) {
        const x = xOf(lane);
        parts.push(`<rect class="partition-band" data-group="${gi}" data-lane="${esc(lane)}" x="${f(x - gap * 0.4)}" y="${f(y0)}" width="${f(gap * 0.8)}" height="${f(Math.max(4, endY - y0))}" rx="6" fill="${color}" fill-opacity="0.1" stroke="${color}" stroke-opacity="0.45" stroke-dasharray="4 3"/>`);
        parts.push(`<text class="partition-tag" x="${f(x - gap * 0.4 + 6)}" y="${f(y0 + 13)}" fill="${color}">${String.fromCharCode(65 + gi)}</text>`);
      }
    });
    open = undefined;
  };
  for (const r of rows) {
    for (const { event: e } of r.events) {
      if (e.kind === 'partition') {
        closeBand(midOf(r.step));
        open = { step: r.step, groups: e.groups };
      } else if (e.kind === 'heal') closeBand(midOf(r.step));
    }
  }
  closeBand(bottom - 6);
  parts.push('</g>');

  // Lanes: solid while up, dotted red while down.
  parts.push('<g class="lanes">');
  lanes.forEach((lane, li) => {
    const x = laneX[li]!;
    const segs: string[] = [];
    let segStart = 0;
    let segDown = false;
    const flush = (toY: number): void => {
      if (toY > segStart) segs.push(`<line class="${segDown ? 'lane-line down' : 'lane-line'}" x1="${f(x)}" y1="${f(segStart)}" x2="${f(x)}" y2="${f(toY)}"/>`);
    };
    rows.forEach((r, i) => {
      const isDown = r.down.includes(lane);
      if (isDown !== segDown) {
        flush(mid[i]!);
        segStart = mid[i]!;
        segDown = isDown;
      }
    });
    flush(bottom);
    parts.push(`<g class="lane" data-lane="${esc(lane)}">${segs.join('')}</g>`);
  });
  parts.push('</g>');

  // Messages.
  parts.push('<g class="msgs">');
  for (const m of msgs) {
    const x0 = xOf(m.from);
    const x1 = xOf(m.to);
    const y0 = midOf(m.sentAt);
    const inflight = m.kind === 'inflight';
    const y1 = inflight ? Math.min(bottom - 8, y0 + 10) : midOf(m.end);
    const color = colorOf.get(messageType(m.label)) ?? '#334155';
    const ti = types.indexOf(messageType(m.label));
    const right = m.from === m.to || x1 > x0;
    const sgn = right ? 1 : -1;
    const what = m.kind === 'drop' ? 'dropped' : m.kind === 'dup' ? 'duplicated' : inflight ? 'in flight at the end' : m.kind === 'copy' ? 'duplicated copy delivered' : 'delivered';
    const title = `<title>${esc(`${m.from}→${m.to} ${m.label}: sent at step ${m.sentAt}, ${what}${inflight ? '' : ` at step ${m.end}`}`)}</title>`;
    const attrs = `data-from="${esc(m.from)}" data-to="${esc(m.to)}" data-sent="${m.sentAt}" data-step="${inflight ? m.sentAt : m.end}"`;
    let shape: string;
    if (m.from === m.to) {
      const yEnd = inflight ? y0 + 18 : y1;
      shape = `<path d="M${f(x0)},${f(y0)} C${f(x0 + 44)},${f(y0)} ${f(x0 + 44)},${f(yEnd)} ${f(x0 + 3)},${f(yEnd)}" fill="none" stroke="${color}"${inflight ? ' stroke-dasharray="4 4"' : ''} marker-end="url(#ah-${ti})"/>`;
    } else {
      switch (m.kind) {
        case 'deliver':
          shape = `<line x1="${f(x0)}" y1="${f(y0)}" x2="${f(x1 - sgn * 2)}" y2="${f(y1)}" stroke="${color}" marker-end="url(#ah-${ti})"/>`;
          break;
        case 'copy':
          shape = `<line x1="${f(x0)}" y1="${f(y0)}" x2="${f(x1 - sgn * 2)}" y2="${f(y1)}" stroke="${color}" stroke-dasharray="8 3 2 3" marker-end="url(#ah-${ti})"/><text class="badge" x="${f(x1 - sgn * 12)}" y="${f(y1 - 6)}" text-anchor="${right ? 'end' : 'start'}" fill="${color}">copy</text>`;
          break;
        case 'drop': {
          const xe = x0 + (x1 - x0) * 0.55;
          shape = `<line x1="${f(x0)}" y1="${f(y0)}" x2="${f(xe)}" y2="${f(y1)}" stroke="#c62828" stroke-dasharray="5 4"/><text class="drop-x" x="${f(xe)}" y="${f(y1 + 5)}" text-anchor="middle">✕</text><text class="badge drop" x="${f(xe + sgn * 10)}" y="${f(y1 + 4)}" text-anchor="${right ? 'start' : 'end'}">dropped</text>`;
          break;
        }
        case 'dup': {
          const xe = x0 + (x1 - x0) * 0.3;
          shape = `<line x1="${f(x0)}" y1="${f(y0)}" x2="${f(xe)}" y2="${f(y1)}" stroke="${color}" stroke-dasharray="2 3"/><circle class="dup-dot" cx="${f(xe)}" cy="${f(y1)}" r="7" fill="#fff" stroke="${color}"/><text class="dup-x" x="${f(xe)}" y="${f(y1 + 3.5)}" text-anchor="middle" fill="${color}">2</text><text class="badge" x="${f(xe + sgn * 11)}" y="${f(y1 + 4)}" text-anchor="${right ? 'start' : 'end'}" fill="${color}">duplicated</text>`;
          break;
        }
        case 'inflight': {
          const xe = x0 + Math.max(-56, Math.min(56, (x1 - x0) * 0.3));
          shape = `<line x1="${f(x0)}" y1="${f(y0)}" x2="${f(xe)}" y2="${f(y1)}" stroke="#8a94a6" stroke-dasharray="4 3" marker-end="url(#ah-open)"/>`;
          break;
        }
      }
    }
    // The label, once per distinct message at its sending point, clear of the lane's mark.
    const slot = slots.get(m);
    const label =
      slot === undefined
        ? ''
        : `<text class="msg-label" x="${f(x0 + sgn * 13)}" y="${f(y0 - 5 + slot * STACK_H)}" text-anchor="${right ? 'start' : 'end'}" fill="${color}">${esc(cut(m.label, 28))}</text>`;
    parts.push(`<g class="msg msg-${m.kind}" ${attrs}>${title}${shape}${label}</g>`);
  }
  parts.push('</g>');

  // Marks on the lanes, and the send points.
  parts.push('<g class="marks">');
  for (const r of rows) {
    const ym = midOf(r.step);
    const perLane = new Map<string, number>();
    for (const { event: e } of r.events) {
      if (e.kind === 'send') {
        parts.push(`<circle class="send-dot" cx="${f(xOf(e.from))}" cy="${f(ym)}" r="3.2" data-step="${r.step}"/>`);
        continue;
      }
      const mk = markOf(e);
      if (!mk || !('node' in e)) continue;
      const n = perLane.get(e.node) ?? 0;
      perLane.set(e.node, n + 1);
      const x = xOf(e.node);
      const yy = ym + n * STACK_H;
      parts.push(
        `<g class="mark ${mk.cls}" data-node="${esc(e.node)}" data-step="${r.step}"><title>${esc(`${e.node}: ${mk.text} (step ${r.step})`)}</title>` +
          `<circle cx="${f(x)}" cy="${f(yy)}" r="8.5" class="mark-bg"/><text x="${f(x)}" y="${f(yy + 4.2)}" text-anchor="middle" class="mark-icon">${mk.icon}</text></g>`,
      );
    }
  }
  parts.push('</g>');

  // The gutter: step numbers and actions.
  parts.push('<g class="gutter">');
  parts.push(`<line class="gutter-sep" x1="${GUTTER - 14}" y1="0" x2="${GUTTER - 14}" y2="${f(bottom)}"/>`);
  rows.forEach((r, i) => {
    const violating = r.step === opts.violationStep;
    const threw = r.step > lastStep;
    parts.push(
      `<g class="gutter-row${violating ? ' violating' : ''}" data-step="${r.step}"><title>${esc(`${r.step}. ${r.action}`)}</title>` +
        `<text class="step-no" x="36" y="${f(mid[i]! + 4)}" text-anchor="end">${violating ? '✗ ' : ''}${r.step}</text>` +
        `<text class="step-label" x="46" y="${f(mid[i]! + 4)}">${esc(cut(r.action, 30))}</text>` +
        (notes.get(r.step) ?? []).map((text, k) => `<text class="note-text" x="46" y="${f(mid[i]! + 4 + (k + 1) * STACK_H)}">${esc(cut(`◆ ${text}`, 32))}</text>`).join('') +
        `${threw ? `<text class="step-threw" x="46" y="${f(mid[i]! + 17)}">threw: no state after it</text>` : ''}</g>`,
    );
  });
  parts.push('</g>');
  parts.push('</svg>');
  return { svg: parts.join('\n'), layout: { width, height: bottom, laneX, gutter: GUTTER } };
}

/** The message types of a diagram with their colours, for the legend. */
export function messageLegend(d: Diagram): { readonly type: string; readonly color: string }[] {
  const out = new Map<string, string>();
  for (const m of messagesOf(d)) {
    const t = messageType(m.label);
    if (!out.has(t)) out.set(t, MSG_COLORS[out.size % MSG_COLORS.length]!);
  }
  return [...out].map(([type, color]) => ({ type, color }));
}

// ---------------------------------------------------------------------------------------------
// History timeline

/**
 * A history's timeline as SVG: one row per process (more when its operations overlap), each
 * operation a bar from invocation to completion, laid out in event order (only the order of
 * times matters), the operations that could not be linearized in red.
 */
export function timelineSvg(t: TimelineData): string {
  const label = (o: TimelineOp): string => cut(o.label, 30);
  const charW = 6.9;
  // Columns: events by time; a bar is at least as wide as its label.
  type Ev = { readonly time: number; readonly op: TimelineOp; readonly isRet: boolean };
  const events: Ev[] = [];
  for (const o of t.ops) {
    events.push({ time: o.call, op: o, isRet: false });
    if (o.ret !== null) events.push({ time: o.ret, op: o, isRet: true });
  }
  events.sort((a, b) => a.time - b.time);
  const callX = new Map<number, number>();
  const retX = new Map<number, number>();
  const lastEnd = new Map<string, number>();
  let x = 0;
  for (let i = 0; i < events.length; ) {
    let j = i;
    let col = x + 14;
    while (j < events.length && events[j]!.time === events[i]!.time) {
      const e = events[j]!;
      if (e.isRet) col = Math.max(col, callX.get(e.op.id)! + label(e.op).length * charW + 26);
      else col = Math.max(col, (lastEnd.get(String(e.op.process)) ?? -10) + 10);
      j++;
    }
    for (let k = i; k < j; k++) {
      const e = events[k]!;
      (e.isRet ? retX : callX).set(e.op.id, col);
      if (e.isRet) lastEnd.set(String(e.op.process), col);
    }
    x = col;
    i = j;
  }
  let right = x + 20;
  for (const o of t.ops) if (o.ret === null) right = Math.max(right, callX.get(o.id)! + label(o).length * charW + 60);
  // A short history is spread over the width (up to 3×), so that its concurrency shows.
  const stretch = Math.max(1, Math.min(3, 1000 / Math.max(1, right)));
  if (stretch > 1) {
    for (const m of [callX, retX]) for (const [k, v] of m) m.set(k, v * stretch);
    right *= stretch;
  }

  // Rows: per process, a sub-row only when its operations overlap.
  const rowsOut: { name: string; ops: { o: TimelineOp; x0: number; x1: number }[]; end: number }[] = [];
  for (const p of t.processes) {
    const mine = t.ops.filter((o) => o.process === p).sort((a, b) => a.call - b.call || a.id - b.id);
    const sub: { name: string; ops: { o: TimelineOp; x0: number; x1: number }[]; end: number }[] = [];
    for (const o of mine) {
      const x0 = callX.get(o.id)!;
      const x1 = o.ret === null ? right : retX.get(o.id)!;
      let row = sub.find((r) => r.end < x0);
      if (!row) {
        row = { name: sub.length === 0 ? `p${String(p)}` : `p${String(p)}′`, ops: [], end: -1 };
        sub.push(row);
      }
      row.ops.push({ o, x0, x1 });
      row.end = x1;
    }
    rowsOut.push(...sub);
  }
  const left = 64;
  const rowH = 34;
  const width = left + right + 10;
  const height = rowsOut.length * rowH + 16;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${f(width)}" height="${height}" viewBox="0 0 ${f(width)} ${height}" role="img" aria-label="history timeline">`);
  parts.push('<defs><linearGradient id="fade" x1="0" x2="1" y1="0" y2="0"><stop offset="0" stop-color="#94a3b8" stop-opacity="0.55"/><stop offset="1" stop-color="#94a3b8" stop-opacity="0.05"/></linearGradient></defs>');
  rowsOut.forEach((r, i) => {
    const y0 = 8 + i * rowH;
    parts.push(`<g class="proc-row" data-process="${esc(r.name)}"><rect class="proc-bg${i % 2 ? ' odd' : ''}" x="0" y="${y0}" width="${f(width)}" height="${rowH}"/><text class="proc-name" x="10" y="${y0 + 21}">${esc(r.name)}</text>`);
    for (const { o, x0, x1 } of r.ops) {
      const bad = o.mark === 'unplaced' || o.mark === 'blocking';
      const cls = ['op', `op-${o.status}`, bad ? 'op-unplaced' : '', o.mark === 'blocking' ? 'op-blocking' : '', o.mark === 'linearized' ? 'op-linearized' : ''].filter(Boolean).join(' ');
      const bx = left + x0;
      const bw = Math.max(12, x1 - x0);
      const tip = `${o.label} · process ${String(o.process)} · ${o.status === 'crashed' ? 'never completed' : o.status === 'unknown-output' ? 'output unknown' : 'completed'}${o.order !== undefined ? ` · linearized #${o.order}` : ''}${bad ? (o.mark === 'blocking' ? ' · cannot be linearized (blocks the rest)' : ' · cannot be linearized') : ''}${describeSource(o.source) ? ` · ${describeSource(o.source)}` : ''}`;
      parts.push(
        `<g class="${cls}" data-op="${o.id}"><title>${esc(tip)}</title>` +
          `<rect x="${f(bx)}" y="${y0 + 7}" width="${f(bw)}" height="20" rx="4"${o.status === 'crashed' && !bad ? ' fill="url(#fade)"' : ''}/>` +
          `<text x="${f(bx + 8)}" y="${y0 + 21}">${esc(label(o))}${bad ? ' !' : ''}${o.order !== undefined ? `<tspan class="op-order" dx="6">#${o.order}</tspan>` : ''}</text>` +
          `${o.status === 'crashed' ? `<text class="op-arrow" x="${f(bx + bw - 4)}" y="${y0 + 21}" text-anchor="end">⟶</text>` : ''}</g>`,
      );
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n');
}
