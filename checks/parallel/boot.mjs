// Entry of every dscheck worker thread: load TypeScript through tsx, then the worker module.
// (A worker does not inherit the parent's tsx hooks, and `--import tsx` in execArgv races the
// entry module on Node 20, so the registration happens here, before the import.)
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
