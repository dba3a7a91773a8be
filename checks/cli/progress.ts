/**
 * The live progress line on a TTY (stderr), plain silence otherwise.
 */
import { dur, num } from '../output.ts';

/** A progress line that redraws itself in place; a no-op when stderr is not a TTY. */
export class ProgressLine {
  private readonly tty: boolean;
  private shown = false;

  constructor(enabled: boolean) {
    this.tty = enabled && process.stderr.isTTY === true;
  }

  /** Redraw the line. */
  update(fields: Readonly<Record<string, string | number>>): void {
    if (!this.tty) return;
    const text = Object.entries(fields)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? num(v) : v}`)
      .join(' · ');
    process.stderr.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  /** Clear the line before normal output. */
  clear(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}

/** Format elapsed time for a progress line. */
export function elapsed(ms: number): string {
  return dur(ms);
}
