/**
 * The sandbox command itself, on the real VM (three boots): the "Done when" command, three
 * drives of different kinds with an exit code passed through, and a hang stopped at the timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runInSandbox } from '../../src/sandbox/index.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(REPO, 'bin', 'jts-storage.js');

function cli(args: string[], timeoutS = 600) {
  return spawnSync(process.execPath, [CLI, 'sandbox', ...args], { cwd: REPO, encoding: 'utf8', timeout: timeoutS * 1000 });
}

test("Done when: pvcreate + vgcreate on the default 4 TB NVMe gives 953673 extents, exit 0", { timeout: 600_000 }, () => {
  const r = cli(['--', 'sh', '-c', 'pvcreate -q --dataalignment 4m /dev/nvme0n1 && vgcreate -q -s 4m vg /dev/nvme0n1 && vgs --noheadings -o vg_extent_count vg']);
  assert.equal(r.status, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.match(r.stdout, /^\s*953673\s*$/m);
  assert.match(r.stderr, /booted in [\d.]+ s/, 'boot progress on stderr');
});

test('three drives of different kinds are seen with their sizes and serials; exit 3 passes through', { timeout: 600_000 }, () => {
  const script = [
    'lsblk -J -b -d -o NAME,SIZE,SERIAL,MODEL,TRAN,TYPE,ROTA',
    'echo ---',
    'ls /dev/disk/by-id',
    'echo ---',
    'pwd',
    'echo ---',
    // The checkout is at the same path in the guest: the CLI runs there.
    'npx --no-install jts-storage --version',
    'exit 3',
  ].join('; ');
  const r = cli([
    '--json',
    '--drive', '4TB',
    '--drive', 'size=1TB,kind=virtio,serial=JTS-WARM-1',
    '--drive', 'size=2000000000000,kind=scsi,serial=JTS-COLD-2,model=COLD NAS',
    '--', 'sh', '-c', script,
  ]);
  assert.equal(r.status, 3, `stderr:\n${r.stderr}\nstdout:\n${r.stdout}`);
  const res = JSON.parse(r.stdout) as { exitCode: number; output: string; images: string[] };
  assert.equal(res.exitCode, 3);
  const [lsblkText, byId, cwd, version] = res.output.split('---\n');
  const disks = (JSON.parse(lsblkText!) as { blockdevices: { name: string; size: number; serial: string | null; model: string | null }[] }).blockdevices;
  const byName = (re: RegExp) => disks.find((d) => re.test(d.name));
  assert.equal(byName(/^nvme0n1$/)?.size, 4_000_000_000_000);
  assert.equal(byName(/^nvme0n1$/)?.serial, 'JTS-NVME-0');
  assert.equal(byName(/^vd[a-z]$/)?.size, 1_000_000_000_000);
  assert.equal(byName(/^vd[a-z]$/)?.serial, 'JTS-WARM-1');
  assert.equal(byName(/^sd[a-z]$/)?.size, 2_000_000_000_000);
  assert.equal(byName(/^sd[a-z]$/)?.serial, 'JTS-COLD-2');
  assert.match(byName(/^sd[a-z]$/)?.model ?? '', /COLD NAS/);
  assert.match(byId!, /nvme-QEMU_NVMe_Ctrl_JTS-NVME-0/);
  assert.match(byId!, /virtio-JTS-WARM-1/);
  assert.match(byId!, /JTS-COLD-2/);
  assert.equal(cwd!.trim(), REPO.replace(/\/$/, ''), 'guest cwd = host cwd');
  assert.match(version!, /^\d+\.\d+\.\d+$/m, 'npx jts-storage works inside');
});

test('a guest that hangs is stopped at the timeout, with the console tail', { timeout: 600_000 }, async () => {
  // The whole-run timeout covers the boot too (sized for a loaded machine); the command's own
  // timeout starts when it does, so the test waits 8 s of hang, not a boot budget.
  const r = await runInSandbox(['sh', '-c', 'echo before-hang; sleep 100000'], { timeoutS: 300, commandTimeoutS: 8, drives: [{ sizeBytes: 1e9 }] });
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, 124);
  assert.match(r.output, /before-hang/);
  assert.match(r.consoleTail, /jts: udev settled/);
});

test('power cut after N seconds (CLI exits 0 when the cut happened); a guest kernel panic gives 125 and the console tail', { timeout: 600_000 }, async () => {
  const cut = cli(['--drive', '1GB', '--power-cut-after', '2', '--', 'sh', '-c', 'echo writing; while :; do echo x > /tmp/x; done']);
  assert.equal(cut.status, 0, cut.stderr);
  assert.match(cut.stdout, /writing/);
  assert.match(cut.stderr, /power cut [\d.]+ s after the command started/);

  // The command's output reaches the host through a FIFO and a copying process in the guest; what is
  // still in flight when the kernel dies is lost, as on a real console. The pause lets the copy run
  // (CI once lost "before-panic" when the crash followed the echo at once).
  const panic = await runInSandbox(['sh', '-c', 'echo before-panic; sleep 2; echo c > /proc/sysrq-trigger; sleep 60'], { timeoutS: 300, drives: [{ sizeBytes: 1e9 }] });
  assert.equal(panic.timedOut, false);
  assert.equal(panic.exitCode, 125);
  assert.match(panic.output, /before-panic/);
  assert.match(panic.consoleTail, /Kernel panic|sysrq: Trigger a crash/);
});
