/**
 * Effect constructors: what handlers return, as data. Handlers usually call the typed copies on
 * their context (`ctx.send(to, msg)`); these free functions are the same constructors, for code
 * outside a handler (helpers shared by several handlers, tests).
 */
import type { BroadcastEffect, CancelTimerEffect, GhostEffect, NodeId, NoteEffect, SendEffect, SetTimerEffect } from './types.ts';

/** Put `msg` in flight to `to`. */
export function send<M>(to: NodeId, msg: M): SendEffect<M> {
  return { kind: 'send', to, msg };
}

/** Send `msg` to every other node, in id order. */
export function broadcast<M>(msg: M): BroadcastEffect<M> {
  return { kind: 'broadcast', msg };
}

/** Arm a timer. */
export function setTimer<T>(timer: T): SetTimerEffect<T> {
  return { kind: 'set-timer', timer };
}

/** Disarm a timer. */
export function cancelTimer<T>(timer: T): CancelTimerEffect<T> {
  return { kind: 'cancel-timer', timer };
}

/** Update the ghost record with a pure function. */
export function ghost<G>(update: (g: G) => G): GhostEffect<G> {
  return { kind: 'ghost', update };
}

/** Annotate the message-sequence diagram; changes no state. */
export function note(label: string): NoteEffect {
  return { kind: 'note', label };
}
