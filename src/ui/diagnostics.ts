/**
 * Diagnostics, Terraform-style: on an invalid plan `plan` (and `render`) print only these blocks on
 * stderr, no action list. One block per finding:
 *
 *     ╷
 *     │ Error: JTS-CAPACITY
 *     │
 *     │   on plans/jts.yaml:31:14, in volumeGroups[0].reserve:
 *     │   31:     reserve: 10%
 *     │                    ^^^
 *     │
 *     │ volume group vg_jts does not fit: … (wrapped to the terminal)
 *     │
 *     │ Source: lvcreate(8) …
 *     ╵
 *
 * Root causes come first (the input files, then the drives, then capacity, then the rest); findings
 * that only follow from a root cause are left out and counted (`--json` still lists every finding).
 */
import type { Finding } from '../model/actions.js';
import { colors, type Colors } from './color.js';
import { wrap } from './text.js';

/**
 * Which findings follow from which: when a plan drive is not found, its VG has no extents, so every
 * capacity/reserve figure computed from it is a consequence, not a second problem (src/model/capacity.ts
 * computes them from the matched drives).
 */
export const FOLLOWS_FROM: Record<string, readonly string[]> = {
  'JTS-DRIVE-NOT-FOUND': ['JTS-SNAPSHOT-RESERVE', 'JTS-CAPACITY', 'JTS-RESERVE-HELD', 'JTS-VG-EXTENT', 'JTS-DRIVE-KIND', 'JTS-LVM-MIXED-LBS'],
  'JTS-DRIVE-IDENTITY-CONFLICT': ['JTS-SNAPSHOT-RESERVE', 'JTS-CAPACITY', 'JTS-RESERVE-HELD'],
};

/** Rank of a rule as a root cause: 0 the input files, 1 drives, 2 capacity, 3 everything else. */
function rank(f: Finding): number {
  if (/^(PLAN|DRIVES)-/.test(f.rule) || /^(YAML|SCHEMA)/.test(f.rule)) return 0;
  if (/^JTS-DRIVE-/.test(f.rule)) return 1;
  if (/^JTS-(CAPACITY|VG-)/.test(f.rule)) return 2;
  return 3;
}

export interface Triage {
  /** The findings to show, root causes first (stable within a rank). */
  shown: Finding[];
  /** Left out: each follows from a shown root cause. */
  suppressed: { finding: Finding; because: Finding }[];
}

/** Orders findings root causes first and leaves out those that follow from a shown one (FOLLOWS_FROM). */
export function triage(findings: readonly Finding[]): Triage {
  const ordered = findings.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  const shown: Finding[] = [];
  const suppressed: Triage['suppressed'] = [];
  for (const f of ordered) {
    const because = shown.find((r) => r.severity === 'error' && (FOLLOWS_FROM[r.rule] ?? []).includes(f.rule));
    if (because) suppressed.push({ finding: f, because });
    else shown.push(f);
  }
  return { shown, suppressed };
}

export interface DiagnosticOptions {
  /** Columns to fit (ui/text.ts termWidth). */
  width: number;
  color: boolean;
  /** The text of each file findings point into (plan file, drives file), for the snippet. */
  sources: ReadonlyMap<string, string>;
  /** The plan ran against described drives (--drives), not this host. */
  offline: boolean;
}

/** Length of the value that starts at index `i` of a YAML line: a quoted string, a flow list, or a plain scalar. */
export function tokenLength(line: string, i: number): number {
  const c = line[i];
  if (c === undefined) return 1;
  const close = c === '"' || c === "'" ? c : c === '[' ? ']' : c === '{' ? '}' : undefined;
  if (close) {
    const j = line.indexOf(close, i + 1);
    return j > i ? j - i + 1 : line.length - i;
  }
  let j = i;
  while (j < line.length && !/[,\]}]/.test(line[j]!) && !(line[j] === ' ' && line[j + 1] === '#')) j++;
  return Math.max(1, line.slice(i, j).replace(/\s+$/, '').length);
}

