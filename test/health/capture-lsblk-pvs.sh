#!/bin/bash
# Captures, in the sandbox guest, health's lsblk of the PVs (`lsblk -J -b -s … <PV>…`, src/health/sources.ts
# lsblkPvArgv): a whole-disk PV with LVs on it (their dm devices must not be listed), and a stacked one —
# a dm device on a partition of a SCSI disk (as dm-crypt on sda1 would be) — plus a PV path that is gone.
#   npm run build && node bin/jts-storage.js sandbox --drive size=1GiB,serial=JTS-HEALTH-0 \
#     --drive size=256MiB,kind=scsi,serial=JTS-SCSI-0 --out-dir "$PWD/test/health/fixtures" \
#     -- bash test/health/capture-lsblk-pvs.sh "$PWD/test/health/fixtures"
set -u
O="$1"
log() { echo "== $*" >&2; }
q() { "$@" >/dev/null 2>&1 || log "FAILED: $*"; }

q pvcreate -y /dev/nvme0n1
q vgcreate vg_h /dev/nvme0n1
q lvcreate -y -Zn -n lv_data -L 64M vg_h
q lvcreate -y -Zn -n lv_logs -L 64M vg_h
# One MBR partition (type 8e, LVM) on the SCSI disk, from sector 2048 to the end: no partitioning tool
# is installed, so the table is written byte by byte.
node -e '
const fs = require("fs");
const sectors = Number(require("child_process").execFileSync("blockdev", ["--getsz", "/dev/sda"], { encoding: "utf8" }).trim());
const b = Buffer.alloc(512);
b[446 + 4] = 0x8e;
b.writeUInt32LE(2048, 446 + 8);
b.writeUInt32LE(sectors - 2048, 446 + 12);
b[510] = 0x55; b[511] = 0xaa;
const fd = fs.openSync("/dev/sda", "r+"); fs.writeSync(fd, b, 0, 512, 0); fs.fsyncSync(fd); fs.closeSync(fd);
' || log "FAILED: MBR"
q blockdev --rereadpt /dev/sda
q udevadm settle
q dmsetup create jts_stack --table "0 $(blockdev --getsz /dev/sda1) linear /dev/sda1 0"
q udevadm settle
ls -l /dev/sda* /dev/mapper >&2

cd /work/main
node --input-type=module - "$O" <<'JS'
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { lsblkPvArgv } from '/work/main/dist/src/health/sources.js';
const out = process.argv[2];
const env = { ...process.env, LC_ALL: 'C' };
const cap = (file, argv) => {
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
  writeFileSync(`${out}/${file}`, r.stdout);
  writeFileSync(`${out}/${file}.argv`, JSON.stringify({ argv, exitCode: r.status, stderr: r.stderr }, null, 1) + '\n');
};
cap('lsblk-pvs.json', lsblkPvArgv(['/dev/nvme0n1', '/dev/mapper/jts_stack']));
cap('lsblk-pvs-missing.json', lsblkPvArgv(['/dev/nvme0n1', '/dev/nvme9n9']));
JS
q dmsetup remove jts_stack
ls -la "$O"/lsblk-pvs* >&2
