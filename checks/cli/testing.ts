/**
 * Test support: run the CLI in-process and capture what it prints.
 */
import { vi } from 'vitest';
import type { AnyModel } from '../../impl/core/machine.ts';
import { CATALOGUE } from '../../specs/models/catalogue.ts';
import { main } from './main.ts';

/**
 * Test-only models that {@link runCli} adds to the catalogue (push in a test, remove after it),
 * as if they were registered.
 */
export const EXTRA_MODELS: AnyModel[] = [];

/** What one in-process CLI run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  /** Standard output, as lines and as one text. */
  readonly lines: readonly string[];
  readonly out: string;
  /** Everything written to standard error. */
  readonly err: string;
}

/** Run `dscheck <argv…>` in-process, capturing stdout (through `main`'s `out`) and stderr. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  const lines: string[] = [];
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    const catalogue = EXTRA_MODELS.length === 0 ? CATALOGUE : [...CATALOGUE, ...EXTRA_MODELS.map((m) => ({ name: m.name, load: async () => m }))];
    const code = await main(argv, (l) => lines.push(l), catalogue);
    return { code, lines, out: lines.join('\n'), err };
  } finally {
    spy.mockRestore();
  }
}
