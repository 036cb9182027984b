/**
 * `plan --inventory INV`: the plan for every host of an Ansible inventory, one summary line each.
 *
 * A host is planned against its described drives (`jts_storage_drives`, with its own drive identities
 * from `jts_storage_drive_ids`), offline, as the export does: that says which hosts can take the plan
 * (invalid ones name their errors) and what a blank host of that shape needs. A host without a drives
 * file whose `ansible_connection` is `local` is this machine: it is probed (read-only), as plain `plan`.
 * The live state of remote hosts is the role's business (ansible/roles/jts_storage, check mode).
 *
 * Exit codes aggregate plan's own: 1 if any host is invalid, else 2 if any would change, else 0.
 */
import type { Runner } from '../core/runner.js';
import { EXIT } from '../core/exit-codes.js';
import { planJson, runPlan, type PlanRun } from '../pipeline/plan-pipeline.js';
import { driveIdsOf, drivesFileOf, parseInventory } from './inventory.js';
import { withDriveIds } from './host-plan.js';
import { UserError } from '../core/exit-codes.js';

export type HostVerdict = 'would change' | 'unchanged' | 'invalid';

export interface HostPlan {
  host: string;
  /** 'described' (its drives file) or 'probed' (this machine, ansible_connection=local). */
  source: 'described' | 'probed' | 'none';
  drivesFile?: string;
  verdict: HostVerdict;
  exitCode: 0 | 1 | 2;
  run?: PlanRun;
  /** Why the host could not be planned at all (no drives file, bad drive ids). */
  error?: string;
}

export interface FleetPlan {
  inventoryFile: string;
  hosts: HostPlan[];
  exitCode: 0 | 1 | 2;
}

const verdictOf = (code: 0 | 1 | 2): HostVerdict => (code === 1 ? 'invalid' : code === 2 ? 'would change' : 'unchanged');

/**
 * Plan every host of the inventory.
 * @throws UserError when the inventory cannot be read or parsed
 */
export async function planInventory(runner: Runner, o: { planFile: string; inventoryFile: string; skipTune?: boolean }): Promise<FleetPlan> {
  let text: string;
  try {
    text = await runner.readFile(o.inventoryFile);
  } catch (e) {
    throw new UserError(`cannot read ${o.inventoryFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: o.inventoryFile });
  }
  const hosts: HostPlan[] = [];
  for (const h of parseInventory(text, o.inventoryFile)) {
    const drivesFile = drivesFileOf(h, o.inventoryFile);
    const local = h.vars['ansible_connection'] === 'local';
    if (!drivesFile && !local) {
      hosts.push({ host: h.name, source: 'none', verdict: 'invalid', exitCode: 1, error: 'no jts_storage_drives host variable (its described drives), and not ansible_connection=local' });
      continue;
    }
    let hostRunner = runner;
    try {
      const ids = driveIdsOf(h, o.inventoryFile);
      if (ids) hostRunner = await withDriveIds(runner, o.planFile, ids);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      hosts.push({ host: h.name, source: drivesFile ? 'described' : 'probed', drivesFile, verdict: 'invalid', exitCode: 1, error: e.message });
      continue;
    }
    const run = await runPlan({ runner: hostRunner, planFile: o.planFile, drivesFile, skipTune: o.skipTune });
    hosts.push({ host: h.name, source: drivesFile ? 'described' : 'probed', drivesFile, verdict: verdictOf(run.exitCode), exitCode: run.exitCode, run });
  }
  const exitCode = hosts.some((h) => h.exitCode === EXIT.ERROR) ? EXIT.ERROR : hosts.some((h) => h.exitCode === EXIT.CHANGES) ? EXIT.CHANGES : EXIT.OK;
  return { inventoryFile: o.inventoryFile, hosts, exitCode };
}

/** One line per host: name, verdict, counts or the first error; then the aggregated verdict. */
export function formatFleetPlan(f: FleetPlan): string {
  const w = Math.max(4, ...f.hosts.map((h) => h.host.length));
  const lines = f.hosts.map((h) => {
    const r = h.run?.result;
    const what = h.error
      ? h.error
      : r && r.errors.length
        ? `${r.errors.length} error(s): ${r.errors[0]!.rule} ${r.errors[0]!.message.split('\n')[0]}`
        : r
          ? `${r.actions.length} action(s): ${r.summary.create} create, ${r.summary.change} change, ${r.summary.replace} replace, ${r.summary.destroy} destroy`
          : '';
    const from = h.source === 'described' ? `drives ${h.drivesFile}` : h.source === 'probed' ? 'probed (this host)' : '';
    return `${h.host.padEnd(w)}  ${h.verdict.padEnd(12)}  ${what}${from ? `  [${from}]` : ''}`;
  });
  const n = (v: HostVerdict) => f.hosts.filter((h) => h.verdict === v).length;
  lines.push(`${f.hosts.length} host(s): ${n('would change')} would change, ${n('unchanged')} unchanged, ${n('invalid')} invalid (exit ${f.exitCode})`);
  return lines.join('\n') + '\n';
}

/** `plan --inventory --json`: { inventoryFile, exitCode, hosts: [{ host, verdict, exitCode, source, error, plan }] }. */
export function fleetPlanJson(f: FleetPlan): Record<string, unknown> {
  return {
    inventoryFile: f.inventoryFile,
    exitCode: f.exitCode,
    hosts: f.hosts.map((h) => ({ host: h.host, verdict: h.verdict, exitCode: h.exitCode, source: h.source, drivesFile: h.drivesFile ?? null, error: h.error ?? null, plan: h.run ? planJson(h.run) : null })),
  };
}

/**
 * `plan --inventory INV [--json]` as the plan command calls it: prints the summary (or the JSON) and
 * returns the aggregated exit code.
 */
export async function planInventoryCommand(
  o: { plan: string; inventory: string; json?: boolean; skipTune?: boolean; drives?: string; out?: string },
  io: { runner: Runner; stdout: (s: string) => void },
): Promise<number> {
  if (o.drives || o.out) throw new UserError(`plan --inventory plans each host from its own drives (jts_storage_drives) and saves no plan: ${o.drives ? '--drives' : '--out'} does not apply`);
  const f = await planInventory(io.runner, { planFile: o.plan, inventoryFile: o.inventory, skipTune: o.skipTune });
  io.stdout(o.json ? JSON.stringify(fleetPlanJson(f), null, 2) + '\n' : formatFleetPlan(f));
  return f.exitCode;
}
