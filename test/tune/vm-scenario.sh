#!/bin/bash
# Guest side of test/vm/tune.vm.test.ts (issue 5 on a real kernel). Runs inside the sandbox only.
#   bash test/tune/vm-scenario.sh OUT 1   first boot: apply, tune apply/status, udevadm test, drift, units, fstrim
#   bash test/tune/vm-scenario.sh OUT 2   second boot on the same drive images: udev re-applies the rule
# Every step leaves NAME.out, NAME.err, NAME.rc in OUT; the host-side test reads them.
set -u
OUT="$1"
PHASE="$2"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ "${JTS_SANDBOX:-}" != 1 ]]; then
  echo "vm-scenario.sh: run inside the sandbox only (it formats drives)" >&2
  exit 2
fi
export LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1
J=(node "$REPO/bin/jts-storage.js")
run() {
  local name="$1"; shift
  "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  echo $? >"$OUT/$name.rc"
}
# One line per whole disk: "name scheduler-file-content rotational"
schedulers() {
  for q in /sys/block/*/queue/scheduler; do
    local d="${q#/sys/block/}"; d="${d%%/*}"
    case "$d" in loop*|dm-*|zram*|sr*) continue ;; esac
    echo "$d $(cat "$q") rot=$(cat "/sys/block/$d/queue/rotational")"
  done
}

if [[ "$PHASE" == 1 ]]; then
  # A host upgraded from a release that wrote the old catch-all rule (60-…, every NVMe disk): apply removes it.
  # nvme1n1 is not a plan drive: its scheduler is set by hand to one the plan's NVMe class does not want.
  printf '%s\n' 'ACTION!="add|change", GOTO="jts_old_end"' 'SUBSYSTEM!="block", GOTO="jts_old_end"' 'ENV{DEVTYPE}!="disk", GOTO="jts_old_end"' \
    'KERNEL=="nvme[0-9]*n[0-9]*", ATTR{queue/scheduler}="none"' 'LABEL="jts_old_end"' >/etc/udev/rules.d/60-jts-storage-scheduler.rules
  udevadm control --reload
  echo mq-deadline >/sys/block/nvme1n1/queue/scheduler
  schedulers >"$OUT/schedulers-0.txt"
  run apply "${J[@]}" apply --plan "$OUT/plan-a.yaml" --yes --json --audit-log "$OUT/audit.jsonl"
  run status-0 "${J[@]}" tune status --plan "$OUT/plan-a.yaml" --json
  run tune-apply-1 "${J[@]}" tune apply --plan "$OUT/plan-a.yaml" --json --audit-log "$OUT/audit.jsonl"
  run status-1 "${J[@]}" tune status --plan "$OUT/plan-a.yaml" --json
  run status-1-text "${J[@]}" tune status --plan "$OUT/plan-a.yaml"
  schedulers >"$OUT/schedulers-1.txt"
  run rules-d ls /etc/udev/rules.d
  # change events on every disk (what `udevadm trigger` does on a running host): the rule, read after
  # 60-persistent-storage.rules, matches the plan drive by its ID_WWN and no other disk
  echo mq-deadline >/sys/block/nvme0n1/queue/scheduler
  run udev-trigger-1 udevadm trigger --action=change --subsystem-match=block
  run udev-settle-1 udevadm settle --timeout=30
  schedulers >"$OUT/schedulers-1-trigger.txt"
  # udevadm test on every whole disk: which ones does the rule write a scheduler to?
  for d in /sys/block/*; do
    n="$(basename "$d")"
    case "$n" in loop*|zram*|sr*|dm-*) continue ;; esac
    run "udevtest-$n" udevadm test --action=add "/sys/block/$n"
  done
  # A manual change is drift; tune apply repairs it; a second tune apply has nothing to do.
  echo mq-deadline >/sys/block/nvme0n1/queue/scheduler
  run status-drift "${J[@]}" tune status --plan "$OUT/plan-a.yaml" --json
  run tune-apply-2 "${J[@]}" tune apply --plan "$OUT/plan-a.yaml" --json --audit-log "$OUT/audit.jsonl"
  run status-2 "${J[@]}" tune status --plan "$OUT/plan-a.yaml" --json
  run tune-apply-3 "${J[@]}" tune apply --plan "$OUT/plan-a.yaml" --dry-run --json
  # Every unit tune apply installed passes systemd-analyze verify.
  run units-ls ls /etc/systemd/system
  run verify-units bash -c 'systemd-analyze verify /etc/systemd/system/jts-storage-*.service /etc/systemd/system/jts-storage-*.timer'
  # The distribution's fstrim.service command, dry run: it must list every mounted volume.
  run fstrim-dry fstrim --listed-in /etc/fstab:/proc/self/mountinfo --verbose --quiet-unsupported --dry-run
  run fstab cat /etc/fstab
  # The exact lvs call tune status makes (fixture for the parser).
  run lvs-readahead lvs --reportformat json --units b --nosuffix -o vg_name,lv_name,lv_attr,lv_read_ahead,lv_kernel_read_ahead,lv_kernel_major,lv_kernel_minor
  run ra-sysfs bash -c 'for d in /sys/block/dm-*; do echo "$(cat $d/dm/name) $(cat $d/queue/read_ahead_kb)"; done'
  # Bad input on the real device list: an unknown scheduler is refused, nothing written.
  run bad-sched "${J[@]}" tune apply --plan "$OUT/plan-bad.yaml" --json
  schedulers >"$OUT/schedulers-after-bad.txt"
else
  schedulers >"$OUT/schedulers-boot2.txt"
  run vgchange vgchange -ay vg_t
  run lvs-boot2 lvs --reportformat json --units b --nosuffix -o vg_name,lv_name,lv_read_ahead,lv_kernel_read_ahead
  # /etc is a fresh tmpfs overlay in every boot: install the rule as a host keeps it in /etc, then
  # replay the add events udev sees at boot. The kernel's own default differs between boots (blk-mq
  # picks mq-deadline for a single hardware queue, none for several), so every disk is set to "none"
  # first: plan-b wants mq-deadline on NVMe, so only the rule can bring it, and any change to the
  # SCSI disk would show.
  for q in /sys/block/nvme*n*/queue/scheduler /sys/block/sd*/queue/scheduler; do echo none >"$q"; done
  schedulers >"$OUT/schedulers-boot2-reset.txt"
  run render-udev "${J[@]}" render udev --plan "$OUT/plan-b.yaml" --out-dir /etc/udev/rules.d
  run udev-reload udevadm control --reload
  run udev-trigger udevadm trigger --action=add --subsystem-match=block
  run udev-settle udevadm settle --timeout=30
  schedulers >"$OUT/schedulers-boot2-after.txt"
  run status-boot2 "${J[@]}" tune status --plan "$OUT/plan-b.yaml" --json
fi
echo done >"$OUT/done-$PHASE"
