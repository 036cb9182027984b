import { Option, type Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import { UserError } from '../core/exit-codes.js';
import { DEFAULT_PLAN_PATH } from '../model/load-plan.js';
import { OFFLINE_NOTE, readSavedPlan } from '../pipeline/saved-plan.js';
import { runApply, type ApplyOutcome } from '../exec/apply.js';
import { planForApply } from '../pipeline/plan-for-apply.js';
import { DEFAULT_AUDIT_LOG } from '../exec/audit.js';
import { DEFAULT_LOCK_PATH } from '../exec/lock.js';
import { lockTimeoutMs } from '../exec/host-run.js';
import { progressFor } from '../exec/progress.js';
import { verifyPlan } from '../verify/run-verify.js';
import { formatVerifyReport } from '../verify/verify.js';
import type { Runner } from '../core/runner.js';
import { ACTION_SYMBOL } from '../ui/plan-render.js';
import { loadPlanFile } from '../model/load-plan.js';
import { proveCases, proveFindings, proveOnHost } from '../prove/prove.js';
import { envOf, type CommandIo } from '../ui/io.js';
import { show } from '../ui/view.js';
import { LineProgress } from '../exec/progress.js';
import type { CommandContext } from './context.js';


function human(o: ApplyOutcome): string {
  const l: string[] = [];
  for (const r of o.refusals) l.push(`refused: ${r}`);
  if (o.status === 'dry-run') {
    l.push(o.actions.length ? `dry run: apply would run these ${o.dryRunSteps?.filter((s) => s.startsWith('[')).length} step(s):` : 'dry run: nothing to do');
    l.push(...(o.dryRunSteps ?? []));
  }
  if (o.exec && !o.exec.ok) l.push(`apply FAILED at ${o.exec.failure!.message}\n${o.exec.actionsDone} action(s) completed before it; fix the cause and run apply again: it continues from the host's state`);
  if (o.verify) l.push(formatVerifyReport(o.verify));
  if (o.status === 'applied') l.push(`apply: done, ${o.actions.length} action(s), ${o.mutatingCommands} mutating command(s) in ${(o.wallMs / 1000).toFixed(1)} s; audit log ${o.auditLog} (run ${o.runId})`);
  if (o.status === 'nothing-to-do') l.push(`apply: nothing to do, the host matches the plan (0 mutating commands); audit log ${o.auditLog} (run ${o.runId})`);
  if (o.status === 'drift') l.push('apply: the actions ran but verify still finds drift (listed above)');
  return l.join('\n');
}

export interface ApplyOptions {
  plan: string;
  yes?: boolean;
  allowDestroy?: string[];
  dryRun?: boolean;
  skipTune?: boolean;
  auditLog: string;
  lockFile: string;
  lockTimeout?: string;
  json?: boolean;
  /** commander's --no-prove sets false: skip making and mounting the new filesystems on loop images first. */
  prove?: boolean;
  /** Where the proof puts its sparse images (default /var/tmp). */
  proveDir?: string;
}

/**
 * `jts-storage apply [saved-plan]`: carry out the plan's actions and nothing else, then verify.
 * Returns the exit code (0 applied or nothing to do, 2 drift after apply, 1 failed or refused).
 * The action list and warnings go to stderr as it plans; the outcome to stdout (human or --json).
 */
export async function applyCommand(saved: string | undefined, opts: ApplyOptions, io: CommandIo & { runner: Runner }): Promise<number> {
  const runner = io.runner;
  const savedFile = saved ? await readSavedPlan(runner, saved) : undefined;
  if (savedFile?.stateSource === 'described') {
    throw new UserError(`${saved}: ${OFFLINE_NOTE} (made with plan --drives, against described drives, which no probe of this host reproduces). Run \`jts-storage plan --out FILE\` on this host, review it, then \`apply FILE\``);
  }
  const savedPlan = savedFile?.result;
  const planFile = savedFile?.planFile ?? opts.plan;
  // Test hook (docs/apply.md): die by SIGKILL right after action k, as a power cut would.
  const crashK = Number(envOf(io).JTS_STORAGE_CRASH_AFTER_ACTION ?? '');
  const say = (s: string) => io.stderr(s + '\n');
  const outcome = await runApply({
    runner,
    deps: {
      plan: async (r) => {
        const p = await planForApply(r, planFile, { skipTune: opts.skipTune });
        if (!opts.json || io.progressTo?.isTTY) {
          for (const a of p.result.actions) say(`  ${ACTION_SYMBOL[a.kind].padEnd(3)} ${a.resource}: ${a.summary}${a.destructive ? `  (DESTROYS ${a.destructive.loses}; forced by ${a.destructive.forcedBy})` : ''}`);
        }
        for (const w of p.result.warnings) say(`warning: ${w.file ? `${w.file}:${w.line ?? '?'}: ` : ''}${w.message}`);
        if (opts.prove !== false && !opts.dryRun) await proveFirst(r, planFile, p, opts.proveDir, say);
        return p;
      },
      verify: (r, plan, state) => verifyPlan(r, plan, state),
    },
    saved: savedPlan,
    savedPlanSha256: savedFile?.planSha256,
    yes: !!opts.yes,
    dryRun: !!opts.dryRun,
    allowDestroy: opts.allowDestroy ?? [],
    auditLog: opts.auditLog,
    lockPath: opts.lockFile,
    lockTimeoutMs: lockTimeoutMs(opts.lockTimeout, 0),
    interactive: !!io.interactive,
    confirm: async (q) => (io.ask ? (await io.ask(q)).trim().toLowerCase() === 'yes' : false),
    say,
    progress: io.progressTo ? progressFor(io.progressTo) : new LineProgress(io.stderr),
    pid: io.pid ?? process.pid,
    crashAfterAction: Number.isInteger(crashK) && crashK > 0 ? crashK : undefined,
    crash: () => process.kill(process.pid, 'SIGKILL'),
  });
  const { actions, ...rest } = outcome;
  const slim = { ...rest, exec: rest.exec && { ...rest.exec, outputs: undefined }, actions: actions.map((a) => ({ id: a.id, kind: a.kind, resource: a.resource, summary: a.summary, steps: a.steps.length })) };
  show(io, opts.json, slim, () => human(outcome) + '\n');
  if (opts.json && outcome.status !== 'applied' && outcome.status !== 'nothing-to-do' && outcome.status !== 'dry-run') say(human(outcome));
  return outcome.exitCode;
}

/**
 * Before the first mutating command: the filesystems and mounts this run creates or changes, made and
 * mounted on sparse loop images on this kernel in a private mount namespace (never the plan's drives).
 * Errors: UserError listing the kernel's refusals at file:line:col (nothing has run then).
 */
async function proveFirst(r: Runner, planFile: string, p: Awaited<ReturnType<typeof planForApply>>, dir: string | undefined, say: (s: string) => void): Promise<void> {
  const touched = new Set<number>();
  p.plan.volumes.forEach((v, i) => {
    const ids = [`fs:${v.vg}/${v.name}:create`, `fs:${v.vg}/${v.name}:replace`, ...(v.mount ? [`mount:${v.mount.path}:create`, `mount:${v.mount.path}:remount`] : [])];
    if (p.result.actions.some((a) => ids.includes(a.id))) touched.add(i);
  });
  const cases = proveCases(p.plan, p.layout, touched);
  if (!cases.length) return;
  const pr = await proveOnHost(r, cases, { workDir: dir ?? '/var/tmp' });
  const loaded = await loadPlanFile(planFile);
  const f = proveFindings(p.plan, cases, pr, loaded.locate, loaded.file);
  if (f.findings.length) throw new UserError(`the kernel refuses what this plan would make (proved before any change; nothing was run; --no-prove skips the proof):\n${f.lines.filter((l) => !/: proved on kernel/.test(l)).join('\n')}`);
  say(`proved on kernel ${pr.kernel}: ${cases.length} distinct filesystem/mount combination(s) made and mounted on loop images`);
}

export const takesIo = true;

/** `jts-storage apply`: carry out the plan's actions and nothing else; then verify. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('apply')
    .description('carry out the plan (pvcreate, vgcreate, lvcreate, mkfs, users, directories, fstab, mount), safely and resumably; then verify')
    .argument('[saved-plan]', 'a plan saved with `plan --out FILE` (refused if the host changed since)')
    .addOption(new Option('--plan <file>', 'plan file').default(DEFAULT_PLAN_PATH, 'the embedded plans/jts.yaml'))
    .option('--yes', 'do not ask for confirmation (required without a terminal)')
    .option('--allow-destroy <id>', 'allow destroying what is on this drive (plan drive id, by-id link, serial) or volume (VG/LV); repeatable', (v: string, acc: string[] = []) => [...acc, v])
    .option('--dry-run', 'print exactly the commands apply would run, run none of them')
    .option('--skip-tune', 'leave out the tuning actions (udev scheduler rule, sysctl, timer units) that `tune apply` runs')
    .option('--audit-log <path>', 'JSON-lines audit log', DEFAULT_AUDIT_LOG)
    .option('--lock-file <path>', 'lock file (one changing run at a time)', DEFAULT_LOCK_PATH)
    .option('--lock-timeout <seconds>', 'wait this long for another run holding the lock; 0 refuses at once, naming it (default: 0)')
    .option('--json', 'machine-readable outcome on stdout (progress stays on stderr)')
    .option('--no-prove', 'do not first make and mount the new filesystems on sparse loop images (the kernel-truth proof, docs/kernel-truth.md)')
    .option('--prove-dir <dir>', 'where the proof puts its sparse images (default: /var/tmp)')
    .action(async (saved: string | undefined, opts: ApplyOptions) => ctx.exit(await applyCommand(saved, opts, { ...ctx.io, runner: new ExecRunner() })));
}
