import type { Command } from 'commander';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { DEFAULT_PLAN_PATH } from '../pipeline/plan-pipeline.js';
import { exportAnsible } from '../fleet/export.js';
import { formatFinding } from '../ui/findings.js';
import { jsonText } from '../ui/json.js';
import type { CommandIo } from '../ui/io.js';
import type { CommandContext } from './context.js';

export interface ExportCliOptions {
  plan?: string;
  inventory?: string;
  drives?: string;
  out: string;
  json?: boolean;
}

export interface ExportIo extends CommandIo {
  runner: Runner;
}

/**
 * `jts-storage export ansible`, callable in-process. Exit 0 written, 1 refused (plan errors on a host, or
 * an action the standard modules cannot express): nothing is written then.
 */
export async function exportAnsibleCommand(o: ExportCliOptions, io: ExportIo): Promise<number> {
  const planFile = o.plan ?? DEFAULT_PLAN_PATH;
  const r = await exportAnsible(io.runner, { planFile, inventoryFile: o.inventory, drivesFile: o.drives, outDir: o.out });
  if (o.json) {
    io.stdout(
      jsonText({
        exitCode: r.exitCode,
        written: r.written,
        hosts: r.hosts.map((h) => ({ host: h.host, drivesFile: h.drivesFile ?? null, error: h.error ?? null, errors: h.run?.result.errors ?? [], actions: h.run?.result.actions.length ?? 0 })),
      }),
    );
    return r.exitCode;
  }
  for (const h of r.hosts) {
    if (!h.error) continue;
    io.stderr(`${h.host}: refused: ${h.error}\n`);
    for (const f of h.run?.result.errors ?? []) io.stderr(`  ${formatFinding(f)}\n`);
  }
  if (r.exitCode) {
    io.stderr(`error: nothing exported to ${o.out}\n`);
    return r.exitCode;
  }
  for (const h of r.hosts) io.stdout(`${h.host}: ${h.run!.result.actions.length} actions → ${o.out}/host_vars/${h.host}.yml\n`);
  io.stdout(`Wrote ${r.written.join(', ')}\nRun: ansible-playbook -i ${o.inventory ?? `${o.out}/inventory.yml`} ${o.out}/site.yml --check --diff   (then without --check)\n`);
  return 0;
}

export const takesIo = true;

/** Thin commander wiring; the logic is src/fleet/export.ts. */
export function register(program: Command, ctx: CommandContext): void {
  const exp = program.command('export').description('export the plan for another engine');
  exp
    .command('ansible')
    .description('write an Ansible playbook (site.yml) and host_vars that make each host what apply would (standard modules: community.general.lvg/lvol/filesystem, ansible.posix.mount/sysctl, ansible.builtin.*); exit 1 and nothing written when the plan has errors on a host')
    .option('--plan <file>', 'plan file (default: the embedded plans/jts.yaml)')
    .option('--inventory <file>', 'YAML Ansible inventory; each host names its described drives with the host variable jts_storage_drives')
    .option('--drives <file>', 'one host (localhost) with these described drives, when there is no inventory')
    .option('--json', 'print { exitCode, written, hosts: [{ host, drivesFile, error, errors, actions }] }')
    .requiredOption('--out <dir>', 'directory to write site.yml, host_vars/ (and inventory.yml with --drives) into')
    .action(async (o: ExportCliOptions) => ctx.exit(await exportAnsibleCommand(o, { ...ctx.io, runner: new ExecRunner() })));
}
