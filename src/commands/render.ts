import type { Command } from 'commander';
import * as path from 'node:path';
import { ExecRunner } from '../core/exec-runner.js';
import { UserError } from '../core/exit-codes.js';
import { loadPlanFile, DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { renderUdevRules } from '../render/udev.js';
import { renderSystemdUnits } from '../render/systemd.js';
import { renderSysctl } from '../render/sysctl.js';
import { renderFstabBlock, renderFstabMerged, FSTAB_PATH } from '../render/fstab.js';
import type { RenderedFile } from '../render/types.js';
import { readRenderFacts } from '../tune/render-facts.js';
import { TuneError, validateTuning } from '../tune/validate.js';
import { defaultCliArgv } from '../tune/cli-path.js';
import type { Runner } from '../core/runner.js';
import type { CommandIo } from '../ui/io.js';
import { notes as printNotes, show } from '../ui/view.js';
import type { CommandContext } from './context.js';

const KINDS = ['udev', 'systemd', 'fstab', 'sysctl'] as const;

export interface RenderOptions {
  plan?: string;
  outDir?: string;
  merged?: boolean;
  cli?: string;
  json?: boolean;
}

/**
 * `jts-storage render udev|systemd|fstab|sysctl`: prints exactly the files `tune apply` / `apply`
 * would write (several files: each preceded by a "# ==> PATH <==" line), or writes them as separate
 * files into --out-dir (one per unit; drop-ins keep their NAME.d/ folder) so they can be checked
 * first, e.g. with `systemd-analyze verify DIR/*.service DIR/*.timer`.
 * Throws UserError for an unknown kind or a bad plan.
 */
export async function renderCommand(what: string, o: RenderOptions, io: CommandIo & { runner: Runner }): Promise<number> {
  if (!(KINDS as readonly string[]).includes(what)) throw new UserError(`render: unknown kind "${what}" (use ${KINDS.join(', ')})`);
  const loaded = await loadPlanFile(o.plan ?? DEFAULT_PLAN_PATH);
  const errors = validateTuning(loaded).filter((f) => f.severity === 'error');
  if (errors.length) throw new TuneError(errors);
  const runner = io.runner;
  const planFile = path.resolve(loaded.file);
  let files: RenderedFile[] = [];
  let enable: string[] = [];
  let notes: string[] = [];
  if (what === 'udev') files = [renderUdevRules(loaded.plan, planFile)];
  else if (what === 'sysctl') {
    const f = renderSysctl(loaded.plan, planFile);
    if (f) files = [f];
    else notes = ['the plan sets no sysctl: no file'];
  } else if (what === 'systemd') {
    const facts = await readRenderFacts(runner);
    const cli = o.cli ? [process.execPath, path.resolve(o.cli)] : defaultCliArgv();
    const r = renderSystemdUnits(loaded.plan, { cli, planFile, ...facts });
    files = r.files;
    enable = r.enable;
    notes = r.notes;
  } else {
    if (o.merged) files = [renderFstabMerged(loaded.plan, (await runner.readFileIfExists(FSTAB_PATH)) ?? '')];
    else files = [{ path: FSTAB_PATH, content: renderFstabBlock(loaded.plan), mode: 0o644, summary: 'the managed block of /etc/fstab' }];
  }

  if (o.outDir) {
    const written: string[] = [];
    for (const f of files) {
      // Keep "UNIT.d/" for systemd drop-ins so humans see where they belong (not rules.d/, sysctl.d/).
      const parent = path.basename(path.dirname(f.path));
      const rel = /\.(service|timer|socket|mount|path|target)\.d$/.test(parent) ? path.join(parent, path.basename(f.path)) : path.basename(f.path);
      const dest = path.join(o.outDir, rel);
      await runner.mkdir(path.dirname(dest), { recursive: true });
      await runner.writeFileAtomic(dest, f.content, { mode: f.mode });
      written.push(dest);
    }
    show(io, o.json, { written, files, enable, notes }, () => written.map((w) => `${w}\n`).join(''));
    if (!o.json) printNotes(io, notes);
    return 0;
  }
  show(io, o.json, { files, enable, notes }, () =>
    files.length === 1 && what !== 'systemd' ? files[0]!.content : files.map((f) => `# ==> ${f.path} <==\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}\n`).join(''),
  );
  if (o.json) return 0;
  if (enable.length) io.stderr(`enable: ${enable.join(' ')}\n`);
  printNotes(io, notes);
  return 0;
}

export const takesIo = true;

/** Thin commander wiring; the logic is renderCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('render')
    .description('Print (or write into --out-dir) the udev rule, systemd units, fstab block or sysctl file the plan gives, without installing anything')
    .argument('<what>', KINDS.join(' | '))
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--out-dir <dir>', 'write each file into DIR instead of printing')
    .option('--merged', 'fstab: print the whole new /etc/fstab (this host\'s file with the managed block merged in)')
    .option('--cli <path>', 'absolute path of the jts-storage launcher the units run (default: this installation)')
    .option('--json', 'print { files: [{ path, content, summary }], enable, notes }')
    .action(async (what: string, o: RenderOptions) => ctx.exit(await renderCommand(what, o, { ...ctx.io, runner: new ExecRunner() })));
}
