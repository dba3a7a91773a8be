/**
 * A small, complete-enough EDN reader (https://github.com/edn-format/edn) for Jepsen and Knossos
 * histories: `;` comments, commas as whitespace, `#_` discard, nil/true/false, integers (with an
 * optional `N`), floats (with an optional `M`), strings with escapes, characters, keywords,
 * symbols, lists, vectors, maps, sets `#{}` and tagged values `#tag value`.
 *
 * Every malformed input throws an {@link InputError} naming the source, line and column.
 */
import { InputError } from '../../impl/core/machine.ts';

/** A keyword, `:name` or `:ns/name` (the name is stored without the colon). */
export interface EdnKeyword {
  readonly kind: 'keyword';
  readonly name: string;
}
/** A symbol. */
export interface EdnSymbol {
  readonly kind: 'symbol';
  readonly name: string;
}
/** A character literal, `\a`, `\newline`. */
export interface EdnChar {
  readonly kind: 'char';
  readonly char: string;
}
/** A vector `[...]`; `line` is where it starts (1-based). */
export interface EdnVector {
  readonly kind: 'vector';
  readonly items: readonly EdnValue[];
  readonly line: number;
}
/** A list `(...)`. */
export interface EdnList {
  readonly kind: 'list';
  readonly items: readonly EdnValue[];
  readonly line: number;
}
/** A map `{...}`: entries in source order. */
export interface EdnMap {
  readonly kind: 'map';
  readonly entries: readonly (readonly [EdnValue, EdnValue])[];
  readonly line: number;
}
/** A set `#{...}`: items in source order. */
export interface EdnSet {
  readonly kind: 'set';
  readonly items: readonly EdnValue[];
  readonly line: number;
}
/** A tagged value `#inst "..."`. */
export interface EdnTagged {
  readonly kind: 'tagged';
  readonly tag: string;
  readonly value: EdnValue;
}
/**
 * An EDN value. nil, booleans, numbers and strings are plain JavaScript values (integers beyond
 * 2^53 lose precision); everything else is a tagged object.
 */
export type EdnValue = null | boolean | number | string | EdnKeyword | EdnSymbol | EdnChar | EdnVector | EdnList | EdnMap | EdnSet | EdnTagged;

const CLOSERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const CHAR_NAMES: Readonly<Record<string, string>> = { newline: '\n', return: '\r', space: ' ', tab: '\t', formfeed: '\f', backspace: '\b' };

function isWhitespace(c: number): boolean {
  return c === 32 || c === 44 || c === 10 || c === 13 || c === 9 || c === 12 || c === 11;
}
function isDelimiter(c: number): boolean {
  // whitespace, ( ) [ ] { } " ;
  return isWhitespace(c) || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 34 || c === 59;
}

class Reader {
  pos = 0;
  line: number;
  lineStart: number;

  constructor(
    readonly text: string,
    readonly source: string,
    at: EdnPosition = {},
  ) {
    this.line = at.line ?? 1;
    this.lineStart = 1 - (at.column ?? 1);
  }

  fail(msg: string, line = this.line, col = this.pos - this.lineStart + 1): never {
    throw new InputError(`${this.source}:${line}:${col}: ${msg}`);
  }

