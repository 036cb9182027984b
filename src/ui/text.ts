/**
 * Terminal width and word wrapping for human output. Everything a command prints for people fits
 * `termWidth(io)` columns: the terminal's own width (stdout, else stderr), or `COLUMNS`, never less
 * than 80 (the classic terminal; narrower ones are not supported); 80 when not a terminal, so logs
 * and tests are the same everywhere.
 */
import type { CommandIo } from './io.js';
import { envOf } from './io.js';

export const MIN_WIDTH = 80;

/** Columns to fit: COLUMNS (when a number) wins, then the terminal's width, else 80; at least 80. */
export function termWidth(io: Pick<CommandIo, 'env' | 'columns'> = {}): number {
  const env = envOf(io as CommandIo);
  const fromEnv = Number(env['COLUMNS']);
  const w = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (io.columns ?? MIN_WIDTH);
  return Math.max(MIN_WIDTH, w);
}

export { visibleLength, wrap } from '../core/columns.js';
