/**
 * Worker threads for the parallel runners: start them (TypeScript through `boot.mjs`), send a
 * request, await its one reply.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { InputError } from '../../impl/core/machine.ts';
import type { ModelRef } from './model-ref.ts';
import type { CoordinatorMessage, WorkerMessage } from './protocol.ts';

const BOOT = new URL('./boot.mjs', import.meta.url);
const ENTRY = new URL('./worker.ts', import.meta.url).href;

/** How long {@link WorkerHandle.stop} waits for a thread to end. */
export const STOP_WAIT_MS = 2_000;

/** The default worker count: the number of cores. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** Validate a worker count: an integer ≥ 1 (an {@link InputError} otherwise). */
export function checkWorkers(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`workers must be an integer ≥ 1, got ${String(n)}`);
  return n;
}

/** One worker thread, answering one message per request, in order. */
export class WorkerHandle {
  private readonly waiting: { resolve: (m: WorkerMessage) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(readonly worker: Worker) {
    worker.on('message', (m: WorkerMessage) => {
      const w = this.waiting.shift();
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`worker: ${m.message}`));
      else w.resolve(m);
    });
    const fail = (e: Error): void => {
      this.failure = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`worker exited (code ${code})`)));
  }

  /** Start a worker for a model; `ready` resolves once it has built its machine. */
  static create(ref: ModelRef): { readonly handle: WorkerHandle; readonly ready: Promise<WorkerMessage> } {
    const handle = new WorkerHandle(new Worker(BOOT, { workerData: { entry: ENTRY, ref } }));
    return { handle, ready: handle.reply() };
  }

  private reply(): Promise<WorkerMessage> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Send a message and await the worker's reply to it. */
  request(m: CoordinatorMessage): Promise<WorkerMessage> {
    const r = this.reply();
    this.worker.postMessage(m);
    return r;
  }

  /**
   * Stop the thread; a request still waiting for its reply is rejected. Waits at most
   * {@link STOP_WAIT_MS} for the thread to end: terminating a thread while it is still loading
   * (registering the TypeScript loader's hooks) can leave `terminate()` pending, so the thread
   * is also unref'd and never holds the process open. The wait's timer is *not* unref'd: with
   * both the thread and the timer unref'd, a pending `terminate()` left nothing to keep the
   * event loop alive, and the process ended mid-await (exit code 13, no result printed: seen
   * as a known-bug variant intermittently "not found" by the CLI).
   */
  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.worker.on('error', () => {});
    this.worker.unref();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.worker.terminate().catch(() => 0),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.failure = new Error('worker stopped');
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}

/**
 * Start `n` workers for a model; resolves when all have built their machine. `cancel` stops them
 * at once, even while they are still loading (the promise then rejects).
 */
export function startWorkers(ref: ModelRef, n: number): { readonly ready: Promise<WorkerHandle[]>; readonly cancel: () => Promise<void> } {
  const created = Array.from({ length: n }, () => WorkerHandle.create(ref));
  const handles = created.map((c) => c.handle);
  const cancel = (): Promise<void> => Promise.all(handles.map((w) => w.stop())).then(() => {});
  const ready = Promise.allSettled(created.map((c) => c.ready)).then(async (started) => {
    const bad = started.find((r) => r.status === 'rejected');
    if (bad) {
      await cancel();
      throw (bad as PromiseRejectedResult).reason;
    }
    return handles;
  });
  return { ready, cancel };
}
