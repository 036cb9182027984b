/**
 * `jts-storage export ansible`: the plan, planned per host by the pipeline against the host's described
 * drives (a blank machine: every action apply would run there), written as one playbook (site.yml)
 * and one host_vars/<host>.yml per host. Lint errors on any host refuse the export: nothing is written.
 * Every file goes through the Runner.
 */
import { Document, isScalar, visit } from 'yaml';
import type { Runner } from '../core/runner.js';
import { UserError } from '../core/exit-codes.js';
import { runPlan, type PlanRun } from '../pipeline/plan-pipeline.js';
import { ExportError, hostVarsFromActions, type AnsibleHostVars } from './ansible-vars.js';
import { driveIdsOf, drivesFileOf, parseInventory, type DriveIdentity } from './inventory.js';
import { withDriveIds } from './host-plan.js';
import { playbookText } from './playbook.js';
import { trimVariants } from './trim.js';

export interface FleetHost {
  name: string;
  drivesFile?: string;
  /** jts_storage_drive_ids: this host's identity of each plan drive (serial, byId, wwn or path). */
  driveIds?: Record<string, DriveIdentity>;
}

/**
 * The hosts an inventory names (with their drives files), or the one host "localhost" for --drives.
 * @throws UserError when neither is given, or the inventory cannot be read or parsed
 */
export async function fleetHosts(runner: Runner, o: { inventoryFile?: string; drivesFile?: string }): Promise<FleetHost[]> {
  if (o.inventoryFile) {
    let text: string;
    try {
      text = await runner.readFile(o.inventoryFile);
    } catch (e) {
      throw new UserError(`cannot read ${o.inventoryFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { file: o.inventoryFile });
    }
    const hosts = parseInventory(text, o.inventoryFile);
    if (!hosts.length) throw new UserError(`${o.inventoryFile}: the inventory names no host`, { file: o.inventoryFile });
    return hosts.map((h) => ({ name: h.name, drivesFile: drivesFileOf(h, o.inventoryFile!), driveIds: driveIdsOf(h, o.inventoryFile!) }));
  }
  if (o.drivesFile) return [{ name: 'localhost', drivesFile: o.drivesFile }];
  throw new UserError('export needs the drives of each host: --inventory INV (hosts with jts_storage_drives) or --drives FILE (one host)');
}

export interface HostExport {
  host: string;
  drivesFile?: string;
  run?: PlanRun;
  vars?: AnsibleHostVars;
  /** Why this host cannot be exported (lint errors are in run.result.errors). */
  error?: string;
}

export interface ExportResult {
  exitCode: 0 | 1;
  hosts: HostExport[];
  /** Files written (none when refused). */
  written: string[];
}

/** One host: the pipeline on its drives file, then its variables. */
export async function exportHost(runner: Runner, planFile: string, h: FleetHost): Promise<HostExport> {
  if (!h.drivesFile) return { host: h.name, error: 'no jts_storage_drives host variable (the described drives of this host)' };
  let hostRunner = runner;
  if (h.driveIds && Object.keys(h.driveIds).length) {
    try {
      hostRunner = await withDriveIds(runner, planFile, h.driveIds);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return { host: h.name, drivesFile: h.drivesFile, error: e.message };
    }
  }
  const run = await runPlan({ runner: hostRunner, planFile, drivesFile: h.drivesFile });
  if (run.result.errors.length || !run.loaded || !run.layout) return { host: h.name, drivesFile: h.drivesFile, run, error: `${run.result.errors.length} error(s) in the plan for this host` };
  try {
    const vars = hostVarsFromActions(run.loaded.plan, run.layout, run.result.actions);
    // TRIM depends on host facts the drives file lacks: every variant, chosen on the host (./trim.ts)
    const t = trimVariants(run.loaded.plan, run.loaded.file, vars.jts_storage_files);
    vars.jts_storage_files = t.files;
    vars.jts_storage_timers = vars.jts_storage_timers.filter((u) => u !== t.trim?.own_timer && u !== t.trim?.distribution_timer);
    vars.jts_storage_trim = t.trim ?? null;
    return { host: h.name, drivesFile: h.drivesFile, run, vars };
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    return { host: h.name, drivesFile: h.drivesFile, run, error: e.message };
  }
}

/** host_vars/<host>.yml's text. */
export function hostVarsText(h: HostExport, planFile: string): string {
  const doc = new Document(h.vars);
  // Ansible templates every string it reads from vars: text with Jinja delimiters ({{ {% {#) is marked
  // !unsafe so it reaches the host verbatim (ansible-core docs "Unsafe or raw strings").
  visit(doc, {
    Scalar(_k, n) {
      if (isScalar(n) && typeof n.value === 'string' && /\{[{%#]/.test(n.value)) n.tag = '!unsafe';
    },
  });
  return `# jts-storage plan ${planFile} for host ${h.host} (drives: ${h.drivesFile}); exported, do not edit.\n` + doc.toString({ lineWidth: 0 });
}

/** The localhost inventory written with --drives (no --inventory). */
export const LOCAL_INVENTORY = 'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n';

/**
 * Plan every host, then write outDir/site.yml, outDir/host_vars/<host>.yml (and outDir/inventory.yml
 * for --drives). Refused (exit 1, nothing written) when any host has plan errors or cannot be exported.
 */
export async function exportAnsible(runner: Runner, o: { planFile: string; inventoryFile?: string; drivesFile?: string; outDir: string }): Promise<ExportResult> {
  const hosts = await fleetHosts(runner, o);
  const out: HostExport[] = [];
  for (const h of hosts) out.push(await exportHost(runner, o.planFile, h));
  if (out.some((h) => h.error)) return { exitCode: 1, hosts: out, written: [] };
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await runner.writeFile(path, text, { mode: 0o644 });
    written.push(path);
  };
  await runner.mkdir(`${o.outDir}/host_vars`, { recursive: true, mode: 0o755 });
  await write(`${o.outDir}/site.yml`, playbookText(o.planFile));
  for (const h of out) await write(`${o.outDir}/host_vars/${h.host}.yml`, hostVarsText(h, o.planFile));
  if (!o.inventoryFile) await write(`${o.outDir}/inventory.yml`, LOCAL_INVENTORY);
  return { exitCode: 0, hosts: out, written };
}
