import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { EXIT, UserError } from '../core/exit-codes.js';
import { FileError } from '../core/file-error.js';
import { DEFAULT_PLAN_PATH, planJson, runPlan, type PlanRun } from '../pipeline/plan-pipeline.js';
import { renderDiagnostics } from '../ui/diagnostics.js';
import { OFFLINE_NOTE, makeSavedPlan, writeSavedPlan } from '../pipeline/saved-plan.js';
import { termWidth, wrap } from '../ui/text.js';
import { renderPlan } from '../ui/plan-render.js';
import { wantColor } from '../ui/color.js';
import { envOf, type CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import type { CommandContext } from './context.js';
import { planInventoryCommand } from '../fleet/fleet-plan.js';
import { proveCases, proveFindings, proveOnHost, type ProveRun } from '../prove/prove.js';
import { proveInSandbox } from '../prove/prove-sandbox.js';

export interface PlanCliOptions {
  plan?: string;
  drives?: string;
  out?: string;
  json?: boolean;
  /** Plan every host of this Ansible inventory (src/fleet/fleet-plan.ts): one line per host. */
  inventory?: string;
  /** Leave out the tuning actions (`tune apply`'s). */
  skipTune?: boolean;
  /** commander's --no-color sets false. */
  color?: boolean;
  /** Try every distinct mkfs + mount of the plan on the running kernel (or, with --drives, in the sandbox). */
  prove?: boolean;
  /** Where prove's sparse images go (default /var/tmp). */
  proveDir?: string;
}

export interface PlanIo extends CommandIo {
  runner: Runner;
}

/**
 * `jts-storage plan`, callable in-process (tests pass a FakeRunner). Returns the exit code:
 * 0 no changes, 2 changes pending, 1 invalid or refused. Runs nothing but the read-only probe, and
 * with --drives no process at all.
 */
export async function planCommand(o: PlanCliOptions, io: PlanIo): Promise<number> {
  const planFile = o.plan ?? DEFAULT_PLAN_PATH;
  if (o.inventory) return planInventoryCommand({ ...o, plan: planFile, inventory: o.inventory }, io);
  const run = await runPlan({ runner: io.runner, planFile, drivesFile: o.drives, skipTune: o.skipTune });
  let exit: number = run.exitCode;
  let saved: string | undefined;
  let saveError: string | undefined;
  if (o.out) {
    try {
      await writeSavedPlan(io.runner, o.out, makeSavedPlan(run, io.runner.now()));
      saved = o.out;
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      // The computed plan is never lost: it is printed (stdout) and this one line says why it was not saved.
      saveError = `${e instanceof FileError ? e.message : `cannot write ${o.out}: ${e.message}`} (not saved; the plan is printed instead)`;
      exit = EXIT.ERROR;
    }
  }
  let prove: { kernel: string; where: string; lines: string[]; refused: number } | undefined;
  if (o.prove && run.loaded && run.layout) {
    const cases = proveCases(run.loaded.plan, run.layout);
    let pr: ProveRun;
    if (o.drives) pr = await proveInSandbox(cases, { onProgress: (m) => io.stderr(`prove: ${m}\n`) });
    else {
      if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new UserError('plan --prove on this host needs root (loop devices, a private mount namespace); or plan offline with --drives F --prove (the sandbox)');
      pr = await proveOnHost(io.runner, cases, { workDir: o.proveDir ?? '/var/tmp' });
    }
    const f = proveFindings(run.loaded.plan, cases, pr, run.loaded.locate, run.loaded.file);
    run.result.errors.push(...f.findings);
    prove = { kernel: pr.kernel, where: pr.where, lines: f.lines, refused: f.findings.length };
    if (f.findings.length) exit = EXIT.ERROR;
  }
  const color = wantColor(o.color, io.isTTY, envOf(io));
  const width = termWidth(io);
  if (!o.json && run.result.errors.length) {
    // Invalid: only the diagnostics, on stderr; no layout, no action list (it would contradict itself).
    const sources = await findingSources(io.runner, run);
    io.stderr(renderDiagnostics([...run.result.errors, ...run.result.warnings], { width, color: wantColor(o.color, io.isTTY && io.interactive, envOf(io)), sources, offline: !!o.drives }));
    // The proof's verdict per volume (proved, or refused at file:line:col) stays visible beside the diagnostics.
    if (prove) io.stderr(proveText(prove));
    if (saveError) io.stderr(`error: ${saveError}\n`);
    return EXIT.ERROR;
  }
  show(io, o.json, { formatVersion: PLAN_FORMAT_VERSION, ...planJson(run), exitCode: exit, savedPlan: saved ?? null, ...(prove ? { prove } : {}) }, () => {
    let text = renderPlan(run, { color, width, source: o.drives ? `the drives described in ${o.drives}` : undefined });
    if (saved && o.drives) text += wrap(`Saved the plan to ${saved}: ${OFFLINE_NOTE}. It was planned against the drives described in ${o.drives}; \`jts-storage plan --out FILE\` on the host itself saves a plan that \`apply FILE\` runs.`, width).join('\n') + '\n';
    else if (saved) text += wrap(`Saved the plan to ${saved}: \`jts-storage apply ${saved}\` runs exactly these actions if neither the plan file nor the host changed.`, width).join('\n') + '\n';
    if (prove) text += proveText(prove);
    return text;
  });
  if (saveError) io.stderr(`error: ${saveError}\n`);
  return exit;
}

/** plan --prove's block: "Proved on kernel X (where):" and one line per volume (proved, or refused at file:line:col). */
function proveText(prove: { kernel: string; where: string; lines: string[]; refused: number }): string {
  return `\nProved on kernel ${prove.kernel} (${prove.where === 'sandbox' ? 'the sandbox' : 'this host: loop devices in a private mount namespace'}):\n${prove.lines.map((l) => `  ${l}`).join('\n')}\n${prove.refused ? `${prove.refused} volume(s) refused by the kernel: exit 1\n` : ''}`;
}

/** `plan --json`'s format version: 1 is the shape documented in docs/plan-output.md. */
export const PLAN_FORMAT_VERSION = 1;

/** The text of every file the findings point into (the plan's own text as loaded; others read, unreadable ones left out). */
async function findingSources(runner: Runner, run: PlanRun): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  if (run.loaded) m.set(run.loaded.file, run.loaded.text);
  for (const f of [...run.result.errors, ...run.result.warnings]) {
    if (!f.file || m.has(f.file)) continue;
    try {
      m.set(f.file, await runner.readFile(f.file));
    } catch {
      // no snippet for a file that cannot be read (its own finding says why)
    }
  }
  return m;
}

