/**
 * A counterexample as an OpenTelemetry trace, in OTLP/JSON (what an OTLP/HTTP collector takes at
 * `/v1/traces`, Jaeger's included), so that it can be read in the tools engineers already use for
 * distributed traces.
 *
 * The spans are made by the official SDK (`@opentelemetry/sdk-trace-base`, one tracer provider per
 * resource) and serialized by the official `JsonTraceSerializer` of
 * `@opentelemetry/otlp-transformer`; nothing of the OTLP shape is written by hand here.
 *
 * The mapping, for a machine with nodes (one lane per node in the HTML report):
 * - one resource per node (`service.name` = the node), plus one for the run itself
 *   (`service.name` = `dscheck`), whose root span `counterexample <model>` spans the whole trace;
 * - per node, a span for each stretch of time it is up (`<node> up`), child of the root; a crash
 *   ends it with a `crash` event, a restart opens the next one;
 * - a span for each handler run (a delivery, a timer, a client request, a restart, a tick, a
 *   local step), child of its node's `up` span; the messages it sends are `send` events; a
 *   delivery links to the handler run that sent the message;
 * - drops, duplicates, partitions and heals are events of the root span;
 * - the violation is a `violation` event, with status ERROR, on the span of the step that breaks
 *   the check (the root span's status is ERROR too).
 *
 * A machine without nodes gets one resource (`service.name` = the model) and a span per step.
 *
 * Deterministic: the trace id is a hash of the model, its parameters and the step labels; span
 * ids are hashes of the trace id and the span's role; step k starts at
 * {@link OTLP_EPOCH_MS} + k milliseconds. The same counterexample gives the same file, byte for
 * byte.
 */
import { createHash } from 'node:crypto';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace as otelTrace, type Attributes, type AttributeValue, type HrTime, type Link, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type IdGenerator, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { TraceEvent } from '../../impl/core/machine.ts';
import type { ReportData } from './data.ts';

/** When step 0 starts, in ms since the epoch (2025-01-01T00:00:00Z): a fixed, recent-looking date. */
export const OTLP_EPOCH_MS = Date.UTC(2025, 0, 1);

/** The instrumentation scope of every span. */
export const OTLP_SCOPE = 'dscheck';

/** The `service.name` of the run's own resource (the root span and the network's events). */
export const OTLP_RUN_SERVICE = 'dscheck';

/** Step `k` plus `frac` of a step (a step lasts one millisecond), as an OpenTelemetry HrTime. */
function at(k: number, frac = 0): HrTime {
  const ns = Math.round((k + frac) * 1_000_000);
  const epochS = Math.floor(OTLP_EPOCH_MS / 1000);
  return [epochS + Math.floor(ns / 1e9), ns % 1e9];
}

function hex(s: string, chars: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, chars);
}

/** Hands out the ids chosen for the next span: the SDK asks its id generator for every span. */
class ChosenIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** The node a handler run happens on, and what kind of run it is; undefined for environment steps. */
function handlerOf(events: readonly TraceEvent[]): { node: string; name: string; kind: SpanKind } | undefined {
  for (const e of events) {
    switch (e.kind) {
      case 'deliver':
        return { node: e.to, name: `receive ${msgType(e.label)}`, kind: SpanKind.CONSUMER };
      case 'timer':
        return { node: e.node, name: `timer ${e.timer}`, kind: SpanKind.INTERNAL };
      case 'restart':
        return { node: e.node, name: 'restart', kind: SpanKind.INTERNAL };
      case 'tick':
        return { node: e.node, name: 'tick', kind: SpanKind.INTERNAL };
      case 'local':
        return { node: e.node, name: e.label, kind: SpanKind.INTERNAL };
      default:
        break;
    }
  }
  const send = events.find((e) => e.kind === 'send');
  // A step that only sends is a client request (or another external trigger) at the sender.
  return send && send.kind === 'send' ? { node: send.from, name: 'request', kind: SpanKind.SERVER } : undefined;
}

