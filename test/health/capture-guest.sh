#!/bin/bash
# Captures, in the sandbox guest, the real outputs health's parsers are tested on: run by
#   node bin/jts-storage.js sandbox --drive size=16GiB,serial=JTS-HEALTH-0 --drive size=1GiB,kind=scsi,serial=JTS-SCSI-0 \
#     --out-dir "$PWD/test/health/fixtures" -- bash test/health/capture-guest.sh "$PWD/test/health/fixtures"
# Builds a small VG with an ext4 and an XFS volume, a classic snapshot partly filled, a classic snapshot
# written past its size (invalidated), and a thin pool with a thin volume and a thin snapshot.
set -u
O="$1"
mkdir -p "$O"
log() { echo "== $*" >&2; }
q() { "$@" >/dev/null 2>&1 || log "FAILED: $*"; }

q pvcreate -y /dev/nvme0n1
q vgcreate vg_h /dev/nvme0n1
q lvcreate -y -n lv_data -L 1G vg_h
q lvcreate -y -n lv_logs -L 512M vg_h
q mkfs.ext4 -q -F /dev/vg_h/lv_data
q mkfs.xfs -q -f /dev/vg_h/lv_logs
mkdir -p /mnt/data /mnt/logs
q mount -o noatime /dev/vg_h/lv_data /mnt/data
q mount -o noatime,logbufs=8 /dev/vg_h/lv_logs /mnt/logs
q lvcreate -y -s -n lv_data_snap -L 64M vg_h/lv_data
q dd if=/dev/urandom of=/mnt/data/f bs=1M count=20 oflag=direct
q lvcreate -y -s -n lv_logs_snap -L 16M vg_h/lv_logs
q dd if=/dev/urandom of=/mnt/logs/f bs=1M count=40 oflag=direct
sync
q lvcreate -y --type thin-pool -n pool -L 512M vg_h
q lvcreate -y -V 1G -T vg_h/pool -n lv_thin
q lvcreate -y -s -n lv_thin_snap vg_h/lv_thin
q dd if=/dev/urandom of=/dev/vg_h/lv_thin bs=1M count=100 oflag=direct

cd /work/main
node --input-type=module - "$O" <<'JS'
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { LVM_ARGV, FINDMNT_ARGV, LSBLK_ARGV } from '/work/main/dist/src/health/sources.js';
const out = process.argv[2];
const env = { ...process.env, LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };
const cap = (file, argv) => {
  const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
  writeFileSync(`${out}/${file}`, r.stdout);
  writeFileSync(`${out}/${file}.argv`, JSON.stringify({ argv, exitCode: r.status, stderr: r.stderr }, null, 1) + '\n');
};
cap('lvm-fullreport.json', LVM_ARGV);
cap('findmnt.json', FINDMNT_ARGV);
cap('lsblk.json', LSBLK_ARGV);
cap('nvme-smart-log.json', ['nvme', 'smart-log', '/dev/nvme0n1', '-o', 'json']);
cap('nvme-smart-log-ctrl.json', ['nvme', 'smart-log', '/dev/nvme0', '-o', 'json']);
cap('smartctl-nvme.json', ['smartctl', '-j', '-a', '/dev/nvme0n1']);
cap('smartctl-scsi.json', ['smartctl', '-j', '-a', '/dev/sda']);
cap('smartctl-missing.json', ['smartctl', '-j', '-a', '/dev/nvme9n9']);
cap('nvme-smart-log-missing.json', ['nvme', 'smart-log', '/dev/nvme9n9', '-o', 'json']);
JS
ls -la "$O" >&2