export const takesIo = true;

/** Thin commander wiring; the logic is planCommand. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('plan')
    .description('show what apply would do: validate and lint the plan, probe the host (read-only) or use --drives, and print the exact commands (exit 0 no changes, 2 changes, 1 invalid)')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--drives <file>', 'plan offline against described drives (YAML, see examples/drives/) instead of probing this host')
    .option('--inventory <file>', 'plan every host of a YAML Ansible inventory (jts_storage_drives per host): one line each; exit 1 if any is invalid, else 2 if any would change')
    .option('--out <file>', 'save the plan (actions + plan and state hashes) for `apply <file>`')
    .option('--skip-tune', 'leave out the tuning actions (udev scheduler rule, sysctl, timer units) that apply runs after the storage actions')
    .option('--prove', 'make and mount every distinct filesystem of the plan on the running kernel (sparse loop images in a private mount namespace, never the plan drives); with --drives, in the sandbox')
    .option('--prove-dir <dir>', 'where --prove puts its sparse images (default: /var/tmp)')
    .option('--json', 'print { errors, warnings, infos, actions, stateHash, summary, layout }')
    .option('--no-color', 'no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)')
    .action(async (o: PlanCliOptions) => ctx.exit(await planCommand(o, { ...ctx.io, runner: new ExecRunner() })));
}
