/**
 * Fitting text to a terminal's columns: word wrapping and tables whose long cells wrap inside their
 * column (never breaking the borders). Pure string work, used by every layer that prints for people
 * (ui/, rehearse/); the width itself comes from ui/text.ts termWidth.
 */
import Table from 'cli-table3';

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

/**
 * Column widths (cell content + 2 padding) that fit `width` columns with borders: each column's natural
 * width, and when the table is wider than that, the widest columns shrink (their cells then wrap inside
 * the column, cli-table3 wordWrap) until it fits; undefined when it fits as it is.
 */
export function fitColumns(cells: string[][], width: number): number[] | undefined {
  const n = Math.max(0, ...cells.map((r) => r.length));
  const natural = Array.from({ length: n }, (_, i) => Math.max(3, ...cells.map((r) => Math.max(...String(r[i] ?? '').split('\n').map((l) => l.length)) + 2)));
  const borders = n + 1;
  let total = natural.reduce((a, b) => a + b, 0) + borders;
  if (total <= width) return undefined;
  const w = [...natural];
  while (total > width) {
    const i = w.indexOf(Math.max(...w));
    if (w[i]! <= 6) break; // nothing sensible left to shrink
    w[i]!--;
    total--;
  }
  return w;
}

/** A table of `head` and `rows` that fits `opts.width` columns (default: no limit): long cells wrap inside their column. */
export function makeTable(
  head: string[],
  rows: (string | number)[][],
  opts: { color: boolean; align?: ('left' | 'right')[]; width?: number; /** wrap at spaces (wrap()), long words broken; else at the column edge */ words?: boolean },
): string {
  const colWidths = opts.width ? fitColumns([head, ...rows.map((r) => r.map(String))], opts.width) : undefined;
  // Wrapping at word boundaries is done here (cli-table3's own would cut a long word with "…").
  const cell = (v: string | number, i: number) => (colWidths && opts.words ? wrap(String(v), colWidths[i]! - 2).join('\n') : String(v));
  const t = new Table({
    head: head.map(cell),
    colAligns: opts.align,
    ...(colWidths ? { colWidths, wordWrap: !opts.words, wrapOnWordBoundary: false } : {}),
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [], compact: true },
    chars: opts.color ? undefined : { top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+', bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+', left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|' },
  });
  for (const r of rows) t.push(r.map(cell));
  return t.toString();
}
