#!/bin/bash
# Captures the real tools' output used by test/snapshot/*.test.ts, in the sandbox guest:
#   node bin/jts-storage.js sandbox --drive 8GiB --out-dir /tmp/snapcap -- bash test/snapshot/capture-fixtures.sh /tmp/snapcap
# then copy /tmp/snapcap/*.json|*.txt to test/snapshot/fixtures/.
set -euo pipefail
OUT=${1:?out dir}
DEV=$(ls /dev/nvme0n1)
F=vg_name,lv_name,lv_attr,lv_size,origin,origin_size,pool_lv,data_percent,metadata_percent,snap_percent,lv_time,lv_tags,lv_uuid,lv_path,lv_active_locally,lv_snapshot_invalid,lv_merging,lv_skip_activation,lv_device_open,vg_extent_size,lv_kernel_major,lv_kernel_minor
lvsj() { lvs --reportformat json --units b --nosuffix --binary -o $F; }
pvcreate -q $DEV
vgcreate -q vg_t $DEV
lvcreate -q -n lv_pg -L 1g vg_t
lvcreate -q -n lv_kafka -L 1g vg_t
lvcreate -q -n pool -L 2g -T vg_t/pool
lvcreate -q -n lv_thin -V 1g -T vg_t/pool
mkfs.ext4 -q /dev/vg_t/lv_pg
mkfs.xfs -q /dev/vg_t/lv_kafka
mkfs.ext4 -q /dev/vg_t/lv_thin
mkdir -p /mnt/pg /mnt/kafka /mnt/thin
mount /dev/vg_t/lv_pg /mnt/pg; mount /dev/vg_t/lv_kafka /mnt/kafka; mount /dev/vg_t/lv_thin /mnt/thin
dd if=/dev/urandom of=/mnt/pg/a bs=1M count=20 status=none; sync
lvcreate -q -s -l 2 -n lv_pg.snap.databases.20261121T120000Z --addtag jts-snap --addtag jts-set:databases vg_t/lv_pg
lvcreate -q -s -l 25 -n lv_kafka.snap.databases.20261121T120000Z --addtag jts-snap --addtag jts-set:databases --addtag jts-keep vg_t/lv_kafka
lvcreate -q -s -n lv_thin.snap.databases.20261121T120000Z --addtag jts-snap --addtag jts-set:databases vg_t/lv_thin
lvsj > $OUT/lvs-fresh.json
vgs --reportformat json --units b --nosuffix -o vg_name,vg_size,vg_free,vg_extent_size,vg_extent_count,vg_free_count > $OUT/vgs.json
# ext4 journal state of a snapshot of a mounted, just-written ext4
dumpe2fs -h /dev/vg_t/lv_pg.snap.databases.20261121T120000Z 2>/dev/null | grep -i 'features\|state' > $OUT/dumpe2fs-snap.txt || true
# overflow the 8 MiB classic snapshot: write 30 MiB to the origin
dd if=/dev/urandom of=/mnt/pg/b bs=1M count=30 oflag=direct status=none; sync
dd if=/dev/urandom of=/mnt/kafka/k bs=1M count=10 oflag=direct status=none; sync
lvsj > $OUT/lvs-invalid.json
findmnt -J --list -o TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN > $OUT/findmnt.json
blkid -p -o export /dev/vg_t/lv_kafka.snap.databases.20261121T120000Z > $OUT/blkid-xfs-snap.txt || true
lvmconfig --type full activation/snapshot_autoextend_threshold activation/snapshot_autoextend_percent activation/monitoring > $OUT/lvmconfig.txt
lvs -o vg_name,lv_name,seg_monitor --reportformat json > $OUT/lvs-monitor.json
pgrep -a dmeventd > $OUT/dmeventd.txt || echo "no dmeventd" > $OUT/dmeventd.txt
lvchange --monitor y vg_t/lv_kafka.snap.databases.20261121T120000Z > $OUT/monitor.txt 2>&1 || true
pgrep -a dmeventd >> $OUT/dmeventd.txt || echo "no dmeventd after monitor" >> $OUT/dmeventd.txt
lvs -o vg_name,lv_name,seg_monitor --reportformat json > $OUT/lvs-monitor2.json
# merge while the origin is mounted (deferred), then not
lvconvert --merge vg_t/lv_kafka.snap.databases.20261121T120000Z > $OUT/merge-open.txt 2>&1 || true
lvsj > $OUT/lvs-merging.json
umount /mnt/kafka
lvchange -an vg_t/lv_kafka; lvchange -ay vg_t/lv_kafka
lvconvert --startpoll vg_t/lv_kafka > $OUT/startpoll.txt 2>&1 || true
lvsj > $OUT/lvs-after-merge.json
lvconvert --merge vg_t/lv_thin.snap.databases.20261121T120000Z > $OUT/merge-thin-open.txt 2>&1 || true
lvsj > $OUT/lvs-thin-merging.json
ls -la $OUT
