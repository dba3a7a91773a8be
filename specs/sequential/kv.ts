/**
 * A key-value store of strings with get, put and append (Porcupine's `kvModel`), checked key by
 * key: operations on different keys never interact, so `partitionKey` splits a history by key
 * (P-compositionality) and each key is checked on its own.
 *
 * Every key starts as the empty string; a get of an absent key returns `""`.
 */
import { accept, REJECT, type SequentialSpec } from '../../impl/core/history/spec.ts';

/** A key-value operation's input. */
export type KvInput =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };

/** A key-value operation's output: the string a get returned (put and append: ignored). */
export type KvOutput = string | null;

/**
 * The store: `[key, value]` pairs sorted by key, no empty values (absent keys hold `""`), so
 * equal stores have equal representations. Never mutated (copied on write). Checked key by key,
 * a state holds at most one pair.
 */
export type KvState = readonly (readonly [string, string])[];

const EMPTY: KvState = Object.freeze([]);

function lookup(state: KvState, key: string): string {
  for (const [k, v] of state) if (k === key) return v;
  return '';
}

function withKey(state: KvState, key: string, value: string): KvState {
  const out: (readonly [string, string])[] = [];
  let placed = false;
  for (const e of state) {
    if (!placed && e[0] >= key) {
      if (value !== '') out.push([key, value]);
      placed = true;
      if (e[0] === key) continue;
    }
    out.push(e);
  }
  if (!placed && value !== '') out.push([key, value]);
  return out;
}

/** A string for a label: quoted, long ones cut in the middle (`"x 0 0 yx 1…yx 9 4 y"`). */
function shorten(s: string): string {
  return JSON.stringify(s.length <= 60 ? s : `${s.slice(0, 20)}…${s.slice(-36)}`);
}

/** The key-value store spec, partitioned by key. */
export function kvSpec(): SequentialSpec<KvState, KvInput, KvOutput> {
  return {
    name: 'kv',
    doc: 'a key-value store of strings (get, put, append), every key initially ""; checked key by key',
    init: () => EMPTY,
    step(state, input, output) {
      const current = lookup(state, input.key);
      switch (input.f) {
        case 'get':
          return output === undefined || output === current ? accept(state) : REJECT;
        case 'put':
          return accept(withKey(state, input.key, input.value));
        case 'append':
          return input.value === '' ? accept(state) : accept(withKey(state, input.key, current + input.value));
      }
    },
    key(state) {
      if (state.length === 0) return '';
      if (state.length === 1) return `${state[0]![0]}\u0000${state[0]![1]}`;
      return state.map(([k, v]) => `${k}\u0000${v}`).join('\u0001');
    },
    describe(input, output) {
      switch (input.f) {
        case 'get':
          return `get ${input.key} ${output === undefined || output === null ? '?' : shorten(output)}`;
        case 'put':
          return `put ${input.key} ${shorten(input.value)}`;
        case 'append':
          return `append ${input.key} ${shorten(input.value)}`;
      }
    },
    describeState: (state) => (state.length === 0 ? '{} (every key "")' : `{${state.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`),
    partitionKey: (input) => input.key,
    readOnly: (input) => input.f === 'get' || (input.f === 'append' && input.value === ''),
  };
}