/** The message type of a label: `Ping(seq=1)` → `Ping`. */
function msgType(label: string): string {
  const i = label.search(/[(\s{]/);
  return i > 0 ? label.slice(0, i) : label;
}

/** A step's span name for a machine without nodes: its action label up to the first argument. */
function stepName(label: string): string {
  return msgType(label) || label;
}

/** At most this many changed-field lines go into a span's `dscheck.changes` attribute. */
const MAX_CHANGES = 50;

/**
 * The OTLP/JSON trace of a report's counterexample (an `ExportTraceServiceRequest`, as text).
 * Throws when the report has no trace.
 */
export function reportToOtlpJson(d: ReportData): string {
  const steps = d.steps;
  if (!steps || steps.length === 0) throw new Error('the report has no trace to export');
  const n = steps.length - 1;
  const traceId = hex(JSON.stringify([d.model, d.params, steps.map((s) => s.label)]), 32);
  const spanId = (role: string): string => hex(`${traceId}/${role}`, 16);
  const ids = new ChosenIds();
  ids.traceId = traceId;
  const exporter = new InMemorySpanExporter();
  const providers: BasicTracerProvider[] = [];
  const tracers = new Map<string, ReturnType<BasicTracerProvider['getTracer']>>();
  const tracerOf = (service: string, extra: Attributes) => {
    let t = tracers.get(service);
    if (!t) {
      const resource = resourceFromAttributes({ 'service.name': service, 'service.namespace': d.model, 'dscheck.model': d.model, ...extra });
      const p = new BasicTracerProvider({ resource, idGenerator: ids, spanProcessors: [new SimpleSpanProcessor(exporter)] });
      providers.push(p);
      t = p.getTracer(OTLP_SCOPE);
      tracers.set(service, t);
    }
    return t;
  };
  const start = (service: string, extra: Attributes, role: string, name: string, opts: { start: HrTime; kind?: SpanKind; attributes?: Attributes; links?: Link[]; parent?: Span }): Span => {
    ids.spanId = spanId(role);
    const ctx = opts.parent ? otelTrace.setSpan(ROOT_CONTEXT, opts.parent) : ROOT_CONTEXT;
    return tracerOf(service, extra).startSpan(name, { startTime: opts.start, kind: opts.kind ?? SpanKind.INTERNAL, ...(opts.attributes ? { attributes: opts.attributes } : {}), ...(opts.links ? { links: opts.links } : {}) }, ctx);
  };

  const params: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(d.params)) params[`dscheck.param.${k}`] = typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
  const v = d.violation;
  const runAttrs: Attributes = { 'dscheck.mode': d.mode };
  const root = start(OTLP_RUN_SERVICE, runAttrs, 'root', `${d.status === 'violation' ? 'counterexample' : 'trace'} ${d.model}`, {
    start: at(0),
    attributes: { ...params, 'dscheck.model': d.model, 'dscheck.steps': n, 'dscheck.verdict': d.headline, ...(v ? { 'dscheck.check': v.name, 'dscheck.check.kind': v.kind } : {}) },
  });

  const stepAttrs = (k: number): Attributes => {
    const s = steps[k]!;
    return { 'dscheck.step': k, 'dscheck.action': s.label, 'dscheck.changes': s.changes.slice(0, MAX_CHANGES) };
  };
  const markViolation = (span: Span, k: number) => {
    if (!v || v.step !== k) return;
    span.addEvent('violation', { 'dscheck.check': v.name, 'dscheck.check.kind': v.kind, 'dscheck.message': v.message, ...(v.doc ? { 'dscheck.check.doc': v.doc } : {}) }, at(k, 0.5));
    span.setStatus({ code: SpanStatusCode.ERROR, message: v.headline });
  };
  const markThrew = (span: Span, k: number) => {
    if (!steps[k]!.threw) return;
    span.addEvent('exception', { 'exception.message': `the action ${steps[k]!.label} threw` }, at(k, 0.5));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `the action ${steps[k]!.label} threw` });
  };

  const rows = d.diagram?.rows;
  if (!d.diagram || !rows) {
    // No nodes: one resource for the model, one span per step.
    for (let k = 1; k <= n; k++) {
      const span = start(d.model, {}, `step/${k}`, stepName(steps[k]!.label), { start: at(k), attributes: stepAttrs(k), parent: root });
      markViolation(span, k);
      markThrew(span, k);
      span.end(at(k, 0.9));
    }
  } else {
    const lanes = d.diagram.lanes;
    const nodeAttrs = (node: string): Attributes => ({ 'dscheck.node': node });
    const up = new Map<string, Span>();
    let lives = 0;
    const openLife = (node: string, k: number, restarted: boolean) => {
      up.set(node, start(node, nodeAttrs(node), `up/${node}/${lives++}`, `${node} up`, { start: at(k), attributes: { 'dscheck.node': node, 'dscheck.restarted': restarted }, parent: root }));
    };
    for (const node of lanes) openLife(node, 0, false);
    /** The span of the handler run of each step, for the links of deliveries. */
    const handlerSpan = new Map<number, Span>();
    for (let k = 1; k <= n; k++) {
      const events = (rows[k]?.events ?? []).map((e) => e.event);
      const sentAt = new Map<TraceEvent, number>();
      for (const e of rows[k]?.events ?? []) if (e.sentAt !== undefined) sentAt.set(e.event, e.sentAt);
      // Environment events first: they are what happened to the system at this step.
      for (const e of events) {
        const t = at(k, 0.1);
        switch (e.kind) {
          case 'crash': {
            const life = up.get(e.node);
            life?.addEvent('crash', { 'dscheck.step': k, 'dscheck.node': e.node }, t);
            life?.end(t);
            up.delete(e.node);
            root.addEvent('crash', { 'dscheck.step': k, 'dscheck.node': e.node }, t);
            break;
          }
          case 'restart':
            if (up.has(e.node)) up.get(e.node)!.end(at(k));
            openLife(e.node, k, true);
            break;
          case 'drop':
          case 'duplicate':
            root.addEvent(e.kind, { 'dscheck.step': k, 'dscheck.from': e.from, 'dscheck.to': e.to, 'dscheck.message': e.label, 'dscheck.msg_id': e.msgId, 'dscheck.sent_at_step': sentAt.get(e) ?? 0 }, t);
            break;
          case 'partition':
            root.addEvent('partition', { 'dscheck.step': k, 'dscheck.groups': e.groups.map((g) => g.join(',')), 'dscheck.one_way': e.oneWay === true }, t);
            break;
          case 'heal':
            root.addEvent('heal', { 'dscheck.step': k }, t);
            break;
          default:
            break;
        }
      }
      const h = handlerOf(events);
      if (!h) {
        // An environment step (crash, drop, duplicate, partition, heal): events of the root only.
        markViolation(root, k);
        continue;
      }
      const links: Link[] = [];
      const deliver = events.find((e) => e.kind === 'deliver');
      if (deliver && deliver.kind === 'deliver') {
        const from = sentAt.get(deliver) ?? 0;
        const sender = handlerSpan.get(from);
        if (sender) links.push({ context: sender.spanContext(), attributes: { 'dscheck.link': 'sent by', 'dscheck.sent_at_step': from, 'dscheck.message': deliver.label } });
      }
      const attributes: Attributes = { ...stepAttrs(k), 'dscheck.node': h.node };
      if (deliver && deliver.kind === 'deliver') Object.assign(attributes, { 'dscheck.from': deliver.from, 'dscheck.message': deliver.label, 'dscheck.msg_id': deliver.msgId, 'dscheck.sent_at_step': sentAt.get(deliver) ?? 0, ...(deliver.duplicate ? { 'dscheck.duplicate_copy': true } : {}) });
      const span = start(h.node, nodeAttrs(h.node), `step/${k}`, h.name, { start: at(k, 0.2), kind: h.kind, attributes, links, ...(up.has(h.node) ? { parent: up.get(h.node)! } : { parent: root }) });
      for (const e of events) if (e.kind === 'send') span.addEvent('send', { 'dscheck.to': e.to, 'dscheck.message': e.label, 'dscheck.msg_id': e.msgId }, at(k, 0.6));
      markViolation(span, k);
      markThrew(span, k);
      span.end(at(k, 0.9));
      handlerSpan.set(k, span);
    }
    for (const node of lanes) up.get(node)?.end(at(n + 1));
  }
  if (v) root.setStatus({ code: SpanStatusCode.ERROR, message: v.headline });
  root.end(at(n + 1));
  const spans: ReadableSpan[] = exporter.getFinishedSpans();
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('the OTLP serializer returned nothing');
  for (const p of providers) void p.shutdown();
  return `${JSON.stringify(JSON.parse(new TextDecoder().decode(bytes)), null, 2)}\n`;
}
