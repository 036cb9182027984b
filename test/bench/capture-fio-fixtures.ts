/**
 * Captures the fixtures of test/fixtures/fio/ on the VM test bed: every profile once (short runtime)
 * on ext4 on an LV, one on a scratch LV, a warnings-before-JSON run, a failing job, and the lsblk /
 * wipefs / vgs / findmnt JSON the raw-device and target checks read. Run on the host:
 *
 *   npx tsc -p . && node dist/test/bench/capture-fio-fixtures.js --host test/fixtures/fio
 *
 * which boots the sandbox with two small NVMe drives and runs this same file inside the guest
 * (`--guest OUTDIR`), as root, on drives that exist only in the sandbox.
 */
import * as path from 'node:path';
import * as fs from 'node:fs/promises';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { fioArgv, preconditionArgv } from '../../src/host/fio.js';
import { PROFILES, profileRegion } from '../../src/bench/profiles.js';

async function guest(out: string): Promise<void> {
  const r = new ExecRunner();
  const log: string[] = [];
  const sh = async (name: string | undefined, argv: string[]) => {
    const res = await r.run(argv, { timeoutMs: 300_000 });
    log.push(`$ ${argv.join(' ')}  # exit ${res.exitCode}`);
    if (name) {
      await fs.writeFile(path.join(out, `${name}.out`), res.stdout);
      if (res.stderr.trim()) await fs.writeFile(path.join(out, `${name}.err`), res.stderr);
    }
    if (res.exitCode !== 0 && !name) throw new Error(`${argv.join(' ')}: ${res.stderr}`);
    return res;
  };
  await fs.mkdir(out, { recursive: true });
  const d0 = '/dev/nvme0n1';
  const d1 = '/dev/nvme1n1';
  await sh(undefined, ['pvcreate', '-y', d0]);
  await sh(undefined, ['vgcreate', 'vg_fx', d0]);
  await sh(undefined, ['lvcreate', '-y', '-L', '768m', '-n', 'lv_fs', 'vg_fx']);
  await sh(undefined, ['mkfs.ext4', '-q', '/dev/vg_fx/lv_fs']);
  await fs.mkdir('/mnt/fx', { recursive: true });
  await sh(undefined, ['mount', '-o', 'noatime', '/dev/vg_fx/lv_fs', '/mnt/fx']);
  const file = '/mnt/fx/.bench.dat';
  const size = 256 * 2 ** 20;
  await sh('precondition', preconditionArgv('precondition', file, size));
  for (const p of PROFILES) {
    await sh(p.name, fioArgv({ name: p.name, filename: file, sizeBytes: profileRegion(p, size), job: p.fio, runtimeS: 2, rampS: 0, mustExist: true }));
  }
  // fio prints a note before its JSON when a sync engine is given a queue depth.
  await sh('warning-before-json', [
    'fio', '--output-format=json', '--name=note', `--filename=${file}`, '--size=16m', '--rw=randread', '--bs=4096',
    '--ioengine=psync', '--iodepth=8', '--runtime=1', '--time_based=1',
  ]);
  // O_DIRECT with a block size that is not a multiple of the sector size: the job fails (EINVAL).
  await sh('job-error', ['fio', '--output-format=json', '--name=misaligned', `--filename=${file}`, '--size=16m', '--rw=read', '--bs=1000', '--direct=1', '--runtime=1']);
  // A missing file with allow_file_create=0: exit 1 while the job's error stays 0.
  await sh('no-create', ['fio', '--output-format=json', '--name=nocreate', '--filename=/mnt/fx/missing.dat', '--size=16m', '--rw=read', '--bs=4096', '--allow_file_create=0']);
  // The raw side: a scratch LV without a filesystem.
  await sh(undefined, ['lvcreate', '-y', '--activate', 'y', '-L', '256m', '-n', 'jts_bench_scratch', 'vg_fx']);
  const scratch = '/dev/vg_fx/jts_bench_scratch';
  await sh('scratch-precondition', preconditionArgv('precondition-raw', scratch, size));
  const q = PROFILES.find((p) => p.name === 'rand4k-qd1-read')!;
  await sh('scratch-rand4k-qd1-read', fioArgv({ name: q.name, filename: scratch, sizeBytes: size, job: q.fio, runtimeS: 2, rampS: 0, mustExist: true }));
  // What the checks read.
  await sh('findmnt', ['findmnt', '-J', '-l', '-o', 'TARGET,SOURCE,FSTYPE,OPTIONS']);
  await sh('lsblk-s-lv', ['lsblk', '-J', '-s', '-o', 'PATH,TYPE,MODEL,SERIAL', '/dev/mapper/vg_fx-lv_fs']);
  await sh('lsblk-blank', ['lsblk', '-J', '-b', '-o', 'PATH,NAME,TYPE,FSTYPE,PTTYPE,MOUNTPOINT,SIZE', d1]);
  await sh('wipefs-blank', ['wipefs', '--no-act', '--json', d1]);
  await sh('lsblk-pv', ['lsblk', '-J', '-b', '-o', 'PATH,NAME,TYPE,FSTYPE,PTTYPE,MOUNTPOINT,SIZE', d0]);
  await sh('wipefs-pv', ['wipefs', '--no-act', '--json', d0]);
  await sh('lsblk-scratch', ['lsblk', '-J', '-b', '-o', 'PATH,NAME,TYPE,FSTYPE,PTTYPE,MOUNTPOINT,SIZE', scratch]);
  await sh('wipefs-scratch', ['wipefs', '--no-act', '--json', scratch]);
  await sh('vgs', ['vgs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_free']);
  await sh(undefined, ['lvremove', '-y', 'vg_fx/jts_bench_scratch']);
  await fs.unlink(file);
  await sh(undefined, ['umount', '/mnt/fx']);
  const k = await r.run(['uname', '-r']);
  const f = await r.run(['fio', '--version']);
  log.unshift(`guest kernel ${k.stdout.trim()}, ${f.stdout.trim()}, drives: QEMU NVMe (sparse raw images)`);
  await fs.writeFile(path.join(out, 'capture.log'), log.join('\n') + '\n');
}

async function host(out: string): Promise<void> {
  const { runInSandbox } = await import('../../src/sandbox/index.js');
  const outDir = path.resolve(out);
  await fs.mkdir(outDir, { recursive: true });
  const res = await runInSandbox(['node', path.resolve('dist/test/bench/capture-fio-fixtures.js'), '--guest', outDir], {
    drives: [
      { sizeBytes: 2 * 2 ** 30, serial: 'JTS-FX-0', kind: 'nvme' },
      { sizeBytes: 1 * 2 ** 30, serial: 'JTS-FX-1', kind: 'nvme' },
    ],
    outDir,
    timeoutS: 900,
    onOutput: (c) => process.stdout.write(c),
    onProgress: (m) => process.stderr.write(m + '\n'),
  });
  process.exitCode = res.exitCode;
  if (res.exitCode !== 0) process.stderr.write(res.consoleTail + '\n');
}

const [mode, dir] = process.argv.slice(2);
if (mode === '--guest' && dir) await guest(dir);
else if (mode === '--host' && dir) await host(dir);
else {
  process.stderr.write('usage: capture-fio-fixtures.js --host OUTDIR\n');
  process.exitCode = 2;
}
