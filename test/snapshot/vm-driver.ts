/**
 * Guest side of test/vm/snapshot.vm.test.ts (one boot): sets up LVs, then drives `jts-storage snapshot …`
 * IN-PROCESS (node starts once: under TCG on a loaded host one node start costs about a minute), writing
 * each step's stdout/stderr/exit code into OUT for the host test to assert. Every step runs even when an
 * earlier one failed, so one boot reports everything.
 *
 *   node dist/test/snapshot/vm-driver.js OUT     (inside the sandbox only: it formats /dev/nvme0n1)
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { runCliCaptured } from '../support/guest-cli.js';

const OUT = process.argv[2]!;
const r = new ExecRunner();
const log: string[] = [];

async function sh(argv: string[], cwd?: string): Promise<string> {
  const res = await r.run(argv, { cwd, timeoutMs: 300_000 });
  log.push(`$ ${argv.join(' ')} # ${res.exitCode}${res.exitCode ? ' ' + res.stderr.trim() : ''}`);
  return res.stdout;
}

async function cli(name: string, args: string[], command = 'snapshot'): Promise<unknown> {
  const { rc, ms, stdout } = await runCliCaptured(OUT, name, [command, ...args]);
  log.push(`jts-storage ${command} ${args.join(' ')} # ${rc} (${ms} ms)`);
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

const createdName = (j: unknown, origin: string): string =>
  ((j as { run?: { created: { item: { origin: string; vg: string; name: string } }[] } })?.run?.created ?? []).find((c) => c.item.origin === origin)?.item.name ?? 'MISSING';

async function scenario(): Promise<void> {
  const dev = '/dev/nvme0n1';
  await sh(['pvcreate', '-q', dev]);
  await sh(['vgcreate', '-q', 'vg_t', dev]);
  // XFS refuses filesystems under 300 MB (xfsprogs ≥ 5.19): lv_dx is 512 MiB.
  for (const [n, s] of [['lv_pg', '1g'], ['lv_kafka', '1g'], ['lv_redis', '512m'], ['lv_backup', '1g'], ['lv_de', '256m'], ['lv_dx', '512m']] as const)
    await sh(['lvcreate', '-q', '-y', '-n', n, '-L', s, 'vg_t']);
  await sh(['lvcreate', '-q', '-y', '-n', 'pool', '-L', '1g', '-T', 'vg_t/pool']);
  await sh(['lvcreate', '-q', '-y', '-n', 'lv_thin', '-V', '512m', '-T', 'vg_t/pool']);
  for (const v of ['lv_pg', 'lv_redis', 'lv_backup', 'lv_de', 'lv_thin']) await sh(['mkfs.ext4', '-q', `/dev/vg_t/${v}`]);
  for (const v of ['lv_kafka', 'lv_dx']) await sh(['mkfs.xfs', '-q', `/dev/vg_t/${v}`]);
  for (const v of ['pg', 'kafka', 'redis', 'backup', 'de', 'dx', 'thin']) {
    await sh(['mkdir', '-p', `/mnt/${v}`]);
    await sh(['mount', `/dev/vg_t/lv_${v}`, `/mnt/${v}`]);
  }
  for (const v of ['pg', 'kafka', 'redis', 'thin']) {
    await sh(['dd', 'if=/dev/urandom', `of=/mnt/${v}/data.bin`, 'bs=1M', 'count=4', 'status=none']);
    await sh(['mkdir', '-p', `/mnt/${v}/dir`]);
    writeFileSync(`/mnt/${v}/dir/hello.txt`, `hello ${v}\n`);
  }
  await sh(['sync']);
  writeFileSync(join(OUT, 'origin-sums.txt'), await sh(['sha256sum', 'pg/data.bin', 'kafka/data.bin', 'redis/data.bin', 'thin/data.bin'], '/mnt'));

  // 1. the plan reserve is short (3 × 64 MiB > 100 MiB): refused, nothing created
  await cli('create-short', ['create', '--plan', join(OUT, 'plan-small.yaml'), '--set', 'trio', '--json']);
  // 2. the set of three
  const trio = await cli('create-trio', ['create', '--plan', join(OUT, 'plan.yaml'), '--set', 'trio', '--json']);
  await cli('list-1', ['list', '--json']);
  const PG = createdName(trio, 'lv_pg');
  const KA = createdName(trio, 'lv_kafka');
  // 3. read-only mounts
  await cli('mount-pg', ['mount', `vg_t/${PG}`, '--json']);
  await cli('mount-ka', ['mount', `vg_t/${KA}`, '--json']);
  writeFileSync(join(OUT, 'snap-sums.txt'), await sh(['sha256sum', `${PG}/data.bin`, `${KA}/data.bin`], '/run/jts-storage/snapshots/vg_t'));
  const w = await r.run(['touch', `/run/jts-storage/snapshots/vg_t/${PG}/x`]);
  writeFileSync(join(OUT, 'ro-write.rc'), `${w.exitCode}\n`);
  // 4. export + verify; a tampered manifest must fail
  const exPg = await cli('export-pg', ['export', `vg_t/${PG}`, '--to', '/mnt/backup', '--json']);
  await cli('export-ka', ['export', `vg_t/${KA}`, '--to', '/mnt/backup', '--no-compress', '--json']);
  await cli('verify-pg', ['verify', String((exPg as { archive?: string } | undefined)?.archive), '--json']);
  await cli('verify-ka', ['verify', `/mnt/backup/vg_t/${KA}.tar`, '--json']);
  const man = `/mnt/backup/vg_t/${KA}.manifest.sha256`;
  const text = readFileSync(man, 'utf8');
  writeFileSync(man, (text[0] === '0' ? '1' : '0') + text.slice(1));
  await cli('verify-tampered', ['verify', `/mnt/backup/vg_t/${KA}.tar`, '--json']);
  await cli('umount-pg', ['umount', `vg_t/${PG}`, '--json']);
  await cli('umount-ka', ['umount', `vg_t/${KA}`, '--json']);
  // 5. overflow a small classic snapshot (autoextend still off): LOST, never silently pruned
  await cli('create-small', ['create', 'vg_t/lv_redis', '--set', 'tiny', '--size', '8MiB', '--json']);
  await sh(['dd', 'if=/dev/urandom', 'of=/mnt/redis/big.bin', 'bs=1M', 'count=40', 'oflag=direct', 'status=none']);
  await sh(['sync']);
  await cli('list-2', ['list', '--json']);
  await cli('health', ['--json'], 'health');
  // 6. prune: lv_pg keeps 1, so a second lv_pg snapshot makes the trio one prunable
  await sh(['sleep', '1']);
  const again = await cli('create-pg2', ['create', '--plan', join(OUT, 'plan.yaml'), '--set', 'again', 'vg_t/lv_pg', '--json']);
  await cli('prune-dry', ['prune', '--plan', join(OUT, 'plan.yaml'), '--dry-run', '--json']);
  await cli('prune', ['prune', '--plan', join(OUT, 'plan.yaml'), '--json']);
  await cli('list-3', ['list', '--json']);
  // 7. restore: refused while mounted; --offline does it
  writeFileSync('/mnt/pg/dir/hello.txt', 'after snapshot\n');
  await sh(['sync']);
  const PG2 = createdName(again, 'lv_pg');
  await cli('restore-open', ['restore', `vg_t/${PG2}`, '--yes', '--json']);
  await cli('restore-offline', ['restore', `vg_t/${PG2}`, '--yes', '--offline', '--json']);
  writeFileSync(join(OUT, 'pg-hello-after-restore.txt'), readFileSync('/mnt/pg/dir/hello.txt', 'utf8'));
  // 8. autoextend under dmeventd
  await cli('autoextend', ['autoextend', '--threshold', '70', '--percent', '50', '--json']);
  writeFileSync(join(OUT, 'lvmconfig-after.txt'), await sh(['lvmconfig', 'activation/snapshot_autoextend_threshold', 'activation/snapshot_autoextend_percent']));
  const ae = await cli('create-ae', ['create', 'vg_t/lv_kafka', '--set', 'ae', '--size', '16MiB', '--json']);
  const AE = `vg_t/${createdName(ae, 'lv_kafka')}`;
  writeFileSync(join(OUT, 'ae-before.txt'), await sh(['lvs', '--noheadings', '--units', 'b', '--nosuffix', '-o', 'lv_size,seg_monitor', AE]));
  await sh(['dd', 'if=/dev/urandom', 'of=/mnt/kafka/ae.bin', 'bs=1M', 'count=13', 'oflag=direct', 'status=none']);
  await sh(['sync']);
  for (let i = 0; i < 60; i++) {
    await sh(['sleep', '1']);
    const s = Number((await sh(['lvs', '--noheadings', '--units', 'b', '--nosuffix', '-o', 'lv_size', AE])).trim());
    if (s > 16777216) break;
  }
  writeFileSync(join(OUT, 'ae-after.txt'), await sh(['lvs', '--noheadings', '--units', 'b', '--nosuffix', '-o', 'lv_size,snap_percent,lv_attr', AE]));
  // 9. thin snapshot
  const th = await cli('create-thin', ['create', 'vg_t/lv_thin', '--set', 'thin', '--json']);
  const TH = createdName(th, 'lv_thin');
  await cli('mount-thin', ['mount', `vg_t/${TH}`, '--json']);
  writeFileSync(join(OUT, 'thin-snap-sum.txt'), await sh(['sha256sum', `/run/jts-storage/snapshots/vg_t/${TH}/data.bin`]));
  await cli('umount-thin', ['umount', `vg_t/${TH}`, '--json']);
  await cli('list-4', ['list', '--json']);
  // 10. drills
  await cli('drill-ext4', ['drill', 'vg_t/lv_de', '--yes', '--json']);
  await cli('drill-xfs', ['drill', 'vg_t/lv_dx', '--yes', '--json']);
  await cli('drill-thin', ['drill', 'vg_t/lv_thin', '--yes', '--json']);
  writeFileSync(join(OUT, 'findmnt-end.json'), await sh(['findmnt', '-J', '-o', 'TARGET,SOURCE', '--list']));
  writeFileSync(join(OUT, 'lvs-end.json'), await sh(['lvs', '-a', '--reportformat', 'json', '-o', 'vg_name,lv_name,lv_attr,origin,lv_tags']));
}

try {
  await scenario();
  writeFileSync(join(OUT, 'done'), 'done\n');
} finally {
  writeFileSync(join(OUT, 'driver.log'), log.join('\n') + '\n');
}