/** The source line of file:line with the field at col underlined (^^^), fitted to `avail` columns. */
function snippet(text: string | undefined, line: number | undefined, col: number | undefined, avail: number): string[] {
  if (!text || !line) return [];
  const src = text.split('\n')[line - 1];
  if (src === undefined) return [];
  const num = `${line}: `;
  const at = Math.max(0, (col ?? 1) - 1);
  let shown = src.replace(/\t/g, ' ');
  let start = 0;
  const room = avail - num.length;
  // A long line is shown around the field, cut with "…" on either side.
  if (shown.length > room) {
    start = Math.max(0, Math.min(at - Math.floor(room / 3), shown.length - room + 1));
    shown = (start > 0 ? '…' : '') + shown.slice(start + (start > 0 ? 1 : 0), start + room - 1) + (start + room - 1 < src.length ? '…' : '');
  }
  const len = Math.min(tokenLength(src, at), Math.max(1, room - (at - start)));
  return [`${num}${shown}`, `${' '.repeat(num.length + at - start)}${'^'.repeat(len)}`];
}

const SEVERITY: Record<Finding['severity'], string> = { error: 'Error', warning: 'Warning', info: 'Info' };

/** What to do next, for the findings where the tool knows: a plan drive absent from this host → --drives. */
export function suggestion(f: Finding, offline: boolean): string | undefined {
  if (f.rule === 'JTS-DRIVE-NOT-FOUND' && !offline)
    return 'To plan for another host (or review the plan on this one), describe its drives and plan offline: `jts-storage plan --drives FILE` (examples/drives/4tb-nvme.yaml shows the format; `lsblk -J -b -O` on the target prints the figures).';
  if (f.rule === 'JTS-DRIVE-NOT-FOUND' && offline) return 'Correct the drive in the plan (byId, serial or wwn) or in the drives file so that they name the same drive.';
  return undefined;
}

/** One finding as a block (lines without trailing newline). */
export function diagnosticBlock(f: Finding, o: DiagnosticOptions, c: Colors = colors(o.color)): string[] {
  const inner = o.width - 2;
  const bar = (s: string) => `│ ${s}`.replace(/\s+$/, '');
  const paint = f.severity === 'error' ? c.red : f.severity === 'warning' ? c.yellow : c.cyan;
  const out = ['╷', bar(`${c.bold(paint(SEVERITY[f.severity] + ':'))} ${c.bold(f.rule)}`)];
  if (f.file) {
    out.push('│');
    const where = `${f.file}:${f.line ?? '?'}:${f.col ?? '?'}`;
    out.push(...wrap(`on ${where}${f.field ? `, in ${f.field}` : ''}:`, inner, '    ', '  ').map(bar));
    for (const l of snippet(o.sources.get(f.file), f.line, f.col, inner - 2)) out.push(bar(`  ${l}`));
  }
  // "specific message — the general fact": two paragraphs.
  const dash = f.message.indexOf(' — ');
  const parts = dash > 0 ? [f.message.slice(0, dash), f.message.slice(dash + 3)] : [f.message];
  for (const p of parts) {
    out.push('│');
    out.push(...wrap(p, inner).map(bar));
  }
  if (f.overridden) out.push('│', ...wrap(`Overridden: ${f.overridden}`, inner).map(bar));
  if (f.source) out.push('│', ...wrap(`Source: ${f.source}`, inner).map(bar));
  const hint = suggestion(f, o.offline);
  if (hint) out.push('│', ...wrap(`Suggestion: ${hint}`, inner).map(bar));
  out.push('╵');
  return out;
}

/**
 * Every block for `findings` (errors, then warnings; infos only when `withInfos`), root causes first,
 * consequences left out, then one closing line. Returns the text with its final newline.
 */
export function renderDiagnostics(findings: readonly Finding[], o: DiagnosticOptions & { withInfos?: boolean }): string {
  const c = colors(o.color);
  const wanted = findings.filter((f) => f.severity !== 'info' || o.withInfos);
  const errors = wanted.filter((f) => f.severity === 'error');
  const t = triage(errors);
  const rest = wanted.filter((f) => f.severity !== 'error');
  const out: string[] = [];
  // A file that cannot be read at all is one line (issue 17: every file error one line), not a block.
  const fileErrors = t.shown.filter((f) => f.field === '(file)');
  if (fileErrors.length === t.shown.length && !rest.length) return fileErrors.map((f) => `error: ${f.message}\n`).join('');
  for (const f of [...t.shown, ...rest]) out.push(...diagnosticBlock(f, o, c), '');
  const n = t.shown.length;
  const k = t.suppressed.length;
  const more = k ? `; ${k} more follow${k === 1 ? 's' : ''} from ${n === 1 ? 'it' : 'them'} and ${k === 1 ? 'is' : 'are'} not shown (--json lists every finding)` : '';
  if (errors.length) out.push(...wrap(c.red(`${n} error${n === 1 ? '' : 's'}${more}. Nothing may be applied until they are fixed.`), o.width));
  return out.join('\n') + '\n';
}
