/**
 * Guest side of test/vm/locale.vm.test.ts (one boot; the guest's environment has LANG and LC_NUMERIC
 * set to fi_FI.UTF-8 and no LC_ALL, as a Finnish admin's shell would). Makes one LV with a classic
 * snapshot partly filled, then runs `snapshot list`, `health` and `snapshot create` in-process and
 * records LVM's own output in the user's locale and in C for the host test to compare.
 *
 *   node dist/test/host/vm-locale-driver.js OUT     (inside the sandbox only: it uses /dev/nvme0n1)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { runCliCaptured } from '../support/guest-cli.js';

const OUT = process.argv[2]!;
const r = new ExecRunner();
const log: string[] = [`LC_ALL=${process.env.LC_ALL ?? '(unset)'} LANG=${process.env.LANG} LC_NUMERIC=${process.env.LC_NUMERIC}`];

/** A setup or reference command, in the guest's own (Finnish) environment unless env says otherwise. */
async function sh(argv: string[], env?: Record<string, string>): Promise<string> {
  const res = await r.run(argv, { env, timeoutMs: 300_000 });
  log.push(`$ ${argv.join(' ')} # ${res.exitCode}${res.exitCode ? ' ' + res.stderr.trim() : ''}`);
  return res.stdout;
}

/** The CLI in this process (one node start under TCG), stdout captured, as test/snapshot/vm-driver.ts does. */
async function cli(name: string, args: string[]): Promise<void> {
  const { rc } = await runCliCaptured(OUT, name, args);
  log.push(`jts-storage ${args.join(' ')} # ${rc}`);
}

const LVS_FILL = ['lvs', '--reportformat', 'json', '-o', 'lv_name,snap_percent,data_percent', 'vg_t'];

async function scenario(): Promise<void> {
  await sh(['pvcreate', '-q', '/dev/nvme0n1']);
  await sh(['vgcreate', '-q', 'vg_t', '/dev/nvme0n1']);
  await sh(['lvcreate', '-q', '-y', '-n', 'lv_pg', '-L', '512m', 'vg_t']);
  await sh(['mkfs.ext4', '-q', '/dev/vg_t/lv_pg']);
  await sh(['mkdir', '-p', '/srv/pg']);
  await sh(['mount', '/dev/vg_t/lv_pg', '/srv/pg']);
  // snapshot create under the decimal-comma locale, then 21 MiB written to the origin: a fraction full.
  await cli('create', ['snapshot', 'create', 'vg_t/lv_pg', '--set', 'loc', '--size', '64MiB', '--json']);
  await sh(['dd', 'if=/dev/urandom', 'of=/srv/pg/data.bin', 'bs=1M', 'count=21', 'oflag=direct', 'status=none']);
  await sh(['sync']);
  // LVM's own report: in the user's locale (the fault) and in C (the truth).
  writeFileSync(join(OUT, 'lvs-user-locale.json'), await sh(LVS_FILL));
  writeFileSync(join(OUT, 'lvs-c.json'), await sh(LVS_FILL, { LC_ALL: 'C' }));
  await cli('list', ['snapshot', 'list', '--json']);
  await cli('list-text', ['snapshot', 'list']);
  await cli('health', ['health', '--json']);
  writeFileSync(join(OUT, 'lvs-c-after.json'), await sh(LVS_FILL, { LC_ALL: 'C' }));
}

try {
  await scenario();
  writeFileSync(join(OUT, 'done'), 'done\n');
} finally {
  writeFileSync(join(OUT, 'driver.log'), log.join('\n') + '\n');
}
