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
import { displayArgv } from './argv.js';
import { formatFinding } from './findings.js';
import { layoutTable, vgLines } from './table.js';

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

export function renderAction(a: Action, c: Colors): string[] {
  const sym = ACTION_SYMBOL[a.kind];
  const out = [c.bold(`  # ${a.resource} ${VERB[a.kind]}`)];
  out.push(`${paint(a.kind, c, sym.padStart(3))} ${a.summary}`);
  if (a.destructive) out.push(c.red(`      forces replacement: ${a.destructive.forcedBy}; destroys ${a.destructive.loses}`));
  for (const s of a.steps) for (const l of stepLines(s)) out.push(`      ${l}`);
  if (a.steps.length === 0) out.push(c.dim('      (no command: see the warnings above)'));
  return out;
}

export function summaryLine(run: PlanRun): string {
  const s = run.result.summary;
  return `Plan: ${s.create} to create, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`;
}

export function renderPlan(run: PlanRun, opts: { color: boolean; source?: string }): string {
  const c = colors(opts.color);
  const r = run.result;
  const out: string[] = [];
  const where = opts.source ?? (run.state?.source === 'described' ? 'described drives' : 'this host (read-only probe)');
  out.push(`jts-storage plan ${r.planFile} against ${where}${r.stateHash ? ` (state ${r.stateHash.slice(0, 12)})` : ''}`);
  out.push('');
  const findings = [...r.errors, ...r.warnings, ...r.infos];
  if (findings.length) {
    for (const f of findings) out.push(formatFinding(f, c));
    out.push('');
  }
  if (run.layout && run.loaded && run.layout.vgs.length) {
    out.push(layoutTable(run.layout, run.loaded.plan, opts.color));
    for (const l of vgLines(run.layout)) out.push(l);
    out.push('');
  }
  if (r.actions.length) {
    out.push('jts-storage will perform the following actions, in this order:');
    out.push('');
    for (const a of r.actions) {
      out.push(...renderAction(a, c));
      out.push('');
    }
  } else if (run.loaded && run.state) {
    out.push(c.green('No changes. The host matches the plan.'));
    out.push('');
  }
  out.push(c.bold(summaryLine(run)));
  if (r.errors.length) {
    out.push(c.red(`The plan is invalid: ${r.errors.length} error(s). Nothing may be applied until they are fixed.`));
  } else if (r.actions.some((a) => a.destructive)) {
    out.push(c.red(`${r.actions.filter((a) => a.destructive).length} action(s) destroy data: apply refuses them unless explicitly allowed (--allow-destroy).`));
  }
  return out.join('\n') + '\n';
}
