/**
 * Default labels of messages and payloads in traces and diagrams.
 */
import { compact, toPlain } from '../core/trace.ts';

/** A field value in a label: numbers, booleans and strings bare, anything else compact JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (v === undefined) return 'undefined';
  return compact(toPlain(v));
}

/** `Type(field=value, ...)`, fields in the message's own order; `Type` when it has none. */
export function formatMessageDefault(m: { readonly type: string }): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(m)) if (k !== 'type') parts.push(`${k}=${formatValue(v)}`);
  return parts.length === 0 ? m.type : `${m.type}(${parts.join(', ')})`;
}

/**
 * A message's label from its derived view: the view itself when the message's schema labels it
 * (`S.labelled`: the view is a string), else {@link formatMessageDefault} of the view (whose
 * labelled fields are strings already, shown bare).
 */
export function formatMessageView(view: unknown): string {
  return typeof view === 'string' ? view : formatMessageDefault(view as { readonly type: string });
}
