/**
 * Gathering for health, through the Runner only. Two phases, run in parallel:
 *   1. one call per host-wide tool: lvm fullreport and findmnt started together, then lsblk of the PVs
 *      LVM named (so its cost follows the drives, not the volumes);
 *   2. statfs(2) of each mounted volume in scope (a syscall, no process), as soon as LVM and findmnt
 *      answered, and one SMART query per drive, as soon as lsblk answered.
 * So the number of processes is 3 + drives, whatever the number of volumes. Any failure (tool missing,
 * non-zero exit, timeout, unparsable output) becomes a reason, and the checks depending on it UNKNOWN.
 */
import type { Runner, RunResult } from '../core/runner.js';
import type { Plan } from '../model/plan-schema.js';
import { buildScope, scopePvs, scopeVgNames, smartTool, type Got, type HealthInputs, type HostReports, type SmartValue, type StatfsValue } from './evaluate.js';
import { parseNvmeSmartLog, runNvmeSmartLog } from '../host/nvme.js';
import { parseSmartctl, runSmartctl, smartctlFatal, smartctlMessages } from '../host/smartctl.js';
import { DEBIAN_PACKAGE, runTool } from '../host/env.js';
import { FINDMNT_ARGV, LSBLK_ARGV, LVM_ARGV, lsblkPvArgv, parseFindmnt, parseLsblk, parseLvmReport, lvmWarnings, type HBlock } from './sources.js';

export interface CollectOptions {
  /** Per host-wide tool call. */
  toolTimeoutMs?: number;
  /** Per drive: a drive that does not answer in time is UNKNOWN, the rest of the report goes on. */
  driveTimeoutMs?: number;
  statfsTimeoutMs?: number;
}

export interface Collected {
  inputs: HealthInputs;
  toolCalls: string[];
}


function failure(r: RunResult, timeoutMs: number | undefined): string | undefined {
  const tool = r.argv[0];
  if (r.notFound) return `${tool} not installed (not found on PATH${tool && DEBIAN_PACKAGE[tool] ? `; Debian package ${DEBIAN_PACKAGE[tool]}` : ''})`;
  if (r.timedOut) return `${tool} did not answer within ${Math.round((timeoutMs ?? 0) / 1000)} s`;
  if (r.exitCode !== 0) {
    const msg = r.stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
    return `${r.argv.slice(0, 2).join(' ')} exited ${r.exitCode}${msg ? ': ' + msg : ''}`;
  }
  return undefined;
}

function parsed<T>(r: RunResult, timeoutMs: number | undefined, parse: (s: string) => T): Got<T> {
  const f = failure(r, timeoutMs);
  if (f) return { ok: false, reason: f };
  try {
    return { ok: true, value: parse(r.stdout) };
  } catch (e) {
    return { ok: false, reason: `${r.argv[0]}: unreadable output: ${(e as Error).message}` };
  }
}

/**
 * LVM exits non-zero for a partial problem (a PV missing, one unreadable device) and still reports
 * everything else: read it, and say the state is partial.
 */
