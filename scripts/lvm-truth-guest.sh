#!/bin/bash
# The LVM-truth sweep, guest half (run by scripts/sweep-lvm-truth.mjs in ONE sandbox boot):
# the operations the diff and the snapshot commands emit, against the host states a plan meets.
# Drives (by serial): LT-A 512-byte LBA, LT-B 4096-byte LBA (4Kn), LT-C, LT-D, LT-E, LT-F, LT-G 512-byte.
# Output: $OUT/outcomes.tsv (case <TAB> op <TAB> exit <TAB> message) and $OUT/*.json captures
# (lvm fullreport with the probe's argv, lsblk) of the states the unit tests replay.
set -u
OUT=${1:?out dir}
ROOT=${2:?checkout}
: > "$OUT/outcomes.tsv"
export LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1
dev() { for d in /dev/nvme*n1; do [ "$(cat /sys/block/${d#/dev/}/device/serial 2>/dev/null | tr -d ' ')" = "$1" ] && echo "$d"; done; }
A=$(dev LT-A); B=$(dev LT-B); C=$(dev LT-C); D=$(dev LT-D); E=$(dev LT-E); F=$(dev LT-F); G=$(dev LT-G)
echo "drives: A=$A B=$B C=$C D=$D E=$E F=$F G=$G" >&2
for d in $A $B; do echo "$d logical_block_size $(cat /sys/block/${d#/dev/}/queue/logical_block_size)" >&2; done
# rec CASE OP CMD...: run, record exit code and LVM's message (errors/warnings joined, one line).
rec() {
  local c=$1 o=$2; shift 2
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  local msg; msg=$(printf '%s\n' "$err" | sed 's/^ *//' | grep -v '^$' | grep -v 'WARNING: This metadata update is NOT backed up' | tr '\t' ' ' | paste -sd'|' | sed 's/|/ | /g')
  printf '%s\t%s\t%s\t%s\n' "$c" "$o" "$rc" "$msg" >> "$OUT/outcomes.tsv"
  echo "== $c/$o: exit $rc: $msg" >&2
  return 0
}
q() { local e; e=$("$@" 2>&1 >/dev/null) || echo "setup FAILED: $*: $e" >&2; }
fullreport() { node --input-type=module -e "
import { PROBE_FULLREPORT_ARGV } from '$ROOT/dist/src/host/lvm.js';
import { spawnSync } from 'node:child_process';
const r = spawnSync(PROBE_FULLREPORT_ARGV[0], PROBE_FULLREPORT_ARGV.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
process.stdout.write(r.stdout);" > "$OUT/$1"; }
healthreport() { node --input-type=module -e "
import { HEALTH_FULLREPORT_ARGV } from '$ROOT/dist/src/host/lvm.js';
import { spawnSync } from 'node:child_process';
const r = spawnSync(HEALTH_FULLREPORT_ARGV[0], HEALTH_FULLREPORT_ARGV.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
process.stdout.write(r.stdout); process.stderr.write(r.stderr);" > "$OUT/$1" 2> "$OUT/$1.stderr"; }

# ---- 1. mixed logical block sizes (512 + 4096)
rec mixed-block-size pvcreate-512 pvcreate -y "$A"
rec mixed-block-size pvcreate-4096 pvcreate -y "$B"
rec mixed-block-size vgcreate vgcreate vg_mix "$A" "$B"
rec mixed-block-size vgcreate-512-only vgcreate vg_mix "$A"
rec mixed-block-size vgextend-4096 vgextend vg_mix "$B"
rec mixed-block-size vgcreate-allow-mixed vgcreate --config 'devices/allow_mixed_block_sizes=1' vg_mix2 "$B"
q vgremove -y vg_mix; q vgremove -y vg_mix2; q pvremove -y "$A" "$B"

# ---- 2. classic snapshot of a mounted ext4 origin (case 07), then the same with thin
q pvcreate -y "$C"; q vgcreate vg_c "$C"
q lvcreate -y -n lv_data -L 1G vg_c
q mkfs.ext4 -q -F /dev/vg_c/lv_data
mkdir -p /srv/c; q mount /dev/vg_c/lv_data /srv/c
rec classic-snapshot lvcreate-snapshot lvcreate -y -s -n lv_data_snap -L 64M vg_c/lv_data
fullreport classic-snapshot.fullreport.json
rec classic-snapshot lvextend-r lvextend -r -L 2G vg_c/lv_data
rec classic-snapshot lvresize-r lvresize -r -L 2G vg_c/lv_data
rec classic-snapshot lvextend-l lvextend -l +25 vg_c/lv_data
rec classic-snapshot lvchange-an-mounted lvchange -an vg_c/lv_data
rec classic-snapshot lvcreate-second-snapshot lvcreate -y -s -n lv_data_snap2 -L 64M vg_c/lv_data
rec classic-snapshot lvremove-snapshots lvremove -y vg_c/lv_data_snap vg_c/lv_data_snap2
rec classic-snapshot lvextend-r-after-remove lvextend -r -L 2G vg_c/lv_data
q lvcreate -y -s -n lv_data_snap3 -L 64M vg_c/lv_data
rec classic-snapshot lvconvert-merge-mounted lvconvert --merge vg_c/lv_data_snap3
q umount /srv/c
rec classic-snapshot lvextend-offline-after-merge-deferred lvextend -L 3G vg_c/lv_data
q lvchange -an vg_c/lv_data; q lvchange -ay vg_c/lv_data
q lvcreate -y -s -n lv_data_snap4 -L 64M vg_c/lv_data
q lvchange -an vg_c/lv_data
rec classic-snapshot lvextend-inactive lvextend -L 3G vg_c/lv_data
q lvchange -ay vg_c/lv_data
# thin: a thin origin with a thin snapshot grows online
q lvcreate -y --type thin-pool -n pool -L 512M vg_c
q lvcreate -y -n lv_thin -V 256M --thinpool vg_c/pool
q mkfs.ext4 -q -F /dev/vg_c/lv_thin; mkdir -p /srv/t; q mount /dev/vg_c/lv_thin /srv/t
rec thin-snapshot lvcreate-thin-snapshot lvcreate -y -s -n lv_thin_snap vg_c/lv_thin
rec thin-snapshot lvextend-r-thin-origin lvextend -r -L 512M vg_c/lv_thin
rec thin-snapshot lvremove-thin-snapshot lvremove -y vg_c/lv_thin_snap
q umount /srv/t

# ---- 3. full thin pool (data), errorwhenfull so writes fail instead of queueing 60 s
# (lvm2 2.03.16's lvcreate refuses "--errorwhenfull is unsupported with thin pools": set it with lvchange)
q lvremove -y vg_c/lv_thin vg_c/pool vg_c/lv_data_snap4
q lvcreate -y --type thin-pool -n fullpool -L 16M vg_c
q lvchange --errorwhenfull y vg_c/fullpool
q lvcreate -y -n lv_full -V 64M --thinpool vg_c/fullpool
dd if=/dev/urandom of=/dev/vg_c/lv_full bs=1M count=24 oflag=direct status=none 2>/dev/null
sync
fullreport full-thin-pool.fullreport.json
rec full-thin-pool lvcreate-thin lvcreate -y -n lv_new -V 16M --thinpool vg_c/fullpool
rec full-thin-pool lvcreate-thin-snapshot lvcreate -y -s -n lv_full_snap vg_c/lv_full
rec full-thin-pool lvextend-pool lvextend -L +16M vg_c/fullpool
rec full-thin-pool lvcreate-thin-after-grow lvcreate -y -n lv_new -V 16M --thinpool vg_c/fullpool

# ---- 4. activation skip (lvcreate -k / --setactivationskip y)
rec activation-skip lvcreate-k lvcreate -y -ky -n lv_skip -L 8M vg_c
fullreport activation-skip.fullreport.json
rec activation-skip lvchange-ay lvchange -ay vg_c/lv_skip
echo "lv_skip active after -ay: $(lvs --noheadings -o lv_active vg_c/lv_skip)" >&2
printf '%s\t%s\t%s\t%s\n' activation-skip active-after-ay 0 "lv_active=$(lvs --noheadings -o lv_active vg_c/lv_skip | tr -d ' ')" >> "$OUT/outcomes.tsv"
rec activation-skip lvchange-ay-K lvchange -ay -K vg_c/lv_skip
printf '%s\t%s\t%s\t%s\n' activation-skip active-after-ay-K 0 "lv_active=$(lvs --noheadings -o lv_active vg_c/lv_skip | tr -d ' ')" >> "$OUT/outcomes.tsv"
# the way out for good: clear the flag; plain -ay then activates it
q lvchange -an vg_c/lv_skip
rec activation-skip lvchange-kn lvchange -kn vg_c/lv_skip
rec activation-skip lvchange-ay-after-kn lvchange -ay vg_c/lv_skip
printf '%s\t%s\t%s\t%s\n' activation-skip active-after-kn-ay 0 "lv_active=$(lvs --noheadings -o lv_active vg_c/lv_skip | tr -d ' ')" >> "$OUT/outcomes.tsv"
q lvremove -y vg_c/lv_skip

# ---- 4b. thin operations the diff and the snapshot commands emit: a pool with chunk and metadata size and
# an autoextend metadata profile, a thin volume (--type thin -V), a thin snapshot (activation skip, -K),
# grow with the snapshot present (volume and pool), lvextend --use-policies, merge back.
mkdir -p /etc/lvm/profile /srv/tv /mnt/tvs
printf 'activation {\n\tthin_pool_autoextend_threshold=80\n\tthin_pool_autoextend_percent=20\n}\n' > /etc/lvm/profile/jts-thin.profile
rec thin-ops lvcreate-pool lvcreate -y --type thin-pool -n tpool -L 256M --chunksize 64k --poolmetadatasize 8M --metadataprofile jts-thin vg_c
rec thin-ops lvcreate-thin lvcreate -y --type thin -n lv_tv -V 128M --thinpool tpool vg_c
q mkfs.ext4 -q -F /dev/vg_c/lv_tv; q mount /dev/vg_c/lv_tv /srv/tv
echo before > /srv/tv/marker; dd if=/dev/urandom of=/srv/tv/f bs=1M count=16 conv=fsync status=none; sync
rec thin-ops lvcreate-thin-snapshot lvcreate -y -s -n lv_tv_snap vg_c/lv_tv
fullreport thin-snapshot.fullreport.json
rec thin-ops lvchange-ay-snapshot lvchange -ay vg_c/lv_tv_snap
printf '%s\t%s\t%s\t%s\n' thin-ops active-after-ay 0 "lv_active=$(lvs --noheadings -o lv_active vg_c/lv_tv_snap | tr -d ' ')" >> "$OUT/outcomes.tsv"
rec thin-ops mount-snapshot-inactive mount -o ro /dev/vg_c/lv_tv_snap /mnt/tvs
rec thin-ops lvchange-ay-K-snapshot lvchange -ay -K vg_c/lv_tv_snap
rec thin-ops mount-snapshot-ro mount -o ro /dev/vg_c/lv_tv_snap /mnt/tvs
q umount /mnt/tvs
rec thin-ops lvextend-r-with-snapshot lvextend -r -L 192M vg_c/lv_tv
printf '%s\t%s\t%s\t%s\n' thin-ops fs-size-after-grow 0 "df_bytes=$(df -B1 --output=size /srv/tv | tail -1 | tr -d ' ')" >> "$OUT/outcomes.tsv"
rec thin-ops lvextend-pool-with-snapshot lvextend -L +64M vg_c/tpool
rec thin-ops lvextend-use-policies lvextend --use-policies vg_c/tpool
lvs --reportformat json -o lv_name,lv_layout,lv_attr,pool_lv,origin,lv_size,data_percent,metadata_percent,chunk_size,lv_metadata_size,lv_profile vg_c > "$OUT/thin-ops.lvs.json" 2>&1
echo after > /srv/tv/marker; sync
rec thin-ops lvconvert-merge-mounted lvconvert --merge vg_c/lv_tv_snap
printf '%s\t%s\t%s\t%s\n' thin-ops snapshot-after-merge-mounted 0 "lvs=$(lvs --noheadings -o lv_name vg_c/lv_tv_snap 2>/dev/null | tr -d ' ')" >> "$OUT/outcomes.tsv"
q umount /srv/tv
rec thin-ops lvchange-an-origin lvchange -an vg_c/lv_tv
rec thin-ops lvchange-ay-origin lvchange -ay vg_c/lv_tv
q mount /dev/vg_c/lv_tv /srv/tv
printf '%s\t%s\t%s\t%s\n' thin-ops after-merge 0 "marker=$(cat /srv/tv/marker) snapshot=$(lvs --noheadings -o lv_name vg_c/lv_tv_snap 2>/dev/null | tr -d ' ')" >> "$OUT/outcomes.tsv"
rec thin-ops lvcreate-thin-snapshot-kn lvcreate -y -s -kn -n lv_tv_snap2 vg_c/lv_tv
printf '%s\t%s\t%s\t%s\n' thin-ops kn-snapshot-attr 0 "lv_attr=$(lvs --noheadings -o lv_attr vg_c/lv_tv_snap2 | tr -d ' ')" >> "$OUT/outcomes.tsv"
rec thin-ops lvremove-thin-snapshot lvremove -y vg_c/lv_tv_snap2
q umount /srv/tv; q lvremove -y vg_c/lv_tv vg_c/tpool

# ---- 5. exported VG
q pvcreate -y "$A"; q vgcreate vg_x "$A"; q lvcreate -y -n lv_x -L 8M vg_x; q vgchange -an vg_x
rec exported-vg vgexport vgexport vg_x
fullreport exported-vg.fullreport.json
rec exported-vg lvcreate lvcreate -y -n lv_y -L 8M vg_x
rec exported-vg lvextend lvextend -L +8M vg_x/lv_x
rec exported-vg vgchange-ay vgchange -ay vg_x
rec exported-vg vgimport vgimport vg_x

# ---- 7. LV count limit (a VG made with vgcreate -l 2 elsewhere)
q pvcreate -y "$F"; q vgcreate -l 2 vg_l "$F"
q lvcreate -y -n lv1 -L 8M vg_l
rec lv-count-limit lvcreate-second lvcreate -y -n lv2 -L 8M vg_l
fullreport lv-count-limit.fullreport.json
rec lv-count-limit lvcreate-third lvcreate -y -n lv3 -L 8M vg_l
rec lv-count-limit lvcreate-snapshot-at-limit lvcreate -y -s -n lv1_snap -L 8M vg_l/lv1
rec lv-count-limit lvcreate-thin-pool-at-limit lvcreate -y --type thin-pool -n pool -L 64M vg_l
rec lv-count-limit vgchange-l0 vgchange -l 0 vg_l
rec lv-count-limit lvcreate-after-unlimited lvcreate -y -n lv3 -L 8M vg_l
q vgremove -y -f vg_l; q pvremove -y "$F"

# ---- 8. PV count limit (vgcreate -p 1)
q pvcreate -y "$F" "$G"; q vgcreate -p 1 vg_p "$F"
fullreport pv-count-limit.fullreport.json
rec pv-count-limit vgextend vgextend vg_p "$G"
rec pv-count-limit vgchange-p0 vgchange -p 0 vg_p
rec pv-count-limit vgextend-after-unlimited vgextend vg_p "$G"
q vgremove -y -f vg_p; q pvremove -y "$F" "$G"

# ---- 9. foreign VG: vg_f on F carries another host's system ID (this host has none: lvm.conf default)
q pvcreate -y "$F"; q vgcreate vg_f "$F"; q lvcreate -y -n lv_f -L 8M vg_f; q vgchange -an vg_f
rec foreign-vg set-systemid vgchange --config 'global/system_id_source="lvmlocal" local/system_id="hostB" local/extra_system_ids=[""]' --systemid hostB vg_f
fullreport foreign-vg.fullreport.json
node --input-type=module -e "
import { FOREIGN_PVS_ARGV } from '$ROOT/dist/src/host/lvm-foreign.js';
import { spawnSync } from 'node:child_process';
const r = spawnSync(FOREIGN_PVS_ARGV[0], FOREIGN_PVS_ARGV.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
process.stdout.write(r.stdout);" > "$OUT/foreign-vg.pvs-foreign.json"
rec foreign-vg lvcreate lvcreate -y -n lv_g -L 8M vg_f
rec foreign-vg lvextend lvextend -L +8M vg_f/lv_f
rec foreign-vg pvcreate pvcreate -y "$F"
q pvcreate -y "$G"
rec foreign-vg vgextend vgextend vg_f "$G"
rec foreign-vg vgcreate-same-name vgcreate vg_f "$G"
rec foreign-vg two-vgs-named-vg_f sh -c 'vgs --foreign --noheadings -o vg_name,vg_systemid 1>&2'
q vgremove -y vg_f
# ---- 6. missing PV (partial VG): a VG over D and E, E's NVMe controller removed from the PCI bus
q pvcreate -y "$D" "$E"; q vgcreate vg_m "$D" "$E"
q lvcreate -y -n lv_a -L 1G vg_m "$D"
q lvcreate -y -n lv_b -L 1G vg_m "$E"
ctrl=$(basename "$(readlink -f /sys/block/${E#/dev/}/device)")
pci=$(readlink -f /sys/block/${E#/dev/}/device/device)
echo "removing $E ($ctrl at $pci)" >&2
echo 1 > "$pci/remove"; sleep 2
healthreport missing-pv.health-fullreport.json
fullreport missing-pv.fullreport.json
rec missing-pv lvcreate lvcreate -y -n lv_c -L 8M vg_m
rec missing-pv lvextend lvextend -L +8M vg_m/lv_a
rec missing-pv lvcreate-snapshot lvcreate -y -s -n lv_a_snap -L 8M vg_m/lv_a
rec missing-pv lvremove-partial lvremove -y vg_m/lv_b
rec missing-pv vgreduce-removemissing vgreduce --removemissing vg_m
rec missing-pv vgreduce-removemissing-force vgreduce --removemissing --force vg_m
rec missing-pv lvcreate-after-reduce lvcreate -y -n lv_c -L 8M vg_m
lsblk -J -b -o NAME,KNAME,PATH,TYPE,TRAN,ROTA,SERIAL,MODEL,SCHED,SIZE,LOG-SEC,PHY-SEC > "$OUT/lsblk-after.json"
echo SWEEP-DONE >&2
