/**
 * Parsers: the EDN reader, Jepsen event pairing, Porcupine's etcd and kv logs, the JSON format,
 * format detection and the model adapters, with their one-line InputError messages.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../impl/core/machine.ts';
import { readEdn, readEdnAll, type EdnMap } from './edn.ts';
import { jepsenEventsFromEdn, jepsenEventsFromEtcd, pairJepsenEvents } from './jepsen.ts';
import { parseJsonHistory } from './json-format.ts';
import { detectFormat, parseHistory } from './load.ts';
import { checkHistory } from '../../impl/core/history/search.ts';

/** Expect an InputError whose message matches every pattern and is one line. */
function expectInputError(f: () => unknown, ...patterns: RegExp[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(InputError);
  const msg = (caught as Error).message;
  expect(msg).not.toContain('\n');
  for (const p of patterns) expect(msg).toMatch(p);
}

describe('EDN reader', () => {
  it('reads scalars, keywords, strings with escapes and collections', () => {
    expect(readEdn('nil')).toBeNull();
    expect(readEdn('true')).toBe(true);
    expect(readEdn('-42')).toBe(-42);
    expect(readEdn('7N')).toBe(7);
    expect(readEdn('1.5e2')).toBe(150);
    expect(readEdn('"a\\"b\\\\c\\n\\u0041"')).toBe('a"b\\c\nA');
    expect(readEdn(':ns/kw')).toEqual({ kind: 'keyword', name: 'ns/kw' });
    expect(readEdn('sym')).toEqual({ kind: 'symbol', name: 'sym' });
    expect(readEdn('\\a')).toEqual({ kind: 'char', char: 'a' });
    expect(readEdn('\\newline')).toEqual({ kind: 'char', char: '\n' });
    expect(readEdn('[1 (2 3) #{4}]')).toEqual({
      kind: 'vector',
      line: 1,
      items: [1, { kind: 'list', line: 1, items: [2, 3] }, { kind: 'set', line: 1, items: [4] }],
    });
    expect(readEdn('#inst "2020"')).toEqual({ kind: 'tagged', tag: 'inst', value: '2020' });
  });

  it('treats commas as whitespace, skips ; comments and #_ forms, and tracks lines', () => {
    const forms = readEdnAll('; header\n{:a 1,, :b 2} ; trailing\n#_ {:skipped true}\n\n{:c "x;y"}');
    expect(forms).toHaveLength(2);
    expect((forms[0] as EdnMap).line).toBe(2);
    expect((forms[1] as EdnMap).line).toBe(5);
    expect((forms[1] as EdnMap).entries[0]![1]).toBe('x;y');
  });

  it('keeps #[ and #{ inside strings as text', () => {
    expect(readEdn('"#{:a} #[1]"')).toBe('#{:a} #[1]');
  });

  it('reports malformed input with source, line and column', () => {
    expectInputError(() => readEdnAll('[{:a 1}\n {:b "oops}]', 'h.edn'), /^h\.edn:2:6: unterminated string/);
    expectInputError(() => readEdnAll('[1 2\n3', 'h.edn'), /h\.edn:2:2: unclosed '\['.*line 1, column 1/);
    expectInputError(() => readEdnAll('[1 2)', 'h.edn'), /h\.edn:1:5: mismatched '\)'/);
    expectInputError(() => readEdnAll('{:a 1 :b}', 'h.edn'), /h\.edn:1:1: .*odd number of forms/);
    expectInputError(() => readEdnAll(']', 'h.edn'), /unexpected '\]'/);
    expectInputError(() => readEdnAll('"\\q"', 'h.edn'), /unknown escape '\\q'/);
    expectInputError(() => readEdnAll('12abc', 'h.edn'), /malformed number '12abc'/);
    expectInputError(() => readEdn('1 2', 'h.edn'), /unexpected text after/);
  });
});

describe('Jepsen EDN histories', () => {
  const edn = (body: string) => jepsenEventsFromEdn(body, 'h.edn');

  it('pairs invocations with completions; :ok values replace invocation values', () => {
    const ops = pairJepsenEvents(
      edn(`[{:process 0 :type :invoke :f :read :value nil}
            {:process :nemesis :type :info :f :kill :value nil}
            {:process 0 :type :ok :f :read :value 3}]`),
      'h.edn',
    );
    expect(ops).toEqual([{ process: 0, f: 'read', invoke: null, completion: { kind: 'ok', value: 3 }, call: 0, ret: 2, callLine: 1, retLine: 3 }]);
  });

  it('reads a sequence of top-level maps too', () => {
    expect(edn('{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value 1}')).toHaveLength(2);
  });

  it('rejects unmatched completions, double invocations and mismatched :f', () => {
    expectInputError(() => pairJepsenEvents(edn('[{:process 3 :type :ok :f :read :value 1}]'), 'h.edn'), /^h\.edn:1: unmatched completion: process 3/);
    expectInputError(
      () => pairJepsenEvents(edn('[{:process 1 :type :invoke :f :read}\n{:process 1 :type :invoke :f :write :value 2}]'), 'h.edn'),
      /h\.edn:2: process 1 invokes :write while its :read from line 1 is still pending/,
    );
    expectInputError(
      () => pairJepsenEvents(edn('[{:process 1 :type :invoke :f :read}\n{:process 1 :type :ok :f :write :value 2}]'), 'h.edn'),
      /h\.edn:2: process 1 completes :write but its pending invocation \(line 1\) is :read/,
    );
  });

  it('rejects maps without a valid :type or :process, and non-map entries', () => {
    expectInputError(() => edn('[{:process 1 :type :done :f :read}]'), /h\.edn:1: :type must be one of/);
    expectInputError(() => edn('[{:type :ok :f :read}]'), /h\.edn:1: operation map needs :process/);
    expectInputError(() => edn('[{:process 1 :type :ok :f :read} 42]'), /entry 2 is 42, expected an operation map/);
    expectInputError(() => edn(''), /empty history/);
  });

  it(':fail means "did not happen" in EDN; :info (or nothing) means indeterminate', () => {
    const text = `[{:process 0 :type :invoke :f :write :value 1}
                   {:process 0 :type :fail :f :write :value 1}
                   {:process 1 :type :invoke :f :write :value 2}
                   {:process 1 :type :info :f :write :value 2}
                   {:process 2 :type :invoke :f :read :value nil}
                   {:process 2 :type :ok :f :read :value 2}
                   {:process 3 :type :invoke :f :cas :value [2 4]}]`;
    const { history, droppedFailed, model } = parseHistory(text, { source: 'h.edn' });
    expect(model.name).toBe('cas-register');
    expect(droppedFailed).toBe(1);
    expect(history.ops.map((o) => [o.process, o.ret, o.output])).toEqual([
      [1, null, undefined],
      [2, 5, 2],
      [3, null, undefined],
    ]);
    expect(checkHistory(model.spec, history).verdict).toBe('linearizable');
  });

  it('rejects operations the model does not have, and malformed values, naming the line', () => {
    expectInputError(() => parseHistory('[{:process 0 :type :invoke :f :cas :value [1 2]}]', { source: 'h.edn', model: 'register' }), /h\.edn:1: operation 'cas' is not part of the register model/);
    expectInputError(() => parseHistory('[{:process 0 :type :invoke :f :cas :value 3}]', { source: 'h.edn', model: 'cas-register' }), /h\.edn:1: a cas needs the value \[from to\], got 3/);
    expectInputError(() => parseHistory('[{:process 0 :type :invoke :f :read}]', { source: 'h.edn', model: 'bogus' }), /unknown history model 'bogus'; valid: register, cas-register, kv, multi-register/);
  });

  it('multi-register txns: nil reads are unknown, values come from the :ok entry', () => {
    const text = `[{:process 0 :type :invoke :f :txn :value [[:write :x 1] [:write :y 1]]}
                   {:process 0 :type :ok :f :txn :value [[:write :x 1] [:write :y 1]]}
                   {:process 1 :type :invoke :f :txn :value [[:read :x nil] [:read :y nil]]}
                   {:process 1 :type :ok :f :txn :value [[:read :x nil] [:read :y 1]]}]`;
    const { history, model } = parseHistory(text, { source: 'm.edn' });
    expect(model.name).toBe('multi-register');
    expect(history.ops[1]!.output).toEqual([undefined, 1]);
    expect(checkHistory(model.spec, history).verdict).toBe('linearizable');
  });
});

describe("Porcupine's etcd log", () => {
  const line = (p: number, t: string, f: string, v: string) => `INFO  jepsen.util - ${p}\t${t}\t${f}\t${v}`;

  it('reads tab- or space-separated lines; :fail :cas is a failed compare, :fail :read a timeout', () => {
    const text = [
      line(0, ':invoke', ':write', '1'),
      line(0, ':ok', ':write', '1'),
      'INFO  jepsen.util - 1   :invoke :cas    [1 2]',
      'INFO  jepsen.util - 1   :fail   :cas    [1 2]',
      line(2, ':invoke', ':read', 'nil'),
      line(2, ':fail', ':read', ':timed-out'),
      '',
    ].join('\n');
    const { history, model, format } = parseHistory(text, { source: 'etcd.log' });
    expect(format).toBe('etcd');
    expect(model.name).toBe('cas-register');
    expect(history.ops.map((o) => [o.ret, o.output])).toEqual([
      [1, null],
      [3, false],
      [5, undefined],
    ]);
    // The cas claims the register did not hold 1, but it did: not linearizable.
    expect(checkHistory(model.spec, history).verdict).toBe('not-linearizable');
  });

  it('reports a malformed line with its number', () => {
    expectInputError(() => jepsenEventsFromEtcd(`${line(0, ':invoke', ':read', 'nil')}\nINFO jepsen.util - 0 :ok :read 3`, 'e.log'), /^e\.log:2: not an etcd log line/);
    expectInputError(() => jepsenEventsFromEtcd(line(0, ':done', ':read', 'nil'), 'e.log'), /^e\.log:1: type must be one of/);
    // The value starts at column 33 (after the 32 characters 'INFO  jepsen.util - 0\t:ok\t:read\t');
    // the reader hits the end of the line at column 37.
    expectInputError(() => jepsenEventsFromEtcd(line(0, ':ok', ':read', '[1 2'), 'e.log'), /^e\.log:1:37: unclosed '\[' \(opened at line 1, column 33\)/);
    expectInputError(() => pairJepsenEvents(jepsenEventsFromEtcd(line(4, ':ok', ':read', '3'), 'e.log'), 'e.log'), /^e\.log:1: unmatched completion: process 4/);
  });
});

describe("Porcupine's kv log", () => {
  it('reads one map per line, partitioned by key', () => {
    const text = [
      '{:process 0, :type :invoke, :f :append, :key "1", :value "x 0 0 y"}',
      '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "1", :value "x 0 0 y"}',
      '{:process 1, :type :ok, :f :get, :key "1", :value ""}',
      '',
    ].join('\n');
    expect(detectFormat('c.txt', text)).toBe('kv');
    const { history, model } = parseHistory(text, { source: 'c.txt' });
    expect(model.name).toBe('kv');
    expect(history.ops.map((o) => o.output)).toEqual([null, '']);
    expect(checkHistory(model.spec, history).verdict).toBe('linearizable');
  });

  it('reports malformed lines with their line and column', () => {
    expectInputError(() => parseHistory('{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type :ok :f}\n', { source: 'c.txt', format: 'kv' }), /^c\.txt:2:1: map opened at line 2, column 1 has an odd number of forms/);
  });

  it('requires a :key on every line', () => {
    expectInputError(() => parseHistory('{:process 0, :type :invoke, :f :get, :value nil}\n', { source: 'c.txt', format: 'kv' }), /^c\.txt:1: kv log entry has no :key/);
  });
});

describe('JSON history format', () => {
  const doc = (ops: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ format: 'dscheck-history', version: 1, ...extra, ops }, null, 2);

  it('reads operations with times, unknown outputs and crashed ops', () => {
    const text = doc(
      [
        { process: 0, call: 0, return: 3, f: 'write', value: 1 },
        { process: 'c1', call: 1, return: 5, f: 'read', output: 1 },
        { process: 2, call: 2, return: 6, f: 'cas', value: [1, 2], output: true },
        { process: 3, call: 4, return: null, f: 'write', value: 7 },
        { process: 4, call: 4, f: 'read' },
      ],
      { model: 'cas-register' },
    );
    const { history, model, format } = parseHistory(text, { source: 'h.json' });
    expect(format).toBe('json');
    expect(model.name).toBe('cas-register');
    expect(history.ops.map((o) => [o.process, o.call, o.ret, o.output, o.source?.callLine])).toEqual([
      [0, 0, 3, null, 6],
      ['c1', 1, 5, 1, 13],
      [2, 2, 6, true, 20],
      [3, 4, null, undefined, 31],
      [4, 4, null, undefined, 38],
    ]);
    expect(checkHistory(model.spec, history).verdict).toBe('linearizable');
  });

  it('accepts a bare array, with --model', () => {
    const { history } = parseHistory('[{"process": 0, "call": 0, "return": 1, "f": "read", "output": null}]', { source: 'h.json', model: 'register' });
    expect(history.ops).toHaveLength(1);
  });

  it('reads the optional replica "node" of an operation, and rejects a bad one', () => {
    const { history } = parseHistory('[{"process": 0, "node": "n1", "call": 0, "return": 1, "f": "read", "output": null}, {"process": 1, "call": 0, "return": 1, "f": "read", "output": null}]', {
      source: 'h.json',
      model: 'register',
    });
    expect(history.ops.map((o) => o.node)).toEqual(['n1', undefined]);
    expectInputError(() => parseJsonHistory('[{"process": 0, "node": "", "call": 0, "f": "read"}]', 'h.json'), /ops\[0\]: "node" must be an integer or a non-empty string/);
  });

  it('reports malformed JSON with line and column', () => {
    expectInputError(() => parseJsonHistory('{\n  "ops": [\n    {"process": 0,, }\n  ]\n}', 'h.json'), /^h\.json:3:\d+: malformed JSON/);
  });

  it('reports bad fields with the operation index and line', () => {
    const ops = (o: unknown) => doc([{ process: 0, call: 0, return: 1, f: 'read', output: 0 }, o]);
    expectInputError(() => parseJsonHistory(ops({ process: 1, call: 'x', f: 'read' }), 'h.json'), /^h\.json:12: ops\[1\]: "call" must be a number/);
    expectInputError(() => parseJsonHistory(ops({ process: 1, call: 5, return: 2, f: 'read' }), 'h.json'), /ops\[1\]: "return" \(2\) is before "call" \(5\)/);
    expectInputError(() => parseJsonHistory(ops({ process: 1, call: 5, f: 'read', colour: 'red' }), 'h.json'), /ops\[1\]: unknown field "colour"/);
    expectInputError(() => parseJsonHistory(ops({ process: null, call: 5, f: 'read' }), 'h.json'), /"process" must be an integer or a non-empty string/);
    expectInputError(() => parseJsonHistory(doc([{ process: 0, call: 0, return: 5, f: 'read' }, { process: 0, call: 3, return: 6, f: 'read' }]), 'h.json'), /process 0 has overlapping operations ops\[0\] \(line 5\) and ops\[1\] \(line 11\)/);
    expectInputError(() => parseJsonHistory('{"format": "other", "ops": []}', 'h.json'), /"format" must be "dscheck-history"/);
    expectInputError(() => parseJsonHistory('{"version": 2, "ops": []}', 'h.json'), /unsupported "version" 2/);
    expectInputError(() => parseJsonHistory('{"history": []}', 'h.json'), /needs an "ops" array/);
  });

  it('rejects model-level mistakes and a missing model', () => {
    expectInputError(
      () => parseHistory(doc([{ process: 0, call: 0, return: 1, f: 'cas', value: [1, 2], output: 'yes' }]), { source: 'h.json', model: 'cas-register' }),
      /h\.json:5: ops\[0\]: a cas "output" must be true \(swapped\) or false/,
    );
    expectInputError(() => parseHistory(doc([{ process: 0, call: 0, return: 1, f: 'read' }]), { source: 'h.json' }), /names no "model"; pass --model/);
  });
});

describe('format detection', () => {
  it('detects by content, then by extension', () => {
    expect(detectFormat('x', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil')).toBe('etcd');
    expect(detectFormat('x', '; comment\n[{:process 0}]')).toBe('edn');
    expect(detectFormat('x', '{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read}')).toBe('edn');
    expect(detectFormat('x', '{"ops": []}')).toBe('json');
    expect(detectFormat('x', '[{"process": 0}]')).toBe('json');
    expect(detectFormat('h.json', 'garbage')).toBe('json');
    expectInputError(() => detectFormat('h.txt', 'garbage'), /cannot tell the history format; pass --format/);
  });
});
