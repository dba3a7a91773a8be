/**
 * The register view of a history, for the checks that reason about reads and writes rather than
 * a sequential spec (causal consistency and eventual convergence): each operation becomes the
 * register accesses it made, per key.
 *
 * | model | key | accesses |
 * |---|---|---|
 * | `register`, `cas-register` | `""` (one register) | read, write; cas (a read-modify-write) |
 * | `kv` | the key | get → read, put → write; append (a read-modify-write) |
 * | `multi-register` | the register | each micro-op of a txn |
 */
import type { CasRegisterInput, CasRegisterOutput } from '../../specs/sequential/register.ts';
import type { KvInput, KvOutput } from '../../specs/sequential/kv.ts';
import type { MultiRegisterInput, MultiRegisterOutput } from '../../specs/sequential/multi-register.ts';
import type { RegisterValue } from '../../impl/core/history/spec.ts';
import type { History } from '../../impl/core/history/history.ts';
import type { HistoryModelName } from './models.ts';

export type { Access } from '../../impl/core/history/access.ts';
import type { Access } from '../../impl/core/history/access.ts';

/** The accesses of one operation of a history of `model`, in order. */
export function accessesOf(model: HistoryModelName, input: unknown, output: unknown): Access[] {
  switch (model) {
    case 'register':
    case 'cas-register': {
      const i = input as CasRegisterInput;
      const o = output as CasRegisterOutput | undefined;
      switch (i.f) {
        case 'read':
          return [o === undefined || typeof o === 'boolean' ? { kind: 'read-unknown', key: '' } : { kind: 'read', key: '', value: o }];
        case 'write':
          return [{ kind: 'write', key: '', value: i.value }];
        case 'cas':
          return [{ kind: 'cas', key: '', from: i.from, to: i.to, swapped: typeof o === 'boolean' ? o : undefined }];
      }
      break;
    }
    case 'kv': {
      const i = input as KvInput;
      const o = output as KvOutput | undefined;
      switch (i.f) {
        case 'get':
          return [o === undefined ? { kind: 'read-unknown', key: i.key } : { kind: 'read', key: i.key, value: o ?? '' }];
        case 'put':
          return [{ kind: 'write', key: i.key, value: i.value }];
        case 'append':
          return [{ kind: 'append', key: i.key, value: i.value }];
      }
      break;
    }
    case 'multi-register': {
      const i = input as MultiRegisterInput;
      const o = output as MultiRegisterOutput | undefined;
      return i.ops.map((m, k): Access => {
        if (m.f === 'write') return { kind: 'write', key: m.key, value: m.value };
        const v = o?.[k];
        return v === undefined ? { kind: 'read-unknown', key: m.key } : { kind: 'read', key: m.key, value: v };
      });
    }
  }
}

/** Every operation's accesses, indexed by operation id. */
export function historyAccesses(model: HistoryModelName, history: History<unknown, unknown>): Access[][] {
  return history.ops.map((op) => accessesOf(model, op.input, op.output));
}

/** A key for display: the single register of `register` / `cas-register` has the empty key. */
export function showKey(key: string): string {
  return key === '' ? 'the register' : `key ${JSON.stringify(key)}`;
}
