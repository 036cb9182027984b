/**
 * The view layer every command prints through: one result, rendered as JSON (`--json`: ui/json.ts,
 * 2-space indent, final newline, Maps as objects) or as the command's human text.
 */
import type { CommandIo } from './io.js';
import { jsonText } from './json.js';

/**
 * Writes `data` as JSON when `json`, else the text `human()` returns (called only then), on stdout.
 * `human` returns the exact text, newline included.
 */
export function show(io: Pick<CommandIo, 'stdout'>, json: boolean | undefined, data: unknown, human: () => string): void {
  io.stdout(json ? jsonText(data) : human());
}

/** One note per line on stderr ("note: …"), as every command prints them. */
export function notes(io: Pick<CommandIo, 'stderr'>, list: readonly string[], prefix = 'note'): void {
  for (const n of list) io.stderr(`${prefix}: ${n}\n`);
}
