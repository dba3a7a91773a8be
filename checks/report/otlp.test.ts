/**
 * Counterexamples as OpenTelemetry traces (OTLP/JSON), read back through the official
 * OpenTelemetry protobuf definitions (`otlp-proto/`, copied from open-telemetry/opentelemetry-proto)
 * with protobufjs: every key of the file must be a field of `ExportTraceServiceRequest`, the
 * message must verify, and it must survive a binary encode/decode. Then the content: one resource
 * per node, a span per handler run, a link from each delivery to the run that sent the message,
 * crashes, partitions, drops and the violation as events; and the same counterexample gives the
 * same bytes. The CLI: `check … --out-otlp`, `report … --out-otlp`, bad paths (exit 2, nothing run).
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { runCli as run } from '../cli/testing.ts';
import { echoReport, longEchoReport, twoPhaseReport } from './fixtures.ts';
import { OTLP_EPOCH_MS, reportToOtlpJson } from './otlp.ts';
import type { ReportData } from './data.ts';

const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), 'otlp-proto');
let Request: protobuf.Type;

beforeAll(() => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  root.resolveAll();
  Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
});

/** Keys of the JSON that are not fields of the proto message, by path. */
function unknownKeys(t: protobuf.Type, v: unknown, path: string): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const f = t.fields[k];
    if (!f) {
      out.push(`${path}.${k}`);
      continue;
    }
    const ft = f.resolvedType;
    if (ft instanceof protobuf.Type) {
      const items = f.repeated && Array.isArray(x) ? x : [x];
      items.forEach((it, i) => out.push(...unknownKeys(ft, it, `${path}.${k}${f.repeated ? `[${i}]` : ''}`)));
    }
  }
  return out;
}

/** OTLP/JSON → the protobuf JSON mapping: trace and span ids are hex in OTLP/JSON, bytes in protobuf. */
function otlpJsonToProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => otlpJsonToProtoObject(x, key));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, otlpJsonToProtoObject(x, k)]));
  if (typeof v === 'string' && ['traceId', 'spanId', 'parentSpanId'].includes(key)) return Buffer.from(v, 'hex');
  return v;
}

interface KV {
  readonly key: string;
  readonly value: Record<string, unknown>;
}
interface PEvent {
  readonly name: string;
  readonly timeUnixNano: string;
  readonly attributes: KV[];
}
interface PLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: KV[];
}
interface PSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly attributes: KV[];
  readonly events: PEvent[];
  readonly links: PLink[];
  readonly status: { code?: number; message?: string };
}
interface Decoded {
  readonly resourceSpans: { resource: { attributes: KV[] }; scopeSpans: { scope: { name: string }; spans: PSpan[] }[] }[];
}

/** Parse an OTLP/JSON file through the official definitions; fails the test on any mismatch. */
function decode(text: string): Decoded {
  const json = JSON.parse(text) as unknown;
  expect(unknownKeys(Request, json, '')).toEqual([]);
  const obj = otlpJsonToProtoObject(json) as Record<string, unknown>;
  // fromObject takes the JSON mapping (64-bit times as decimal strings); verify checks the message.
  const msg = Request.fromObject(obj);
  expect(Request.verify(msg)).toBeNull();
  const bin = Request.encode(msg).finish();
  expect(bin.length).toBeGreaterThan(100);
  const back = Request.toObject(Request.decode(bin), { longs: String, enums: Number, bytes: String, defaults: true, arrays: true }) as Decoded;
  // Bytes come back base64: turn ids back into hex, as OTLP/JSON has them.
  const hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
  for (const rs of back.resourceSpans)
    for (const ss of rs.scopeSpans)
      for (const s of ss.spans) {
        const m = s as unknown as Record<string, unknown>;
        m['traceId'] = hex(s.traceId);
        m['spanId'] = hex(s.spanId);
        m['parentSpanId'] = s.parentSpanId ? hex(s.parentSpanId) : undefined;
        for (const l of s.links) {
          (l as unknown as Record<string, unknown>)['traceId'] = hex(l.traceId);
          (l as unknown as Record<string, unknown>)['spanId'] = hex(l.spanId);
        }
      }
  return back;
}

const attr = (kvs: readonly KV[], key: string): unknown => {
  const v = kvs.find((x) => x.key === key)?.value;
  if (!v) return undefined;
  if (v['stringValue'] !== undefined && v['stringValue'] !== '') return v['stringValue'];
  if (v['intValue'] !== undefined && v['intValue'] !== '0') return Number(v['intValue']);
  if (v['boolValue'] !== undefined) return v['boolValue'];
  return v['intValue'] !== undefined ? Number(v['intValue']) : v['stringValue'];
};

