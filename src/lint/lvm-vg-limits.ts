/**
 * LVM refusals that come from the volume group itself rather than from one volume: a VG owned by another
 * host (system ID, lvmsystemid(7)) and a VG's own LV/PV count limits (vgcreate -l/-p). Evaluated by
 * lvm-rules.ts (lintLvm) on the probed state; facts and sources in lvm-rule-table.ts, every refusal seen
 * on the test bed by the LVM-truth sweep (cases foreign-vg, lv-count-limit, pv-count-limit).
 *
 * What is counted against max_lv: each plan volume and thin pool the VG does not have yet (a thin pool is
 * one visible LV; its hidden _tdata/_tmeta are not counted — `lv_count` measured 2 for one LV and one
 * pool). Snapshots the plan's policies take later count too, and are named in the message.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import { fieldPath } from '../model/load-plan.js';
import type { DriveInfo, HostState } from '../model/host-state.js';
import type { Layout } from '../model/capacity.js';
import type { Finding } from '../model/actions.js';
import { rule } from './rules.js';

export type Emit = (id: string, path: (string | number)[], message: string) => void;

/** A finding emitter for rule `id` at the plan field `path` (file:line:col), the rule's fact appended. */
export function lvmEmitter(loaded: LoadedPlan, out: Finding[]): Emit {
  return (id, path, message) => {
    const r = rule(id);
    const p = loaded.locate(path);
    const f: Finding = { rule: id, severity: r.severity, message: `${message} — ${r.fact}`, source: r.source, file: loaded.file, field: fieldPath(path) };
    if (p) {
      f.line = p.line;
      f.col = p.col;
    }
    out.push(f);
  };
}

/** The drive a PV device sits on (the whole drive, its partition, or one of its /dev/disk/by-id links). */
export function driveOfPv(pv: string, drives: DriveInfo[]): DriveInfo | undefined {
  return drives.find((d) => d.path === pv || d.byIds.includes(pv)) ?? drives.find((d) => pv.startsWith(d.path) && /^p?\d+$/.test(pv.slice(d.path.length)));
}

/** Foreign VGs, LV and PV count limits: findings for the plan on this state. */
export function lintVgLimits(loaded: LoadedPlan, state: HostState, layout: Layout, emit: Emit): void {
  const { plan } = loaded;
  const foreign = state.foreignVgs ?? [];
  plan.volumeGroups.forEach((vg, g) => {
    // ---- another host's VG: by name, or on one of the plan's drives
    const sameName = foreign.find((f) => f.name === vg.name);
    if (sameName)
      emit(
        'JTS-LVM-VG-FOREIGN',
        ['volumeGroups', g, 'name'],
        `a volume group named ${vg.name} exists on this host's drives (${sameName.pvNames.join(', ')}) with the system ID of another host ("${sameName.systemId}"): LVM hides it from every report here, yet vgcreate of that name is refused ("A volume group called ${vg.name} already exists") and lvcreate in it "Cannot access VG". ` +
          `Ways out: if it is this host's, move it here (\`vgexport ${vg.name}\` on ${sameName.systemId}, then \`vgimport ${vg.name}\` here; lvmsystemid(7)); otherwise give the plan's VG another name`,
      );
    vg.drives.forEach((id, di) => {
      const d = layout.drives.get(id);
      if (!d) return;
      const owner = foreign.find((f) => f.pvNames.some((pv) => driveOfPv(pv, state.drives)?.path === d.path));
      if (!owner || owner === sameName) return;
      emit(
        'JTS-LVM-VG-FOREIGN',
        ['volumeGroups', g, 'drives', di],
        `drive ${id} (${d.path}) is a PV of volume group ${owner.name}, owned by host "${owner.systemId}" (\`pvs --foreign\`): LVM hides it here and pvcreate refuses it without -ff, which apply never runs, even with --allow-destroy. ` +
          `Ways out: use another drive; or, if the VG belongs here, \`vgexport ${owner.name}\` on ${owner.systemId} and \`vgimport ${owner.name}\` here; or, if its data is not wanted, remove it deliberately yourself (check \`pvs --foreign -o +vg_systemid\` first)`,
      );
    });

    const have = state.vgs.find((x) => x.name === vg.name);
    if (!have) return;
    // ---- LV count limit: new volumes and thin pools, then the snapshots the policies take
    if (have.maxLv) {
      const exists = (name: string) => state.lvs.some((l) => l.vgName === vg.name && l.name === name);
      const newPools = vg.thinPools.filter((tp) => !exists(tp.name)).map((tp) => tp.name);
      const newVols = plan.volumes.filter((v) => v.vg === vg.name && !exists(v.name)).map((v) => v.name);
      const snapVols = plan.volumes.filter((v) => v.vg === vg.name && v.snapshot).map((v) => v.name);
      const count = have.lvCount ?? 0;
      const after = count + newPools.length + newVols.length;
      const news = [...newPools.map((n) => `thin pool ${n}`), ...newVols];
      const withSnaps = after + snapVols.length;
      // The snapshot policies count even when nothing is new: `snapshot create` would be refused later.
      if (withSnaps > have.maxLv)
        emit(
          'JTS-LVM-MAX-LV',
          ['volumeGroups', g, 'name'],
          `volume group ${vg.name} allows ${have.maxLv} LVs (max_lv) and has ${count}; the plan adds ${news.length ? news.join(', ') : 'none'} (${after} then)` +
            `${snapVols.length ? ` and its snapshot policies one more each for ${snapVols.join(', ')} (${withSnaps})` : ''}: lvcreate refuses past ${have.maxLv} ("Maximum number of logical volumes (${have.maxLv}) reached in volume group ${vg.name}"). ` +
            `Way out: \`vgchange -l 0 ${vg.name}\` (unlimited, the lvm2 default), or a larger limit; or fewer volumes`,
        );
    }
    // ---- PV count limit
    if (have.maxPv) {
      const newDrives = vg.drives.filter((id) => {
        const d = layout.drives.get(id);
        return d && !have.pvNames.some((pv) => driveOfPv(pv, state.drives)?.path === d.path);
      });
      const count = have.pvCount ?? have.pvNames.length;
      if (newDrives.length && count + newDrives.length > have.maxPv)
        emit(
          'JTS-LVM-MAX-PV',
          ['volumeGroups', g, 'drives'],
          `volume group ${vg.name} allows ${have.maxPv} PVs (max_pv) and has ${count}; the plan adds ${newDrives.join(', ')}: vgextend refuses ("No space for … - volume group ${vg.name} holds max ${have.maxPv} physical volume(s)"). ` +
            `Way out: \`vgchange -p 0 ${vg.name}\` (unlimited, the lvm2 default), or a larger limit`,
        );
    }
  });
}
