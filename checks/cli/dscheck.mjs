#!/usr/bin/env node
// The dscheck command: loads the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

// `dscheck … | head` closes the pipe early: stop quietly instead of crashing.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
