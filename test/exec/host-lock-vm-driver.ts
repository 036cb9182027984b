/**
 * Guest side of test/vm/host-lock.vm.test.ts (one boot): every change goes through the one executor
 * under the host lock and into the audit log. Drives `jts-storage` IN-PROCESS (one node start: under
 * TCG each start costs many seconds), writing each step's stdout/stderr/exit code into OUT.
 *   1. bench with a scratch LV: its lvcreate/lvremove and fio test-file actions are audited;
 *   2. another run holds the lock (a live pid, as an apply does): `snapshot create` is refused at once
 *      naming pid, command and start time, and runs nothing;
 *   3. `snapshot create --lock-timeout 120` waits; the holder goes after a few seconds; it then runs.
 *
 *   node dist/test/exec/host-lock-vm-driver.js OUT     (inside the sandbox only: it formats /dev/nvme0n1)
 */
import { spawn } from 'node:child_process';
import { writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { runCliCaptured } from '../support/guest-cli.js';

const OUT = process.argv[2]!;
const AUDIT = join(OUT, 'audit.jsonl');
const LOCK = '/run/lock/jts-storage.lock';
const r = new ExecRunner();
const log: string[] = [];

async function sh(argv: string[]): Promise<void> {
  const res = await r.run(argv, { timeoutMs: 300_000 });
  log.push(`$ ${argv.join(' ')} # ${res.exitCode}${res.exitCode ? ' ' + res.stderr.trim() : ''}`);
}

async function cli(name: string, args: string[]): Promise<void> {
  const { rc, ms } = await runCliCaptured(OUT, name, args);
  log.push(`jts-storage ${args.join(' ')} # ${rc} (${ms} ms)`);
}

async function scenario(): Promise<void> {
  const dev = '/dev/nvme0n1';
  await sh(['pvcreate', '-q', dev]);
  await sh(['vgcreate', '-q', 'vg_l', dev]);
  for (const n of ['lv_a', 'lv_b']) {
    await sh(['lvcreate', '-q', '-y', '-n', n, '-L', '256m', 'vg_l']);
    await sh(['mkfs.ext4', '-q', `/dev/vg_l/${n}`]);
    mkdirSync(`/mnt/${n}`, { recursive: true });
    await sh(['mount', `/dev/vg_l/${n}`, `/mnt/${n}`]);
  }
  const audit = ['--audit-log', AUDIT];

  // 1. bench: a scratch LV and a test file on lv_b, one short profile.
  await cli('bench', ['bench', '--dir', '/mnt/lv_b', '--raw', 'scratch:vg_l', '--profile', 'seq1m-read', '--runtime', '1', '--ramp', '0', '--repeat', '1', '--size', '16MiB', '--json', ...audit]);

  // 2. A live holder of the lock, as a running apply is.
  const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
  const info = { pid: holder.pid, command: 'jts-storage apply', started: new Date().toISOString() };
  writeFileSync(LOCK, JSON.stringify(info) + '\n');
  writeFileSync(join(OUT, 'holder.json'), JSON.stringify(info));
  await cli('create-refused', ['snapshot', 'create', 'vg_l/lv_a', '--set', 'locktest', '--size', '32MiB', '--json', ...audit]);

  // 3. Waiting: the holder finishes 4 s into the wait (releases the lock and exits).
  setTimeout(() => {
    try {
      unlinkSync(LOCK);
    } catch {
      /* already gone */
    }
    holder.kill('SIGKILL');
  }, 4000);
  await cli('create-waited', ['snapshot', 'create', 'vg_l/lv_a', '--set', 'locktest', '--size', '32MiB', '--lock-timeout', '120', '--json', ...audit]);
  await cli('list', ['snapshot', 'list', '--json']);
}

scenario()
  .catch((e) => log.push(`driver failed: ${(e as Error).stack}`))
  .finally(() => {
    writeFileSync(join(OUT, 'driver.log'), log.join('\n') + '\n');
    writeFileSync(join(OUT, 'done'), 'done\n');
  });
