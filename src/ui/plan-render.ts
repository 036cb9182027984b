/**
 * Human output of `plan`, Terraform-style: findings first (compiler format), then the layout, then
 * each action with its symbol and the exact commands apply will run, then the summary line.
 *
 *     +   create        ~   change        -/+ replace (destroys data)        -   destroy
 */
import type { Action, Step } from '../model/actions.js';
import type { PlanRun } from '../pipeline/plan-pipeline.js';
import { BEGIN_MARKER, END_MARKER } from '../render/fstab-format.js';
import { colors, type Colors } from './color.js';
import { displayArgv, quoteArg } from './argv.js';
import { formatFinding } from './findings.js';
import { layoutTable, vgLines } from './table.js';
import { wrap } from './text.js';

/** The one symbol per action kind, as Terraform shows them (plan, apply's dry run and progress). */
export const ACTION_SYMBOL: Record<Action['kind'], string> = { create: '+', change: '~', replace: '-/+', destroy: '-' };
const VERB: Record<Action['kind'], string> = { create: 'will be created', change: 'will be updated in place', replace: 'must be replaced', destroy: 'will be destroyed' };

function paint(kind: Action['kind'], c: Colors, s: string): string {
  return kind === 'create' ? c.green(s) : kind === 'change' ? c.yellow(s) : c.red(s);
}

export function stepLines(step: Step): string[] {
  switch (step.type) {
    case 'exec':
      return [`$ ${displayArgv(step.argv)}`];
    case 'mkdir':
      return [`mkdir ${step.path} (mode ${step.mode.toString(8).padStart(4, '0')}, parents as needed)`];
    case 'write-sysfs':
      return [`write "${step.value}" to ${step.path}`];
    case 'write-file': {
      const out = [`write ${step.path}${step.backup ? ' (old file backed up first)' : ''}${step.verifyArgv ? `, checked first with: ${displayArgv(step.verifyArgv)}` : ''}`];
      const lines = step.content.split('\n');
      const b = lines.findIndex((l) => l === BEGIN_MARKER);
      const e = lines.findIndex((l) => l === END_MARKER);
      // For fstab, the managed block is what changes; the rest of the file is kept byte for byte.
      const shown = b >= 0 && e > b ? lines.slice(b, e + 1) : lines.filter((l, i) => i < lines.length - 1 || l !== '');
      for (const l of shown) out.push(`  | ${l}`);
      return out;
    }
  }
}

/**
 * A command line fitted to `width`: broken between arguments with a trailing ` \` (the shell reads
 * it as one line, so it still copies and pastes); file content lines (`  | `) are shown as they are.
 */
/**
 * A line of file content (`        | text`) fitted to `width`: cut into pieces, each piece after the
 * first on its own line marked `        : ` (the same line continues), so the exact content stays readable.
 */
export function fitContentLine(l: string, width: number): string[] {
  const bar = l.indexOf('| ') + 2;
  if (l.length <= width || bar < 2) return [l];
  const room = width - bar;
  const text = l.slice(bar);
  const out = [l.slice(0, bar) + text.slice(0, room)];
  for (let i = room; i < text.length; i += room) out.push(`${' '.repeat(bar - 2)}: ${text.slice(i, i + room)}`);
  return out;
}

/** A command line fitted to `width`: broken between arguments with a trailing ` \\` (the shell reads it as one line). */
export function fitArgv(argv: string[], indent: string, width: number): string[] {
  const out: string[] = [];
  let line = `${indent}$`;
  for (const a of argv.map(quoteArg)) {
    if (line.trim() !== '$' && line.length + 1 + a.length > width - 2) {
      out.push(`${line} \\`);
      line = `${indent}    ${a}`;
    } else line += ` ${a}`;
  }
  out.push(line);
  return out;
}

export function renderAction(a: Action, c: Colors, width = 80): string[] {
  const sym = ACTION_SYMBOL[a.kind];
  const out = [c.bold(`  # ${a.resource} ${VERB[a.kind]}`)];
  out.push(...wrap(a.summary, width, '      ', `${paint(a.kind, c, sym.padStart(3))} `));
  if (a.destructive) out.push(...wrap(c.red(`forces replacement: ${a.destructive.forcedBy}; destroys ${a.destructive.loses}`), width, '      ', '      '));
  for (const s of a.steps) {
    if (s.type === 'exec') out.push(...fitArgv(s.argv, '      ', width));
    else for (const l of stepLines(s)) out.push(...(l.startsWith('  | ') ? fitContentLine(`      ${l}`, width) : wrap(l, width, '          ', '      ')));
  }
  if (a.steps.length === 0) out.push(c.dim('      (no command: see the warnings above)'));
  return out;
}

export function summaryLine(run: PlanRun): string {
  const s = run.result.summary;
  return `Plan: ${s.create} to create, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`;
}

/** `width`: columns to fit (default 80): findings wrap with a hanging indent. */
export function renderPlan(run: PlanRun, opts: { color: boolean; source?: string; width?: number }): string {
  const width = opts.width ?? 80;
  const c = colors(opts.color);
  const r = run.result;
  const out: string[] = [];
  const where = opts.source ?? (run.state?.source === 'described' ? 'described drives' : 'this host (read-only probe)');
  out.push(...wrap(`jts-storage plan ${r.planFile} against ${where}${r.stateHash ? ` (state ${r.stateHash.slice(0, 12)})` : ''}`, width, '    ', ''));
  out.push('');
  const findings = [...r.errors, ...r.warnings, ...r.infos];
  if (findings.length) {
    for (const f of findings) out.push(...wrap(formatFinding(f, c), width, '    ', ''));
    out.push('');
  }
  if (run.layout && run.loaded && run.layout.vgs.length) {
    out.push(layoutTable(run.layout, run.loaded.plan, opts.color, width));
    for (const l of vgLines(run.layout)) out.push(...wrap(l, width, '    ', ''));
    out.push('');
  }
  if (r.actions.length) {
    out.push('jts-storage will perform the following actions, in this order:');
    out.push('');
    for (const a of r.actions) {
      out.push(...renderAction(a, c, width));
      out.push('');
    }
  } else if (run.loaded && run.state) {
    out.push(c.green('No changes. The host matches the plan.'));
    out.push('');
  }
  out.push(c.bold(summaryLine(run)));
  if (r.errors.length) {
    out.push(...wrap(c.red(`The plan is invalid: ${r.errors.length} error(s). Nothing may be applied until they are fixed.`), width));
  } else if (r.actions.some((a) => a.destructive)) {
    out.push(...wrap(c.red(`${r.actions.filter((a) => a.destructive).length} action(s) destroy data: apply refuses them unless explicitly allowed (--allow-destroy).`), width));
  }
  return out.join('\n') + '\n';
}