  /** Skip whitespace, commas and comments; true if a form follows. */
  skip(): boolean {
    const t = this.text;
    for (;;) {
      if (this.pos >= t.length) return false;
      const c = t.charCodeAt(this.pos);
      if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (isWhitespace(c)) this.pos++;
      else if (c === 59) {
        while (this.pos < t.length && t.charCodeAt(this.pos) !== 10) this.pos++;
      } else if (c === 35 && t.charCodeAt(this.pos + 1) === 95) {
        // #_ discards the next form
        this.pos += 2;
        if (!this.skip()) this.fail('#_ with no form to discard');
        this.read();
      } else return true;
    }
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !isDelimiter(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  readColl(open: string): EdnValue[] {
    const line = this.line;
    const col = this.pos - this.lineStart + 1;
    const close = CLOSERS[open]!;
    this.pos++;
    const items: EdnValue[] = [];
    for (;;) {
      if (!this.skip()) this.fail(`unclosed '${open}' (opened at line ${line}, column ${col}): end of input before '${close}'`);
      const c = this.text[this.pos]!;
      if (c === close) {
        this.pos++;
        return items;
      }
      if (c === ')' || c === ']' || c === '}') this.fail(`mismatched '${c}': expected '${close}' to close the '${open}' opened at line ${line}, column ${col}`);
      items.push(this.read());
    }
  }

  readString(): string {
    const line = this.line;
    const col = this.pos - this.lineStart + 1;
    const t = this.text;
    this.pos++;
    let out = '';
    let from = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string: no closing quote before the end of input', line, col);
      const c = t.charCodeAt(this.pos);
      if (c === 34) {
        out += t.slice(from, this.pos);
        this.pos++;
        return out;
      }
      if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      if (c === 92) {
        out += t.slice(from, this.pos);
        const e = t[this.pos + 1];
        this.pos += 2;
        switch (e) {
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'n': out += '\n'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          case 'u': {
            const hex = t.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad unicode escape '\\u${hex}' in string`);
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          case undefined:
            return this.fail('unterminated string: no closing quote before the end of input', line, col);
          default:
            this.fail(`unknown escape '\\${e}' in string`, this.line, this.pos - 1 - this.lineStart);
        }
        from = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  readAtom(): EdnValue {
    const line = this.line;
    const col = this.pos - this.lineStart + 1;
    const tok = this.token();
    if (tok === '') this.fail(`unexpected character '${this.text[this.pos]}'`);
    if (tok === 'nil') return null;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (/^[-+]?\d+N?$/.test(tok)) return Number(tok.replace(/N$/, ''));
    if (/^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?$/.test(tok)) return Number(tok.replace(/M$/, ''));
    if (/^[-+]?\d/.test(tok)) this.fail(`malformed number '${tok}'`, line, col);
    if (tok.startsWith(':')) {
      if (tok.length === 1 || tok.startsWith('::')) this.fail(`malformed keyword '${tok}'`, line, col);
      return { kind: 'keyword', name: tok.slice(1) };
    }
    if (tok.startsWith('#')) this.fail(`unsupported dispatch '${tok}'`, line, col);
    return { kind: 'symbol', name: tok };
  }

  read(): EdnValue {
    const t = this.text;
    const c = t[this.pos]!;
    const line = this.line;
    switch (c) {
      case '(':
        return { kind: 'list', items: this.readColl('('), line };
      case '[':
        return { kind: 'vector', items: this.readColl('['), line };
      case '{': {
        const col = this.pos - this.lineStart + 1;
        const items = this.readColl('{');
        if (items.length % 2 !== 0) this.fail(`map opened at line ${line}, column ${col} has an odd number of forms (${items.length}): a key without a value`, line, col);
        const entries: (readonly [EdnValue, EdnValue])[] = [];
        for (let i = 0; i < items.length; i += 2) entries.push([items[i]!, items[i + 1]!]);
        return { kind: 'map', entries, line };
      }
      case ')':
      case ']':
      case '}':
        return this.fail(`unexpected '${c}' with no matching opener`);
      case '"':
        return this.readString();
      case '\\': {
        this.pos++;
        const start = this.pos;
        // A character: one char, then up to the next delimiter (for \newline, \u0041).
        this.pos++;
        while (this.pos < t.length && !isDelimiter(t.charCodeAt(this.pos))) this.pos++;
        const name = t.slice(start, this.pos);
        if (name.length === 0) this.fail('character literal with no character');
        if (name.length === 1) return { kind: 'char', char: name };
        const named = CHAR_NAMES[name];
        if (named !== undefined) return { kind: 'char', char: named };
        if (/^u[0-9a-fA-F]{4}$/.test(name)) return { kind: 'char', char: String.fromCharCode(parseInt(name.slice(1), 16)) };
        return this.fail(`unknown character literal '\\${name}'`);
      }
      case '#': {
        const next = t[this.pos + 1];
        if (next === '{') {
          this.pos++;
          return { kind: 'set', items: this.readColl('{'), line };
        }
        if (next !== undefined && /[A-Za-z]/.test(next)) {
          this.pos++;
          const tag = this.token();
          if (!this.skip()) this.fail(`tag #${tag} with no value`);
          return { kind: 'tagged', tag, value: this.read() };
        }
        return this.fail(`unsupported dispatch '#${next ?? ''}'`);
      }
      default:
        return this.readAtom();
    }
  }
}

/** Where a text starts in its file (1-based), so messages point into the file. */
export interface EdnPosition {
  readonly line?: number;
  readonly column?: number;
}

/** Read every top-level form of an EDN text. `source` names it in error messages. */
export function readEdnAll(text: string, source = '<edn>', at: EdnPosition = {}): EdnValue[] {
  const r = new Reader(text, source, at);
  const out: EdnValue[] = [];
  while (r.skip()) out.push(r.read());
  return out;
}

/** Read exactly one EDN form (surrounding whitespace and comments allowed). */
export function readEdn(text: string, source = '<edn>', at: EdnPosition = {}): EdnValue {
  const r = new Reader(text, source, at);
  if (!r.skip()) r.fail('no EDN value (empty input)');
  const v = r.read();
  if (r.skip()) r.fail('unexpected text after the EDN value');
  return v;
}

/** The value of keyword key `:name` in an EDN map (`undefined` when absent). */
export function ednGet(m: EdnMap, name: string): EdnValue | undefined {
  for (const [k, v] of m.entries) {
    if (k !== null && typeof k === 'object' && k.kind === 'keyword' && k.name === name) return v;
  }
  return undefined;
}

/** Does the map have keyword key `:name`? */
export function ednHas(m: EdnMap, name: string): boolean {
  return ednGet(m, name) !== undefined;
}

/** Is this value an EDN map? */
export function isEdnMap(v: EdnValue | undefined): v is EdnMap {
  return v !== null && v !== undefined && typeof v === 'object' && v.kind === 'map';
}

/** Render an EDN value back as (compact) EDN text, for messages. */
export function showEdn(v: EdnValue): string {
  if (v === null) return 'nil';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  switch (v.kind) {
    case 'keyword':
      return `:${v.name}`;
    case 'symbol':
      return v.name;
    case 'char':
      return `\\${v.char}`;
    case 'vector':
      return `[${v.items.map(showEdn).join(' ')}]`;
    case 'list':
      return `(${v.items.map(showEdn).join(' ')})`;
    case 'set':
      return `#{${v.items.map(showEdn).join(' ')}}`;
    case 'map':
      return `{${v.entries.map(([k, x]) => `${showEdn(k)} ${showEdn(x)}`).join(', ')}}`;
    case 'tagged':
      return `#${v.tag} ${showEdn(v.value)}`;
  }
}
