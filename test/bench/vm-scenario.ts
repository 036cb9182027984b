/**
 * The guest side of test/vm/bench.vm.test.ts (run inside the sandbox as root: node
 * dist/test/bench/vm-scenario.js OUTDIR). Applies the default plan, benches three of its volumes
 * against a scratch LV, writes the report, checks the refusals, and records what is left over.
 * Each step leaves NAME.out / NAME.err / NAME.rc in OUTDIR; the host test reads them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';

const out: string = process.argv[2] ?? '';
if (!out) throw new Error('usage: vm-scenario.js OUTDIR');
const cli = path.resolve('bin/jts-storage.js');
const PLAN = path.resolve('plans/jts.yaml');

function step(name: string, argv: string[]): number {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(path.join(out, `${name}.out`), r.stdout ?? '');
  writeFileSync(path.join(out, `${name}.err`), (r.stderr ?? '') + (r.error ? String(r.error) : ''));
  writeFileSync(path.join(out, `${name}.rc`), String(r.status ?? 125));
  process.stdout.write(`${name}: exit ${r.status}\n`);
  return r.status ?? 125;
}
const jts = (name: string, ...args: string[]) => step(name, ['node', cli, ...args]);

// The default plan, applied by the product itself. If apply cannot (an apply regression is another
// test's business), lay the three benched volumes out by hand so the bench is still exercised.
if (jts('apply', 'apply', '--plan', PLAN, '--yes', '--json') !== 0) {
  writeFileSync(path.join(out, 'apply-fallback'), 'apply failed; volumes made by hand\n');
  step('fb-pv', ['pvcreate', '-y', '/dev/nvme0n1']);
  step('fb-vg', ['vgcreate', 'vg_jts', '/dev/nvme0n1']);
  for (const [lv, fs, mnt] of [
    ['lv_postgres', 'ext4', '/var/lib/postgresql'],
    ['lv_kafka', 'xfs', '/var/lib/kafka'],
    ['lv_redis', 'ext4', '/var/lib/redis'],
  ] as const) {
    step(`fb-${lv}`, ['lvcreate', '-y', '-L', '2g', '-n', lv, 'vg_jts']);
    step(`fb-mkfs-${lv}`, [`mkfs.${fs}`, '-q', `/dev/vg_jts/${lv}`]);
    mkdirSync(mnt, { recursive: true });
    step(`fb-mount-${lv}`, ['mount', '-o', 'noatime', `/dev/vg_jts/${lv}`, mnt]);
  }
}

const common = ['--plan', PLAN, '--volume', 'lv_postgres', 'lv_kafka', 'lv_redis', '--runtime', '2', '--size', '64MiB', '--results-dir', out];
jts('bench', 'bench', ...common, '--profile', 'rand4k-qd1-read', 'pg-wal', '--raw', 'scratch', '--repeat', '2', '--save', 'vm1', '--json');
// A raw drive holding data (the PV of vg_jts) is refused before anything is written.
jts('raw-refused', 'bench', ...common, '--profile', 'rand4k-qd1-read', '--raw', '/dev/nvme0n1', '--repeat', '1');
// --compare with the saved run: one profile on one volume, no raw side.
jts('compare', 'bench', '--plan', PLAN, '--volume', 'lv_postgres', '--runtime', '2', '--size', '64MiB', '--results-dir', out, '--profile', 'pg-wal', '--repeat', '1', '--compare', 'vm1', '--noise', '1000', '--json');
jts('report', 'report', '--results', 'vm1', '--results-dir', out, '--plan', PLAN, '--out', path.join(out, 'report.html'), '--json');

// bench --database (issue 16): pg_test_fsync + pgbench on lv_postgres, redis-benchmark on lv_redis, after
// fio's pg-wal / redis-aof-always on the same volumes; small budgets (scale 1, 2 s runs, 300 requests).
jts('dbbench', 'bench', '--plan', PLAN, '--volume', 'lv_postgres', 'lv_redis', '--profile', 'pg-wal', '--runtime', '2', '--size', '32MiB', '--repeat', '2',
  '--database', '--db-runtime', '2', '--pgbench-scale', '1', '--redis-requests', '300', '--results-dir', out, '--save', 'db1', '--json');
const dbLeft = ['/var/lib/postgresql/.jts-storage-bench-pg', '/var/lib/postgresql/.jts-storage-bench-pg_test_fsync.dat', '/var/lib/redis/.jts-storage-bench-redis', '/run/jts-storage-bench-db/redis.sock', '/run/jts-storage-bench-db/.s.PGSQL.5438'].filter((f) => existsSync(f));
writeFileSync(path.join(out, 'db-leftover.json'), JSON.stringify(dbLeft));

// Left over: test files in the mount points, the scratch LV.
const left: string[] = [];
for (const d of ['/var/lib/postgresql', '/var/lib/kafka', '/var/lib/redis']) {
  if (existsSync(d)) for (const f of readdirSync(d)) if (f.startsWith('.jts-storage-bench-')) left.push(path.join(d, f));
}
step('lvs', ['lvs', '--reportformat', 'json', '-o', 'lv_name,vg_name']);
writeFileSync(path.join(out, 'leftover.json'), JSON.stringify(left));
writeFileSync(path.join(out, 'done'), 'done\n');
