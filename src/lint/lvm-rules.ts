/**
 * LVM refusals predicted at plan time: what vgcreate/vgextend/lvcreate/lvextend would refuse on the host
 * state the plan meets (rules in lvm-rule-table.ts, facts and sources there). Each finding names the
 * objects and the ways out, so `plan` exits 1 before a single pvcreate runs instead of `apply` failing
 * half-way. Evaluated by lint.ts (lintPlan) on the probed or described state and the resolved layout.
 *
 * What is checked (state → refusal):
 *   - drives of one VG (planned, or already PVs of it) with different logical block sizes → vgcreate /
 *     vgextend "Devices have inconsistent logical block sizes" (lvm.conf allow_mixed_block_sizes=0);
 *   - a volume the plan grows that has a classic snapshot → lvextend "Snapshot origin volumes can be
 *     resized only while inactive";
 *   - a plan VG that exists partial (a PV missing) or exported → every change to it refused;
 *   - a thin pool at 100 % data or metadata where the plan creates thin volumes → lvcreate refused.
 *   - a thin pool whose one autoextend step (percent of its size, + metadata and spare) does not fit the VG's
 *     free extents after the plan (or that has none): dmeventd's lvextend cannot grow it, it fills to 100 %.
 *   - a plan volume that exists with the activation-skip flag (lv_attr[9] k) → `lvchange -ay`/`vgchange -ay`
 *     (boot) leave it inactive without an error, so its mount fails.
 *   - a VG of another host (system ID) by name or on a plan drive, and a VG's own LV/PV count limits
 *     (vgcreate -l/-p; 0, the default, is unlimited, but a VG made elsewhere may carry one): lvm-vg-limits.ts.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import type { DriveInfo, HostState, LvInfo } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import { formatBytes } from '../model/units.js';
import { driveOfPv, lintVgLimits, lvmEmitter } from './lvm-vg-limits.js';

/** The thin pool fill at which lvcreate refuses new thin LVs (activation/thin_pool_autoextend_threshold default 100). */
export const THIN_POOL_REFUSE_PERCENT = 100;

const isClassicSnapshot = (l: LvInfo) => l.attr[0] === 's' || l.attr[0] === 'S';

/**
 * The extents one `lvextend --use-policies` of a thin pool asks for (lvm2 lib/metadata/lv_manip.c
 * _adjust_policy_params): `percent` % of the pool's current data extents, rounded up (percent_of_extents
 * rounds a relative extension up), plus — when metadata passed the threshold too — `percent` % of the
 * metadata, rounded up to extents, twice (the metadata LV and the spare, which LVM keeps as large as the
 * largest pool metadata of the VG). Inputs in extents; percent an integer ≥ 1 (plan schema).
 */
export function autoextendStep(poolExtents: number, metadataExtents: number, percent: number): { data: number; metadata: number; total: number } {
  const data = Math.ceil((poolExtents * percent) / 100);
  const metadata = 2 * Math.ceil((metadataExtents * percent) / 100);
  return { data, metadata, total: data + metadata };
}

/** The largest integer percent (1–1000, the schema's range) whose autoextendStep fits in `free` extents; 0 when none does. */
export function maxFittingPercent(poolExtents: number, metadataExtents: number, free: number): number {
  let best = 0;
  for (let p = 1; p <= 1000 && autoextendStep(poolExtents, metadataExtents, p).total <= free; p++) best = p;
  return best;
}

