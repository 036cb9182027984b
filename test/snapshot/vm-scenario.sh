#!/bin/bash
# Guest side of test/vm/snapshot.vm.test.ts (one boot). Writes one file per step into $OUT; the host
# test reads them and asserts. Every step runs even when an earlier one failed (no set -e), so one boot
# reports everything.
OUT=${1:?out dir}
cd /work/main
J() { node /work/main/bin/jts-storage.js "$@"; }
step() { local name=$1; shift; "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"; }
DEV=/dev/nvme0n1
pvcreate -q $DEV && vgcreate -q vg_t $DEV
for v in lv_pg:1g lv_kafka:1g lv_redis:512m lv_backup:1g lv_de:256m lv_dx:256m; do lvcreate -q -y -n ${v%%:*} -L ${v##*:} vg_t; done
lvcreate -q -y -n pool -L 1g -T vg_t/pool && lvcreate -q -y -n lv_thin -V 512m -T vg_t/pool
for v in lv_pg lv_redis lv_backup lv_de lv_thin; do mkfs.ext4 -q /dev/vg_t/$v; done
for v in lv_kafka lv_dx; do mkfs.xfs -q /dev/vg_t/$v; done
for v in pg kafka redis backup de dx thin; do mkdir -p /mnt/$v; mount /dev/vg_t/lv_$v /mnt/$v; done
for v in pg kafka redis thin; do dd if=/dev/urandom of=/mnt/$v/data.bin bs=1M count=4 status=none; mkdir -p /mnt/$v/dir; echo "hello $v" > /mnt/$v/dir/hello.txt; done
sync
(cd /mnt && sha256sum pg/data.bin kafka/data.bin redis/data.bin thin/data.bin) > $OUT/origin-sums.txt

# 1. refusal when the plan's reserve is short (3 × 64 MiB > 100 MiB): nothing created
step create-short J snapshot create --plan $OUT/plan-small.yaml --set trio --json
# 2. the set of three (ext4, XFS, ext4), with the plan (reserve 2 GiB)
step create-trio J snapshot create --plan $OUT/plan.yaml --set trio --json
step list-1 J snapshot list --json
# 3. ro mounts: ext4 and XFS (nouuid), contents equal the origin's at snapshot time
PG=$(lvs --noheadings -o lv_name --select 'lv_tags=jts-set:trio && origin=lv_pg' vg_t | tr -d ' ')
KA=$(lvs --noheadings -o lv_name --select 'lv_tags=jts-set:trio && origin=lv_kafka' vg_t | tr -d ' ')
echo "$PG $KA" > $OUT/names.txt
step mount-pg J snapshot mount vg_t/$PG --json
step mount-ka J snapshot mount vg_t/$KA --json
(cd /run/jts-storage/snapshots/vg_t && sha256sum $PG/data.bin $KA/data.bin) > $OUT/snap-sums.txt
touch /run/jts-storage/snapshots/vg_t/$PG/x 2> $OUT/ro-write.err; echo $? > $OUT/ro-write.rc
findmnt -J -o TARGET,OPTIONS --list > $OUT/findmnt-snap.json
# 4. export + verify (plain tar and zstd), then a tampered manifest must fail
step export-pg J snapshot export vg_t/$PG --to /mnt/backup --json
step export-ka J snapshot export vg_t/$KA --to /mnt/backup --no-compress --json
step verify-pg J snapshot verify /mnt/backup/vg_t/$PG.tar.zst --json
step verify-ka J snapshot verify /mnt/backup/vg_t/$KA.tar --json
sed -i '1s/^./0/' /mnt/backup/vg_t/$KA.manifest.sha256; sed -i '1s/^0/1/' /mnt/backup/vg_t/$KA.manifest.sha256
step verify-tampered J snapshot verify /mnt/backup/vg_t/$KA.tar --json
step umount-pg J snapshot umount vg_t/$PG --json
step umount-ka J snapshot umount vg_t/$KA --json
# 5. overflow a small classic snapshot (autoextend off): invalidated, listed as LOST, never silently pruned
step create-small J snapshot create vg_t/lv_redis --set tiny --size 8MiB --json
dd if=/dev/urandom of=/mnt/redis/big.bin bs=1M count=40 oflag=direct status=none; sync
step list-2 J snapshot list --json
# 6. prune: lv_pg's policy keeps 1; a second lv_pg snapshot makes the first one prunable
sleep 1
step create-pg2 J snapshot create --plan $OUT/plan.yaml --set again vg_t/lv_pg --json
step prune-dry J snapshot prune --plan $OUT/plan.yaml --dry-run --json
step prune J snapshot prune --plan $OUT/plan.yaml --json
step list-3 J snapshot list --json
# 7. restore with the origin mounted: refused with the way out; then --offline does it
echo "after snapshot" > /mnt/pg/dir/hello.txt; sync
PG2=$(lvs --noheadings -o lv_name --select 'lv_tags=jts-set:again' vg_t | tr -d ' ')
step restore-open J snapshot restore vg_t/$PG2 --yes --json
step restore-offline J snapshot restore vg_t/$PG2 --yes --offline --json
cat /mnt/pg/dir/hello.txt > $OUT/pg-hello-after-restore.txt
# 8. autoextend under dmeventd: lvm.conf from the command, a 16 MiB snapshot filled past 70 %
step autoextend J snapshot autoextend --threshold 70 --percent 50 --json
lvmconfig activation/snapshot_autoextend_threshold activation/snapshot_autoextend_percent > $OUT/lvmconfig-after.txt 2>&1
step create-ae J snapshot create vg_t/lv_kafka --set ae --size 16MiB --json
AE=$(lvs --noheadings -o lv_name --select 'lv_tags=jts-set:ae' vg_t | tr -d ' ')
lvs --noheadings --units b --nosuffix -o lv_size,seg_monitor vg_t/$AE > $OUT/ae-before.txt
dd if=/dev/urandom of=/mnt/kafka/ae.bin bs=1M count=13 oflag=direct status=none; sync
for i in $(seq 1 40); do sleep 1; s=$(lvs --noheadings --units b --nosuffix -o lv_size vg_t/$AE | tr -d ' '); [ "$s" -gt 16777216 ] && break; done
lvs --noheadings --units b --nosuffix -o lv_size,snap_percent,lv_attr vg_t/$AE > $OUT/ae-after.txt
# 9. thin snapshot: created without size, mounted (activation skip), read, unmounted
step create-thin J snapshot create vg_t/lv_thin --set thin --json
TH=$(lvs --noheadings -o lv_name --select 'lv_tags=jts-set:thin' vg_t | tr -d ' ')
step mount-thin J snapshot mount vg_t/$TH --json
sha256sum /run/jts-storage/snapshots/vg_t/$TH/data.bin > $OUT/thin-snap-sum.txt
step umount-thin J snapshot umount vg_t/$TH --json
step list-4 J snapshot list --json
# 10. drills: ext4, XFS, thin
step drill-ext4 J snapshot drill vg_t/lv_de --yes --json
step drill-xfs J snapshot drill vg_t/lv_dx --yes --json
step drill-thin J snapshot drill vg_t/lv_thin --yes --json
findmnt -J -o TARGET,SOURCE --list > $OUT/findmnt-end.json
lvs -a --reportformat json --units b --nosuffix --binary -o vg_name,lv_name,lv_attr,origin,lv_tags > $OUT/lvs-end.json
echo done > $OUT/done
