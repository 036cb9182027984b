/**
 * The LVM refusals the plan predicts (lvm-rules.ts evaluates them): each a command LVM refuses on the
 * host state the plan meets, with LVM's own message and the source. Kept apart from rules.ts (mount and
 * mkfs facts) and spread into RULES there, so docs/lint-rules.md lists them too. Every message was seen
 * on the real kernel (lvm2 2.03.16, Debian 12) by scripts/sweep-lvm-truth.mjs where the sweep covers it
 * (test/fixtures/lvm-truth/).
 */
/** Same shape as rules.ts's RuleInfo (not imported: rules.ts imports this file). */
export const LVM_RULES: { id: string; severity: 'error' | 'warning' | 'info'; title: string; fact: string; source: string }[] = [
  {
    id: 'JTS-LVM-MIXED-BLOCK-SIZE',
    severity: 'error',
    title: 'One volume group over drives with different logical block sizes',
    fact: 'With lvm.conf allow_mixed_block_sizes=0 (the default) vgcreate/vgextend refuse PVs whose logical block sizes differ: "Devices have inconsistent logical block sizes (512 and 4096)" — after pvcreate has already run on every drive. A filesystem made on a 512-byte LV cannot simply move onto 4096-byte sectors either.',
    source: 'lvm.conf(5) devices/allow_mixed_block_sizes; lvm2 lib/metadata/metadata.c (vg_extend_each_pv); red-hat-storage/cephci issue 1536',
  },
  {
    id: 'JTS-LVM-ORIGIN-RESIZE',
    severity: 'error',
    title: 'Growing a volume that has a classic snapshot',
    fact: 'lvextend/lvresize refuse an active origin of a classic (COW) snapshot: "Snapshot origin volumes can be resized only while inactive: try lvchange -an." Thin snapshots do not block a resize of their thin origin.',
    source: 'lvm2 lib/metadata/lv_manip.c (lv_resize); lvmthin(7) "Thin snapshots"; sodafoundation/api issue 495',
  },
  {
    id: 'JTS-LVM-VG-PARTIAL',
    severity: 'error',
    title: 'The volume group misses a physical volume',
    fact: 'While a PV of a VG is missing (vg_attr p, PV "[unknown]") LVM refuses metadata changes to the VG — lvcreate, lvextend, lvremove, snapshots: "Cannot change VG … while PVs are missing" — and I/O to LVs with extents on the missing PV fails.',
    source: 'vgs(8) vg_attr bit 4 "(p)artial"; lvm(8); vgreduce(8) --removemissing',
  },
  {
    id: 'JTS-LVM-VG-EXPORTED',
    severity: 'error',
    title: 'The volume group is exported',
    fact: 'An exported VG (vgexport, vg_attr x) cannot be activated or changed until vgimport: every lvcreate/lvextend/vgextend on it fails with "Volume group … is exported".',
    source: 'vgexport(8), vgimport(8); vgs(8) vg_attr bit 3 "e(x)ported"',
  },
  {
    id: 'JTS-LVM-THIN-POOL-FULL',
    severity: 'error',
    title: 'New thin volumes or thin snapshots in a full thin pool',
    fact: 'lvcreate refuses a new thin volume or thin snapshot in a pool whose data or metadata use has reached activation/thin_pool_autoextend_threshold (100 % by default): "Cannot create new thin volume, free space in thin pool … reached threshold". A pool at 100 % data stops (or errors) every write to its thin volumes.',
    source: 'lvmthin(7) "Thin pool overprovisioning", "Metadata check and repair"; lvm2 lib/metadata/lv_manip.c (pool_below_threshold)',
  },
  {
    id: 'JTS-THIN-NO-AUTOEXTEND',
    severity: 'warning',
    title: 'A thin pool with snapshotted volumes and no autoextend',
    fact: 'Thin snapshots share the pool: every block the origin changes after a snapshot takes a new chunk, so the pool fills as the databases write. Without autoextend (dmeventd + activation/thin_pool_autoextend_threshold below 100) nothing grows it before 100 %, where every thin volume in it stops.',
    source: 'lvmthin(7) "Automatically extend thin pool LV", "Data space exhaustion"',
  },
  {
    id: 'JTS-THIN-AUTOEXTEND-STEP',
    severity: 'warning',
    title: "A thin pool's autoextend step does not fit the volume group's free space",
    fact: 'When data or metadata use passes thin_pool_autoextend_threshold, dmeventd runs `lvextend --use-policies`, which asks for thin_pool_autoextend_percent of the pool\'s CURRENT size (rounded up to whole extents), and as much again of its metadata (plus the metadata spare, which LVM keeps as large as the largest pool metadata) when metadata passed it, all from the VG\'s free extents. A step larger than what is free cannot be allocated as asked ("Insufficient free space"), and a VG with no free extents can never grow the pool: it fills to 100 %, where every thin volume in it stops.',
    source: 'lvm.conf(5) activation/thin_pool_autoextend_percent ("percent of its current size"); lvmthin(7) "Automatic extend settings", "Data space exhaustion"; lvm2 lib/metadata/lv_manip.c (_adjust_policy_params, percent_of_extents rounds a relative extension up)',
  },
  {
    id: 'JTS-LVM-ACTIVATION-SKIP',
    severity: 'error',
    title: 'A plan volume carries the activation-skip flag',
    fact: 'An LV with the persistent activation-skip flag (lv_attr[9] "k"; set by lvcreate -ky, and by default on every thin snapshot) is skipped by normal activation: `lvchange -ay` and `vgchange -ay` at boot exit 0 and leave it inactive, so its /dev node is absent and its mount fails (with nofail: silently). Only -K (--ignoreactivationskip) activates it once; `lvchange -kn` clears the flag for good.',
    source: 'lvmthin(7) "Thin snapshots", "Activation skip"; lvchange(8) -k/--setactivationskip, -K/--ignoreactivationskip; lvs(8) lv_attr bit 10; LVM-truth sweep (activation-skip: lvchange -ay left lv_active empty)',
  },
  {
    id: 'JTS-LVM-VG-FOREIGN',
    severity: 'error',
    title: 'A drive or volume group name belongs to another host (LVM system ID)',
    fact: 'A VG whose system ID is another host\'s is foreign: LVM hides it and its PVs from every report without --foreign and refuses to change it. pvcreate on one of its drives is refused without -ff ("Can\'t initialize physical volume … of volume group … without -ff"), which apply never passes; vgcreate of its name on another drive is refused ("A volume group called … already exists") and lvcreate/lvextend/vgextend in it "Cannot access VG … with system ID …".',
    source: 'lvmsystemid(7) "foreign VG", "vgexport/vgimport"; pvcreate(8) -f; LVM-truth sweep (foreign-vg)',
  },
  {
    id: 'JTS-LVM-MAX-LV',
    severity: 'error',
    title: 'The volume group\'s LV limit is reached',
    fact: 'A VG made with vgcreate -l N (or vgchange -l N) holds at most N visible LVs (a thin pool counts one, each snapshot one): lvcreate beyond it is refused ("Maximum number of logical volumes (N) reached in volume group"). 0, the default, is unlimited.',
    source: 'vgcreate(8) -l/--maxlogicalvolumes; vgchange(8) -l; vgs(8) max_lv, lv_count; LVM-truth sweep (lv-count-limit)',
  },
  {
    id: 'JTS-LVM-MAX-PV',
    severity: 'error',
    title: 'The volume group\'s PV limit is reached',
    fact: 'A VG made with vgcreate -p N (or vgchange -p N) holds at most N PVs: vgextend beyond it is refused ("No space for … - volume group … holds max N physical volume(s)"). 0, the default, is unlimited.',
    source: 'vgcreate(8) -p/--maxphysicalvolumes; vgchange(8) -p; vgs(8) max_pv, pv_count; LVM-truth sweep (pv-count-limit)',
  },
];
