import type { Command } from 'commander';
import * as path from 'node:path';
import { ExecRunner } from '../core/exec-runner.js';
import { UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH, type LoadedPlan } from '../model/load-plan.js';
import { runPlan } from '../pipeline/plan-pipeline.js';
import { renderDiagnostics, triage } from '../ui/diagnostics.js';
import { termWidth } from '../ui/text.js';
import { wantColor } from '../ui/color.js';
import { envOf } from '../ui/io.js';
import { EXIT } from '../core/exit-codes.js';
import { renderUdevRules } from '../render/udev.js';
import { renderSystemdUnits } from '../render/systemd.js';
import { renderSysctl } from '../render/sysctl.js';
import { renderFstabBlock, renderFstabMerged, FSTAB_PATH } from '../render/fstab.js';
import type { RenderedFile } from '../render/types.js';
import { readRenderFacts } from '../tune/render-facts.js';
import { TuneError, validateTuning } from '../tune/validate.js';
import { defaultCliArgv } from '../tune/cli-path.js';
import { driveScopeNotes, factsFromState, udevRuleInput } from '../tune/actions.js';
import { readUdevScope } from '../tune/facts.js';
import type { HostState } from '../model/host-state.js';
import type { Runner } from '../core/runner.js';
import type { CommandIo } from '../ui/io.js';
import { notes as printNotes, show } from '../ui/view.js';
import type { CommandContext } from './context.js';

const KINDS = ['udev', 'systemd', 'fstab', 'sysctl'] as const;

export interface RenderOptions {
  plan?: string;
  /** Validate and lint against described drives (as `plan --drives`) instead of this host's probe. */
  drives?: string;
  /** commander's --no-color sets false. */
  color?: boolean;
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
  const runner = io.runner;
  const run = await validatedPlan(o, io);
  if (!run) return EXIT.ERROR;
  const { loaded } = run;
  const errors = validateTuning(loaded).filter((f) => f.severity === 'error');
  if (errors.length) throw new TuneError(errors);
  const planFile = path.resolve(loaded.file);
  let files: RenderedFile[] = [];
  let enable: string[] = [];
  let notes: string[] = [];
  if (what === 'udev') {
    // The plan's drives as this host's udev database names them (or as the drives file describes them).
    const facts = o.drives ? factsFromState(run.state, loaded.plan) : await readUdevScope(runner, loaded.plan);
    const { matches, unmatched } = udevRuleInput(facts);
    files = [renderUdevRules(loaded.plan, matches, planFile, unmatched)];
    notes = driveScopeNotes(facts);
  }
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

/**
 * The plan, validated and linted exactly as `plan` does (runPlan: the same loader, lint and diff,
 * against this host's read-only probe or `--drives F`); undefined after printing the diagnostics when
 * it has errors: render never prints a file `plan` refuses (issue 17: `barrier=0`, a mistyped
 * `noatim`). One exception: without --drives, a plan drive absent from this host (render is run to
 * review the files anywhere) and the findings that follow from it are a note, not a refusal.
 */
export async function validatedPlan(o: RenderOptions, io: CommandIo & { runner: Runner }): Promise<{ loaded: LoadedPlan; state: HostState } | undefined> {
  const run = await runPlan({ runner: io.runner, planFile: o.plan ?? DEFAULT_PLAN_PATH, drivesFile: o.drives, skipTune: true });
  const t = triage(run.result.errors);
  const absent = o.drives ? [] : t.shown.filter((f) => f.rule === 'JTS-DRIVE-NOT-FOUND');
  const blocking = t.shown.filter((f) => !absent.includes(f)).concat(t.suppressed.filter((s) => !absent.includes(s.because)).map((s) => s.finding));
  if (blocking.length || !run.loaded || !run.state) {
    const sources = new Map<string, string>(run.loaded ? [[run.loaded.file, run.loaded.text]] : []);
    if (!run.loaded) for (const f of blocking) if (f.file && !sources.has(f.file)) sources.set(f.file, await io.runner.readFile(f.file).catch(() => ''));
    io.stderr(renderDiagnostics(blocking, { width: termWidth(io), color: wantColor(o.color, io.isTTY, envOf(io)), sources, offline: !!o.drives }));
    return undefined;
  }
  if (absent.length && !o.json)
    io.stderr(`note: ${absent.length} plan drive(s) not on this host: the checks that need the drive's facts (capacity, write cache) were not made; \`render --drives F\` makes them against described drives\n`);
  return { loaded: run.loaded, state: run.state };
}

export const takesIo = true;

/** Thin commander wiring; the logic is renderCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('render')
    .description('print (or write into --out-dir) the udev rule, systemd units, fstab block or sysctl file the plan gives, without installing anything')
    .argument('<what>', KINDS.join(' | '))
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--drives <file>', 'validate and lint against described drives (as plan --drives) instead of probing this host')
    .option('--no-color', 'no ANSI colours in the diagnostics')
    .option('--out-dir <dir>', 'write each file into DIR instead of printing')
    .option('--merged', 'fstab: print the whole new /etc/fstab (this host\'s file with the managed block merged in)')
    .option('--cli <path>', 'absolute path of the jts-storage launcher the units run (default: this installation)')
    .option('--json', 'print { files: [{ path, content, summary }], enable, notes }')
    .action(async (what: string, o: RenderOptions) => ctx.exit(await renderCommand(what, o, { ...ctx.io, runner: new ExecRunner() })));
}
