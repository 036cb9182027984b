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

/** Visible length: ANSI colour codes do not take columns. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

/**
 * Word-wraps `text` to `width` columns, each line starting with `indent` (the first with `first`,
 * default `indent`). A word longer than a line is broken at the width. Existing newlines are kept.
 */
export function wrap(text: string, width: number, indent = '', first = indent): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = out.length ? indent : first;
    let empty = true;
    for (let word of para.split(/ +/)) {
      if (word === '') continue;
      const room = width - visibleLength(line) - (empty ? 0 : 1);
      if (visibleLength(word) <= room) {
        line += (empty ? '' : ' ') + word;
        empty = false;
        continue;
      }
      if (!empty) {
        out.push(line);
        line = indent;
        empty = true;
      }
      // A word longer than a whole line (a path, a URL): broken at the width.
      while (visibleLength(word) > width - indent.length) {
        const cut = Math.max(1, width - indent.length);
        out.push(indent + word.slice(0, cut));
        word = word.slice(cut);
      }
      line = indent + word;
      empty = word === '';
    }
    out.push(line.replace(/\s+$/, ''));
  }
  return out;
}