function lenient<T>(r: RunResult, timeoutMs: number | undefined, parse: (s: string) => T): Got<T> {
  const f = failure(r, timeoutMs);
  if (!f || r.notFound || r.timedOut) return parsed(r, timeoutMs, parse);
  try {
    return { ok: true, value: parse(r.stdout), note: f };
  } catch {
    return { ok: false, reason: f };
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export async function queryDrive(runner: Runner, device: string, first: 'nvme' | 'smartctl', timeoutMs: number, calls: string[]): Promise<Got<SmartValue>> {
  if (first === 'nvme') {
    calls.push('nvme smart-log');
    const r = await runNvmeSmartLog(runner, device, timeoutMs);
    // Without nvme-cli, smartctl reads the same log page.
    if (!r.notFound) {
      const g = parsed(r, timeoutMs, parseNvmeSmartLog);
      return g.ok ? { ok: true, value: { health: g.value, source: 'nvme-cli' } } : g;
    }
  }
  calls.push('smartctl -a');
  const r = await runSmartctl(runner, device, timeoutMs);
  if (r.notFound) return { ok: false, reason: first === 'nvme' ? 'neither nvme-cli nor smartctl is installed' : 'smartctl not installed (not found on PATH)' };
  if (r.timedOut) return { ok: false, reason: `smartctl did not answer within ${Math.round(timeoutMs / 1000)} s` };
  const fatal = smartctlFatal(r.exitCode);
  if (fatal) {
    const detail = smartctlMessages(r.stdout, r.stderr);
    return { ok: false, reason: `${fatal}${detail ? ': ' + detail : ''}` };
  }
  try {
    return { ok: true, value: { health: parseSmartctl(r.stdout), source: 'smartctl' } };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

export async function collectHealth(runner: Runner, plan: Plan | undefined, opts: CollectOptions = {}): Promise<Collected> {
  const toolMs = opts.toolTimeoutMs ?? 30_000;
  const driveMs = opts.driveTimeoutMs ?? 15_000;
  const statfsMs = opts.statfsTimeoutMs ?? 10_000;
  const calls: string[] = [];
  const run = (argv: string[]) => {
    calls.push(argv.slice(0, argv[0] === 'lvm' ? 2 : 1).join(' '));
    return runTool(runner, argv, { timeoutMs: toolMs });
  };
  // LVM and the mount table are asked together; every later step starts as soon as the reports it needs
  // are in: statfs once LVM and the mount table are read, lsblk once LVM named the PVs, SMART after lsblk.
  const lvmP = run(LVM_ARGV).then((r) => lenient(r, toolMs, (t) => ({ ...parseLvmReport(t), warnings: lvmWarnings(r.stderr) })));
  const mntP = run(FINDMNT_ARGV).then((r) => parsed(r, toolMs, parseFindmnt));
  // The drives: lsblk of the PVs in scope and what they sit on, once LVM named them (every device only
  // when LVM could not be read). lsblk exits 64 when one named device is gone and still reports the rest.
  const blkP = lvmP.then(async (lvm): Promise<Got<HBlock[]>> => {
    if (!lvm.ok) return parsed(await run(LSBLK_ARGV), toolMs, parseLsblk);
    const pvs = scopePvs(scopeVgNames(plan, lvm.value), lvm.value);
    if (!pvs.length) return { ok: true, value: [] };
    return lenient(await run(lsblkPvArgv(pvs)), toolMs, (t) => parseLsblk(t, { inverse: true }));
  });
  const pending: Got<never> = { ok: false, reason: 'not read yet' };

  const statfs = new Map<string, Got<StatfsValue>>();
  const smart = new Map<string, Got<SmartValue>>();
  const statfsDone = Promise.all([lvmP, mntP]).then(async ([lvm, mounts]) => {
    const scope = buildScope(plan, { lvm, mounts, blocks: pending });
    const targets = [...new Set(scope.volumes.map((v) => v.mount?.target).filter((t): t is string => !!t))];
    await Promise.all(
      targets.map(async (t) => {
        try {
          statfs.set(t, { ok: true, value: await withTimeout(runner.statfs(t), statfsMs, `statfs ${t}`) });
        } catch (e) {
          statfs.set(t, { ok: false, reason: (e as Error).message });
        }
      }),
    );
  });
  const smartDone = Promise.all([lvmP, blkP]).then(async ([lvm, blocks]) => {
    const scope = buildScope(plan, { lvm, mounts: pending, blocks });
    await Promise.all(
      scope.drives.map(async (d) => {
        const tool = smartTool(d);
        if (tool) smart.set(d.path, await queryDrive(runner, d.path, tool, driveMs, calls));
      }),
    );
  });
  const [lvm, mounts, blocks] = await Promise.all([lvmP, mntP, blkP, statfsDone, smartDone]);
  const reports: HostReports = { lvm, mounts, blocks };
  return { inputs: { ...reports, statfs, smart }, toolCalls: calls };
}