interface Flat extends PSpan {
  readonly service: string;
}
function spansOf(d: Decoded): Flat[] {
  return d.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service: String(attr(rs.resource.attributes, 'service.name')) }))));
}
const stepOf = (s: PSpan) => attr(s.attributes, 'dscheck.step') as number | undefined;
const nanos = (k: number, frac: number) => (BigInt(OTLP_EPOCH_MS) * 1_000_000n + BigInt(Math.round((k + frac) * 1e6))).toString();

describe('a counterexample as an OpenTelemetry trace', () => {
  let echo: ReportData;
  let decoded: Decoded;
  let spans: Flat[];
  beforeAll(() => {
    echo = echoReport(false);
    decoded = decode(reportToOtlpJson(echo));
    spans = spansOf(decoded);
  });

  it('round-trips through the official OTLP protobuf definitions, one trace id throughout', () => {
    expect(spans.length).toBeGreaterThan(3);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    for (const rs of decoded.resourceSpans) expect(rs.scopeSpans.map((s) => s.scope.name)).toEqual(['dscheck']);
  });

  it('has one resource per node, and one for the run', () => {
    const services = decoded.resourceSpans.map((rs) => attr(rs.resource.attributes, 'service.name'));
    expect([...services].sort()).toEqual([...echo.diagram!.lanes, 'dscheck'].sort());
    for (const rs of decoded.resourceSpans) expect(attr(rs.resource.attributes, 'service.namespace')).toBe('echo');
  });

  it('has a span per handler run, on its node, under the node, timed by its step', () => {
    const root = spans.find((s) => s.parentSpanId === undefined || s.parentSpanId === '')!;
    expect(root.name).toBe('counterexample echo');
    expect(root.service).toBe('dscheck');
    const runs = spans.filter((s) => stepOf(s) !== undefined);
    // Echo double-send: n1 sends the ping twice (a client request), n2 receives it twice.
    expect(runs.map((s) => [stepOf(s), s.service, s.name])).toEqual([
      [1, 'n1', 'request ping n2'],
      [2, 'n2', 'receive Ping'],
      [3, 'n2', 'receive Ping'],
    ]);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const s of runs) {
      const parent = byId.get(s.parentSpanId!)!;
      expect(parent.name).toBe(`${s.service} up`);
      expect(byId.get(parent.parentSpanId!)).toBe(root);
      expect(s.startTimeUnixNano).toBe(nanos(stepOf(s)!, 0.2));
      expect(attr(s.attributes, 'dscheck.action')).toBe(echo.steps![stepOf(s)!]!.label);
    }
    expect(runs[0]!.events.filter((e) => e.name === 'send').map((e) => attr(e.attributes, 'dscheck.message'))).toEqual(['Ping(seq=1)', 'Ping(seq=1)']);
  });

  it('links each delivery to the handler run that sent the message', () => {
    const runs = spans.filter((s) => stepOf(s) !== undefined);
    const sender = runs.find((s) => stepOf(s) === 1)!;
    for (const d of runs.filter((s) => s.name === 'receive Ping')) {
      expect(d.links.map((l) => [l.traceId, l.spanId])).toEqual([[sender.traceId, sender.spanId]]);
      expect(attr(d.links[0]!.attributes, 'dscheck.sent_at_step')).toBe(1);
    }
  });

  it('puts the violation on the step that breaks the check, as an event with status ERROR', () => {
    const v = echo.violation!;
    const bad = spans.filter((s) => s.events.some((e) => e.name === 'violation'));
    expect(bad.map(stepOf)).toEqual([v.step]);
    const ev = bad[0]!.events.find((e) => e.name === 'violation')!;
    expect(attr(ev.attributes, 'dscheck.check')).toBe('no-double-delivery');
    expect(attr(ev.attributes, 'dscheck.message')).toBe(v.message);
    expect(bad[0]!.status.code).toBe(2);
    const root = spans.find((s) => s.name === 'counterexample echo')!;
    expect(root.status).toMatchObject({ code: 2, message: v.headline });
    expect(spans.filter((s) => s.status.code === 2).length).toBe(2);
  });

  it('is the same, byte for byte, for the same counterexample, and differs for another', () => {
    const a = reportToOtlpJson(echoReport(false));
    expect(reportToOtlpJson(echoReport(false))).toBe(a);
    expect(reportToOtlpJson(twoPhaseReport(false))).not.toBe(a);
  });
});