/** All LVM-refusal findings for the plan on this state, located at file:line:col. */
export function lintLvm(loaded: LoadedPlan, state: HostState, layout: Layout): Finding[] {
  const { plan } = loaded;
  const out: Finding[] = [];
  const emit = lvmEmitter(loaded, out);
  lintVgLimits(loaded, state, layout, emit);

  plan.volumeGroups.forEach((vg, g) => {
    // ---- mixed logical block sizes: the plan's drives plus the VG's existing PVs
    const members: { label: string; drive: DriveInfo }[] = [];
    for (const id of vg.drives) {
      const d = layout.drives.get(id);
      if (d) members.push({ label: `${id} (${d.path})`, drive: d });
    }
    const have = state.vgs.find((x) => x.name === vg.name);
    for (const pv of have?.pvNames ?? []) {
      const d = driveOfPv(pv, state.drives);
      if (d && !members.some((m) => m.drive.path === d.path)) members.push({ label: `${pv} (already a PV of ${vg.name})`, drive: d });
    }
    const sizes = [...new Set(members.map((m) => m.drive.logicalSectorSize))].sort((a, b) => a - b);
    if (sizes.length > 1) {
      const list = members.map((m) => `${m.label} ${m.drive.logicalSectorSize}-byte`).join(', ');
      emit(
        'JTS-LVM-MIXED-BLOCK-SIZE',
        ['volumeGroups', g, 'drives'],
        `volume group ${vg.name} spans drives with different logical block sizes: ${list}; vgcreate would refuse ("Devices have inconsistent logical block sizes (${sizes.join(' and ')})") after pvcreate ran on each. ` +
          `Ways out: one volume group per block size; or reformat one drive to the other's LBA format (nvme format --lbaf=N, destroys its data; \`nvme id-ns -H\` lists the formats); ` +
          `or set allow_mixed_block_sizes=1 in lvm.conf at your own risk (a filesystem with 512-byte blocks cannot extend onto the 4096-byte drive)`,
      );
    }

    if (!have) return;
    // ---- exported / partial VG
    if (have.attr?.[2] === 'x')
      emit(
        'JTS-LVM-VG-EXPORTED',
        ['volumeGroups', g, 'name'],
        `volume group ${vg.name} is exported on this host (vg_attr ${have.attr}): nothing in it can be created, grown or activated. Way out: \`vgimport ${vg.name}\` (if its drives belong to this host), then plan again`,
      );
    const missing = state.pvs.filter((p) => p.vgName === vg.name && p.missing);
    if (have.attr?.[3] === 'p' || missing.length) {
      const partial = state.lvs.filter((l) => l.vgName === vg.name && l.attr[8] === 'p').map((l) => l.name);
      emit(
        'JTS-LVM-VG-PARTIAL',
        ['volumeGroups', g, 'name'],
        `volume group ${vg.name} misses ${missing.length || 'a'} physical volume${missing.length > 1 ? 's' : ''} (vg_attr ${have.attr ?? '?'})${partial.length ? `; partial LVs: ${partial.join(', ')}` : ''}: LVM refuses every change to it. ` +
          `Ways out: put the drive back and \`vgchange -ay ${vg.name}\`; or, if it is dead, restore what was on it and \`vgreduce --removemissing ${vg.name}\` (drops the LVs on it), then plan again`,
      );
    }

    // ---- full thin pools that the plan creates thin volumes in
    vg.thinPools.forEach((tp, k) => {
      const pool = state.lvs.find((l) => l.vgName === vg.name && l.name === tp.name && l.attr[0] === 't');
      if (!pool) return;
      const full = [
        ['data', pool.dataPercent],
        ['metadata', pool.metadataPercent],
      ].filter(([, v]) => typeof v === 'number' && (v as number) >= THIN_POOL_REFUSE_PERCENT) as [string, number][];
      if (!full.length) return;
      const newThin = plan.volumes.filter((v) => v.vg === vg.name && v.thinPool === tp.name && !state.lvs.some((l) => l.vgName === vg.name && l.name === v.name));
      const thinSnaps = plan.volumes.filter((v) => v.vg === vg.name && v.thinPool === tp.name && v.snapshot?.type === 'thin');
      if (!newThin.length && !thinSnaps.length) return;
      emit(
        'JTS-LVM-THIN-POOL-FULL',
        ['volumeGroups', g, 'thinPools', k],
        `thin pool ${vg.name}/${tp.name} is full (${full.map(([w, v]) => `${w} ${v} %`).join(', ')}): lvcreate refuses ${[
          newThin.length ? `the new thin volume${newThin.length > 1 ? 's' : ''} ${newThin.map((v) => v.name).join(', ')}` : '',
          thinSnaps.length ? `thin snapshots of ${thinSnaps.map((v) => v.name).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' and ')} ("free space in thin pool reached threshold"), and writes to its thin volumes stop. ` +
          `Ways out: grow the pool (\`lvextend -L +SIZE ${vg.name}/${tp.name}\`${full.some(([w]) => w === 'metadata') ? `, \`lvextend --poolmetadatasize +SIZE ${vg.name}/${tp.name}\`` : ''}) or give it a larger size in the plan; remove thin snapshots (jts-storage snapshot prune); fstrim its filesystems`,
      );
    });
  });

  // ---- growing an origin of classic snapshots
  plan.volumes.forEach((v, i) => {
    const lv = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    if (!lv || isClassicSnapshot(lv)) return;
    const want = layout.vgs.find((x) => x.name === v.vg)?.volumes.find((x) => x.name === v.name);
    const wantBytes = want ? (want.virtualSizeBytes ?? want.sizeBytes) : undefined;
    if (wantBytes === undefined || wantBytes <= lv.sizeBytes) return;
    const snaps = state.lvs.filter((l) => l.vgName === v.vg && l.origin === v.name && isClassicSnapshot(l));
    if (!snaps.length) return;
    emit(
      'JTS-LVM-ORIGIN-RESIZE',
      ['volumes', i, 'size'],
      `${v.vg}/${v.name} grows from ${formatBytes(lv.sizeBytes)} to ${formatBytes(wantBytes)} but has ${snaps.length} classic snapshot${snaps.length > 1 ? 's' : ''} (${snaps.map((s) => s.name).join(', ')}): ` +
        `lvextend refuses ("Snapshot origin volumes can be resized only while inactive: try lvchange -an."). Ways out: ` +
        `(1) remove the snapshots first (\`jts-storage snapshot prune\`, or \`lvremove ${snaps.map((s) => `${v.vg}/${s.name}`).join(' ')}\`; export one first if you need it), then apply; ` +
        `(2) merge one back if you want its content (\`lvconvert --merge ${v.vg}/${snaps[0]!.name}\`); ` +
        `(3) grow offline: stop its users, umount, \`lvchange -an ${v.vg}/${v.name}\`, lvextend, \`lvchange -ay\`, then grow the filesystem; ` +
        `(4) make the volume thin (thinPool:) so its snapshots are thin and never block lvextend (docs/decisions.md, "Growth with snapshots")`,
    );
  });

  // ---- thin pools: virtual sizes against what the pool and the VG can back; autoextend
  plan.volumeGroups.forEach((vg, g) => {
    const vgl = layout.vgs.find((x) => x.name === vg.name);
    // A VG that does not fit has its capacity error; its "rest" pool is no measure of anything then.
    if (!vgl || vgl.complete === false || vgl.shortfallBytes > 0) return;
    const ext = vgl.extentSizeBytes;
    vg.thinPools.forEach((tp, k) => {
      const pl = vgl.thinPools.find((p) => p.name === tp.name);
      if (!pl) return;
      const planned = plan.volumes.filter((v) => v.vg === vg.name && v.thinPool === tp.name);
      const virt = planned.reduce((a, v) => {
        const vl = vgl.volumes.find((x) => x.name === v.name);
        return a + (vl ? (vl.virtualSizeBytes ?? vl.sizeBytes) : 0);
      }, 0);
      // Thin volumes already in the pool that the plan does not name (not snapshots: health watches those).
      const others = state.lvs.filter((l) => l.vgName === vg.name && l.poolLv === tp.name && l.attr[0] === 'V' && !l.origin && !planned.some((v) => v.name === l.name));
      const total = virt + others.reduce((a, l) => a + l.sizeBytes, 0);
      const poolBytes = pl.extents * ext;
      const freeBytes = Math.max(vgl.freeExtents, 0) * ext;
      const what = `thin volumes in ${vg.name}/${tp.name}: ${[...planned.map((v) => v.name), ...others.map((l) => `${l.name} (not in the plan)`)].join(', ')} = ${formatBytes(total)} virtual`;
      if (total > poolBytes + freeBytes) {
        emit(
          'JTS-THIN-OVERCOMMIT',
          ['volumeGroups', g, 'thinPools', k, 'size'],
          `${what}, more than the pool (${formatBytes(poolBytes)}) and the VG's free space autoextend could add (${formatBytes(freeBytes)}) together: they cannot all be written (missing ${formatBytes(total - poolBytes - freeBytes)}). Ways out: a larger pool or smaller volumes in the plan, or more drives in ${vg.name}`,
        );
        out[out.length - 1]!.severity = 'error'; // not backed even by autoextend
      } else if (total > poolBytes) {
        emit(
          'JTS-THIN-OVERCOMMIT',
          ['volumeGroups', g, 'thinPools', k, 'size'],
          `${what}, more than the pool's ${formatBytes(poolBytes)}: they can be written only if autoextend takes ${formatBytes(total - poolBytes)} of the VG's ${formatBytes(freeBytes)} free${tp.autoextend ? '' : ' — and this pool has no autoextend'}. Keep the health threshold on the pool's fill (docs/health.md)`,
        );
      }
      const disabled = tp.autoextend !== undefined && tp.autoextend.threshold >= 100;
      if ((!tp.autoextend || disabled) && planned.some((v) => v.snapshot))
        emit(
          'JTS-THIN-NO-AUTOEXTEND',
          ['volumeGroups', g, 'thinPools', k],
          `thin pool ${vg.name}/${tp.name} holds volumes with snapshot policies (${planned.filter((v) => v.snapshot).map((v) => v.name).join(', ')}) but has no autoextend${disabled ? ' (threshold 100 disables it: lvm.conf(5))' : ''}: add \`autoextend: { threshold: 80, percent: 20 }\` (an LVM profile attached to the pool; dmeventd extends it from the VG's free space) and keep VG space free for it (reserve)`,
        );
      // ---- one autoextend step must fit what the VG keeps free after the plan (and its classic snapshots)
      if (tp.autoextend && !disabled) {
        const host = state.lvs.find((l) => l.vgName === vg.name && l.name === tp.name && l.attr[0] === 't');
        const poolExtents = Math.max(pl.extents, host ? Math.ceil(host.sizeBytes / ext) : 0);
        const free = Math.max(vgl.freeExtents - (vgl.snapshotCowExtents ?? 0), 0);
        const step = autoextendStep(poolExtents, pl.metadataExtents, tp.autoextend.percent);
        if (step.total > free) {
          const cow = vgl.snapshotCowExtents ? ` (after the ${vgl.snapshotCowExtents} extents the classic snapshot policies can hold)` : '';
          const head = `thin pool ${vg.name}/${tp.name} (${formatBytes(poolExtents * ext)}) autoextends by ${tp.autoextend.percent} % past ${tp.autoextend.threshold} %`;
          const fitting = maxFittingPercent(poolExtents, pl.metadataExtents, free);
          const more = formatBytes((step.total - free) * ext);
          emit(
            'JTS-THIN-AUTOEXTEND-STEP',
            ['volumeGroups', g, 'thinPools', k, 'autoextend', 'percent'],
            free === 0
              ? `${head}, but ${vg.name} keeps no free extents after the plan${cow}: the pool can never grow, and it fills to 100 % where every thin volume in it stops. ` +
                  `Ways out: keep VG space free for it (\`reserve:\` on ${vg.name}, e.g. 10%, which a \`rest\` pool gives up), a pool size smaller than what is left, or another drive in ${vg.name}`
              : `${head}: one step asks for ${step.data} extents (${formatBytes(step.data * ext)})${step.metadata ? ` + ${step.metadata} for metadata and its spare` : ''} = ${step.total}, but ${vg.name} keeps only ${free} free after the plan${cow} (${formatBytes(free * ext)}): ` +
                  `the first autoextend cannot be allocated as asked and the pool fills towards 100 %, where every thin volume in it stops. Ways out: ` +
                  `${fitting > 0 ? `lower autoextend.percent to ${fitting} or less (one step then fits); ` : ''}keep ${more} more free (a larger \`reserve:\`; a \`rest\` pool shrinks by as much, so a little less does); a smaller pool; or another drive in ${vg.name}`,
          );
        }
      }
    });
  });

  // ---- activation skip on a volume the plan expects active (and mounted)
  plan.volumes.forEach((v, i) => {
    const lv = state.lvs.find((l) => l.vgName === v.vg && l.name === v.name);
    if (!lv || isClassicSnapshot(lv) || lv.attr[9] !== 'k') return;
    const key = `${v.vg}/${v.name}`;
    const active = lv.attr[4] === 'a';
    emit(
      'JTS-LVM-ACTIVATION-SKIP',
      ['volumes', i, 'name'],
      `${key} has the activation-skip flag (lv_attr ${lv.attr})${lv.origin ? `; it is a thin snapshot of ${v.vg}/${lv.origin}` : ''}: ` +
        `${active ? 'it is active now, but ' : 'it is inactive, and '}\`lvchange -ay\` and the boot's \`vgchange -ay\` leave it inactive without an error, so ${v.mount ? `${v.mount.path} is not mounted after a reboot` : 'its device node is absent after a reboot'}. ` +
        `Ways out: clear the flag for good (\`lvchange -kn ${key}\`, then \`lvchange -ay ${key}\`) and plan again; or activate it once with \`lvchange -ay -K ${key}\` (the flag stays, the next boot skips it again)`,
    );
  });
  return out;
}
