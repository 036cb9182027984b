/**
 * Guest side of test/vm/db-drill.vm.test.ts (one boot): two volumes (ext4 for PostgreSQL, XFS for Redis),
 * mounted like a plan's; then IN-PROCESS (one node start): a snapshot set whose pre hook fails (its post
 * hook must still run, no snapshot taken), the PostgreSQL drill and the Redis AOF drill. Each step's
 * stdout/stderr/exit code goes into OUT.
 *
 *   node dist/test/snapshot/db-vm-driver.js OUT     (inside the sandbox only: it formats /dev/nvme0n1)
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { runCliCaptured } from '../support/guest-cli.js';

const OUT = process.argv[2]!;
const r = new ExecRunner();
const log: string[] = [];
const t0 = Date.now();
const err = process.stderr.write.bind(process.stderr);
/** Progress on the guest console as it happens (the host test streams it): seconds since the start. */
const live = (chunk: string) => void err(chunk.replace(/^(?=.)/gm, () => `# db-drill +${Math.round((Date.now() - t0) / 1000)} s: `));

async function sh(argv: string[]): Promise<string> {
  const res = await r.run(argv, { timeoutMs: 300_000 });
  log.push(`$ ${argv.join(' ')} # ${res.exitCode}${res.exitCode ? ' ' + res.stderr.trim() : ''}`);
  return res.stdout;
}

async function cli(name: string, args: string[]): Promise<void> {
  live(`${name}: jts-storage ${args.join(' ')}\n`);
  const { rc, ms } = await runCliCaptured(OUT, name, args, live);
  live(`${name}: exit ${rc} in ${ms} ms\n`);
  log.push(`jts-storage ${args.join(' ')} # ${rc} (${ms} ms)`);
  writeFileSync(join(OUT, 'driver.log'), log.join('\n') + '\n');
}

async function scenario(): Promise<void> {
  const dev = '/dev/nvme0n1';
  await sh(['pvcreate', '-q', dev]);
  await sh(['vgcreate', '-q', 'vg_t', dev]);
  await sh(['lvcreate', '-q', '-y', '-L', '1g', '-n', 'lv_pg', 'vg_t']);
  await sh(['lvcreate', '-q', '-y', '-L', '512m', '-n', 'lv_redis', 'vg_t']);
  await sh(['mkfs.ext4', '-q', '/dev/vg_t/lv_pg']);
  await sh(['mkfs.xfs', '-q', '/dev/vg_t/lv_redis']);
  for (const [lv, m] of [['lv_pg', '/var/lib/postgresql'], ['lv_redis', '/var/lib/redis']] as const) {
    await sh(['mkdir', '-p', m]);
    await sh(['mount', `/dev/vg_t/${lv}`, m]);
  }
  writeFileSync(join(OUT, 'kernel.txt'), await sh(['uname', '-r']));
  // The hooks: the pre hook fails, the post hook still runs, no snapshot is taken.
  await cli('create-hookfail', ['snapshot', 'create', '--plan', join(OUT, 'plan.yaml'), '--json']);
  writeFileSync(join(OUT, 'lvs-after-hookfail.txt'), await sh(['lvs', '--noheadings', '-o', 'lv_name', 'vg_t']));
  await cli('drill-pg', ['snapshot', 'drill', 'vg_t/lv_pg', '--database', 'postgresql', '--yes', '--json']);
  // the WAL each PostgreSQL backup kept beside its label (src/snapshot/hooks-builtin.ts keepBackup): names and sizes
  const labels = '/var/lib/jts-storage/backup-labels';
  const kept: Record<string, Record<string, number>> = {};
  for (const d of existsSync(labels) ? readdirSync(labels).filter((n) => n.endsWith('.wal')) : []) kept[`${labels}/${d}`] = Object.fromEntries(readdirSync(`${labels}/${d}`).map((n) => [n, statSync(`${labels}/${d}/${n}`).size]));
  writeFileSync(join(OUT, 'wal-kept.json'), JSON.stringify(kept));
  await cli('drill-redis-json', ['snapshot', 'drill', 'vg_t/lv_redis', '--database', 'redis', '--yes', '--json']);
  writeFileSync(join(OUT, 'findmnt-end.txt'), await sh(['findmnt', '-rn', '-o', 'TARGET']));
}

scenario()
  .catch((e) => log.push(`driver error: ${(e as Error).stack}`))
  .finally(() => {
    writeFileSync(join(OUT, 'driver.log'), log.join('\n') + '\n');
    writeFileSync(join(OUT, 'done'), 'done\n');
  });
