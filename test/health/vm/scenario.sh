#!/bin/bash
# Guest side of test/vm/health.vm.test.ts (one boot). Every step writes <name>.out/.err/.rc into $OUT
# and runs even when an earlier one failed (no set -e), so one boot reports everything.
OUT=${1:?out dir}
PLAN=${2:?plan}
cd "$(dirname "$0")/../../.." && ROOT=$PWD
J() { node "$ROOT/bin/jts-storage.js" "$@"; }
step() { local name=$1; shift; "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"; echo $? > "$OUT/$name.rc"; }
# Fill the filesystem at $1 to $2 % as df counts it (used / (used + avail)); fallocate writes no data.
fill_to() {
  local mnt=$1 pct=$2 used avail need
  sync
  read -r used avail < <(df -B1 --output=used,avail "$mnt" | tail -1)
  need=$(( (used + avail) * pct / 100 - used ))
  fallocate -l "$need" "$mnt/fill.$pct" && sync
}

step apply J apply --plan "$PLAN" --yes --json
step h-base J health --plan "$PLAN" --json
fill_to /srv/health/data 85
step h-85 J health --plan "$PLAN" --json
fill_to /srv/health/data 95
step h-95 J health --plan "$PLAN" --json
rm -f /srv/health/data/fill.*; sync

# Classic snapshot of lv_data, 64 MiB of COW space; the plan's policy warns at 40 %, critical at 60 %.
lvcreate -q -y -s -n lv_data_snap -L 64M vg_h/lv_data > "$OUT/lvcreate-snap.out" 2>&1
dd if=/dev/urandom of=/srv/health/data/w1 bs=1M count=30 oflag=direct status=none; sync
step s-warn J health --plan "$PLAN" --json
dd if=/dev/urandom of=/srv/health/data/w2 bs=1M count=12 oflag=direct status=none; sync
step s-crit J health --plan "$PLAN" --json
# Past its size: LVM invalidates the snapshot.
dd if=/dev/urandom of=/srv/health/data/w3 bs=1M count=80 oflag=direct status=none; sync
# The same run also writes the textfile (the host test runs promtool and node_exporter on it).
mkdir -p "$OUT/textfile"
step s-lost J health --plan "$PLAN" --json --textfile-dir "$OUT/textfile"
lvs -a --reportformat json -o lv_name,lv_attr,data_percent,lv_snapshot_invalid vg_h > "$OUT/lvs-end.json" 2>&1
echo done > "$OUT/done"
