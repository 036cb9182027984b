#!/bin/bash
# Guest side of test/vm/field-lvm.vm.test.ts. Every step writes <name>.out/.err/.rc into $OUT and runs even
# when an earlier one failed (no set -e), so one boot reports everything.
# Boot 1 ($2 = boot1): drives SB-A, SB-B (2 GiB each), SERIAL-A (512-byte LBA), SERIAL-B (4Kn), SB-C.
# Boot 2 ($2 = boot2): SB-A only, kept from boot 1 (SB-B gone).
OUT=${1:?out dir}
BOOT=${2:?boot1 or boot2}
cd "$(dirname "$0")/../../.." && ROOT=$PWD
F=$ROOT/test/fixtures/field
J() { node "$ROOT/bin/jts-storage.js" "$@"; }
step() { local name=$1; shift; "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"; }
dev_of() { for d in /sys/block/*; do [ "$(cat "$d/device/serial" 2>/dev/null | tr -d ' ')" = "$1" ] && echo "/dev/${d##*/}"; done; }

if [ "$BOOT" = boot1 ]; then
  # 01: one VG over a 512-byte-LBA and a 4Kn drive. plan refuses before any command; LVM refuses too.
  A=$(dev_of SERIAL-A); B=$(dev_of SERIAL-B)
  echo "$A $(cat /sys/block/${A#/dev/}/queue/logical_block_size) $B $(cat /sys/block/${B#/dev/}/queue/logical_block_size)" > "$OUT/01-lbs.out"
  step 01-plan J plan --plan "$F/01-mixed-sector-sizes/plan.yaml" --json
  step 01-pvcreate pvcreate -q "$A" "$B"
  step 01-vgcreate vgcreate vg_data "$A" "$B"
  pvremove -q -y "$A" "$B" >/dev/null 2>&1

  # 06, first half: the two-drive VG applied while both drives are there; health is OK.
  step 06-apply J apply --plan "$F/06-missing-pv/plan.yaml" --yes --json
  step 06-health-before J health --plan "$F/06-missing-pv/plan.yaml" --no-plan-cache --json
  lvs -a --reportformat json -o lv_name,devices vg_hot > "$OUT/06-lvs.json" 2>&1
  vgchange -q -an vg_hot > /dev/null 2>&1

  # 07: a classic snapshot of lv_data; growing it (plan-c2) is refused at plan time, and by LVM.
  step 07-apply J apply --plan "$F/07-grow-with-snapshot/plan-c1.yaml" --yes --json
  step 07-snap J snapshot create --plan "$F/07-grow-with-snapshot/plan-c1.yaml" --json vg_c/lv_data
  lvs -a --reportformat json -o lv_name,lv_attr,origin,lv_size vg_c > "$OUT/07-lvs.json" 2>&1
  step 07-plan J plan --plan "$F/07-grow-with-snapshot/plan-c2.yaml" --json
  step 07-lvextend lvextend -r -L 2G vg_c/lv_data
  umount /srv/c 2>/dev/null
else
  # 06, second half: SB-B is gone. health is CRITICAL (exit 2), in JSON and in Prometheus.
  step 06-health-after J health --plan "$F/06-missing-pv/plan.yaml" --no-plan-cache --json
  step 06-prom J health --plan "$F/06-missing-pv/plan.yaml" --no-plan-cache --format prometheus
fi
echo done > "$OUT/done-$BOOT"