describe('a long counterexample with every fault', () => {
  it('has the crashes, drops, duplicates, partitions and heals as events, and a new up-span after each restart', () => {
    const d = longEchoReport();
    const labels = d.steps!.map((s) => s.label);
    const count = (p: string) => labels.filter((l) => l.startsWith(p)).length;
    const spans = spansOf(decode(reportToOtlpJson(d)));
    const root = spans.find((s) => s.name === 'counterexample echo')!;
    const events = (name: string) => root.events.filter((e) => e.name === name);
    for (const [ev, prefix] of [['crash', 'crash '], ['drop', 'drop '], ['duplicate', 'duplicate '], ['partition', 'partition '], ['heal', 'heal']] as const) {
      expect(count(prefix), prefix).toBeGreaterThan(0);
      expect(events(ev).length, ev).toBe(count(prefix));
    }
    for (const e of events('crash')) expect(labels[attr(e.attributes, 'dscheck.step') as number]).toBe(`crash ${String(attr(e.attributes, 'dscheck.node'))}`);
    // Each node is up once at the start and once more after each of its restarts; a crash ends it with an event.
    for (const node of d.diagram!.lanes) {
      const ups = spans.filter((s) => s.name === `${node} up`);
      expect(ups.length, node).toBe(1 + count(`restart ${node}`));
      expect(ups.flatMap((u) => u.events.filter((e) => e.name === 'crash')).length, node).toBe(count(`crash ${node}`));
    }
    // Every delivery of a message sent during the trace links to the run at its send step, on the sender.
    const runs = spans.filter((s) => stepOf(s) !== undefined);
    const byStep = new Map(runs.map((s) => [stepOf(s)!, s]));
    const deliveries = runs.filter((s) => s.name.startsWith('receive '));
    expect(deliveries.length).toBe(count('deliver '));
    let linked = 0;
    for (const s of deliveries) {
      const sentAt = attr(s.attributes, 'dscheck.sent_at_step') as number;
      if (sentAt === 0) {
        expect(s.links).toEqual([]);
        continue;
      }
      const sender = byStep.get(sentAt)!;
      expect(s.links.map((l) => l.spanId)).toEqual([sender.spanId]);
      expect(sender.service).toBe(attr(s.attributes, 'dscheck.from'));
      linked++;
    }
    expect(linked).toBeGreaterThan(10);
    expect(spans.filter((s) => s.events.some((e) => e.name === 'violation')).map(stepOf)).toEqual([d.violation!.step]);
  });
});

describe('a machine without nodes', () => {
  it('has one resource for the model and a span per step', () => {
    const d = twoPhaseReport(false);
    const decoded = decode(reportToOtlpJson(d));
    expect(decoded.resourceSpans.map((rs) => attr(rs.resource.attributes, 'service.name')).sort()).toEqual(['dscheck', 'twophase']);
    const spans = spansOf(decoded).filter((s) => s.service === 'twophase');
    expect(spans.map((s) => attr(s.attributes, 'dscheck.action'))).toEqual(d.steps!.slice(1).map((s) => s.label));
    expect(spans.map((s) => s.name)).toContain('RMChooseToAbort');
    expect(spans[spans.length - 1]!.events.map((e) => e.name)).toEqual(['violation']);
  });
});

describe('dscheck check/report --out-otlp', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dscheck-otlp-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const BUG = ['check', 'echo', '-p', 'bug=double-send', '-i', 'no-double-delivery'];

  it('check writes the counterexample; report writes the same spans from the trace file', async () => {
    const a = join(dir, 'a.otlp.json');
    const r = await run(...BUG, '--out', join(dir, 't.json'), '--out-otlp', a, '--json');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { otlp: string }).otlp).toBe(a);
    const b = join(dir, 'b.otlp.json');
    const r2 = await run('report', join(dir, 't.json'), '--out', join(dir, 'r.html'), '--out-otlp', b);
    expect(r2.code).toBe(0);
    expect(r2.out).toContain(`OpenTelemetry trace (OTLP/JSON) written to ${b}`);
    const strip = (s: Flat) => ({ ...s, attributes: s.attributes.filter((x) => x.key !== 'dscheck.mode') });
    const sa = spansOf(decode(readFileSync(a, 'utf8'))).map(strip);
    const sb = spansOf(decode(readFileSync(b, 'utf8'))).map(strip);
    expect(sb).toEqual(sa);
    expect(sa.filter((s) => s.links.length > 0).length).toBe(2);
  });

  it('writes nothing and says so when there is no counterexample', async () => {
    const a = join(dir, 'none.json');
    const r = await run('check', 'twophase', '--out-otlp', a);
    expect(r.code).toBe(0);
    expect(r.out).toContain('no counterexample, so no OpenTelemetry trace was written');
    expect(existsSync(a)).toBe(false);
  });

  it('a bad output path is one line on stderr and exit 2, before any work', async () => {
    writeFileSync(join(dir, 'afile'), 'x');
    for (const bad of [join(dir, 'afile', 'x.json'), dir]) {
      const r = await run(...BUG, '--out', join(dir, 't.json'), '--out-otlp', bad);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain('--out-otlp');
      expect(r.out).toBe('');
      expect(existsSync(join(dir, 't.json'))).toBe(false);
    }
    writeFileSync(join(dir, 't.json'), 'not json');
    const r = await run('report', join(dir, 't.json'), '--out-otlp', join(dir, 'afile', 'y.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--out-otlp');
    expect(r.err).not.toContain('not valid JSON');
    const idx = await run('report', '--index', '--dir', dir, '--out-otlp', join(dir, 'z.json'));
    expect(idx.code).toBe(2);
  });
});
