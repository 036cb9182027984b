/**
 * The diff for physical volumes, volume groups and thin pools, and the checks on existing VGs (LVs the
 * plan does not name, free extents for what the plan draws). Pure: no Runner, no clock.
 */
import type { Action, Step } from '../model/actions.js';
import { isInternal, isSnapshot } from '../probe/lvm.js';
import { type DiffContext, exec, gib, lvmSizeArg, stableDrivePath } from './context.js';
import { renderThinPoolProfile, thinPoolProfileName } from '../render/lvm-profile.js';
import { parseBytes } from '../model/units.js';

/** Per VG / per "vg/pool": ids of the actions after which it exists (empty: it already does). */
export interface VolumeGroupsReady {
  vgReady: Map<string, string[]>;
  poolReady: Map<string, string[]>;
}

/** pvcreate / vgcreate / vgextend, then thin pools (lvcreate --type thin-pool, lvextend). */
export function diffVolumeGroups(ctx: DiffContext): VolumeGroupsReady {
  const { plan, state, layout, add, find, draw } = ctx;
  // ---------------------------------------------------------------- PVs and VGs
  /** vg name → id of the action after which the VG exists with all its PVs (or undefined: already). */
  const vgReady = new Map<string, string[]>();
  plan.volumeGroups.forEach((vg, vgIndex) => {
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    const existing = state.vgs.find((x) => x.name === vg.name);
    const pvPaths: string[] = [];
    const pvDeps: string[] = [];
    const newPvPaths: string[] = [];
    let unmatched = false;
    vg.drives.forEach((driveId, di) => {
      const info = layout.drives.get(driveId);
      const planDrive = plan.drives.find((d) => d.id === driveId);
      if (!info) {
        unmatched = true;
        return;
      }
      const path = stableDrivePath(planDrive, info);
      const pv = state.pvs.find((p) => p.name === info.path || info.byIds.includes(p.name) || p.name === path);
      if (pv && pv.vgName === vg.name) return; // already ours
      pvPaths.push(path);
      // A root drive is refused by resolveLayout (JTS-DRIVE-ROOT); the action still shows what would run.
      if (pv && pv.vgName === '') {
        // An orphan PV (pvcreate done, vgcreate not yet): continue from there.
        newPvPaths.push(path);
        return;
      }
      const contents: string[] = [];
      for (const p of info.partitions) contents.push(`partition ${p}`);
      for (const s of info.signatures) if (!(s === 'LVM2_member' && pv)) contents.push(`signature ${s}`);
      if (pv && pv.vgName) contents.push(`PV of volume group ${pv.vgName}`);
      const id = `pv:${driveId}:create`;
      const steps: Step[] = [exec(['pvcreate', '--dataalignment', lvmSizeArg(vgl?.dataAlignmentBytes ?? 4 * 1024 ** 2), path])];
      const a: Action = {
        id,
        kind: contents.length ? 'replace' : 'create',
        resource: `pv ${driveId}`,
        summary: `physical volume on ${path} (${info.path}, ${gib(info.sizeBytes)})`,
        steps,
        dependsOn: [],
      };
      if (contents.length) {
        a.destructive = { forcedBy: `drive ${driveId} is not blank`, loses: contents.join('; ') };
        find(
          'DIFF-DRIVE-NOT-BLANK',
          'warning',
          `drive ${driveId} (${info.path}) is not blank: ${contents.join('; ')}. Apply refuses to touch it unless run with --allow-destroy ${driveId}`,
          ['volumeGroups', vgIndex, 'drives', di],
        );
      }
      add('pv', a);
      pvDeps.push(id);
      newPvPaths.push(path);
    });
    if (unmatched) {
      // resolveLayout reported the drive (JTS-DRIVE-NOT-FOUND); without it the VG's commands are unknown.
      vgReady.set(vg.name, []);
      return;
    }
    if (!existing) {
      const id = `vg:${vg.name}:create`;
      add('vg', {
        id,
        kind: 'create',
        resource: `vg ${vg.name}`,
        summary: `volume group ${vg.name} on ${newPvPaths.length} drive(s), extent size ${lvmSizeArg(vgl?.extentSizeBytes ?? 4 * 1024 ** 2)}${vgl ? `, ${vgl.totalExtents} extents` : ''}`,
        steps: [exec(['vgcreate', '-s', lvmSizeArg(vgl?.extentSizeBytes ?? 4 * 1024 ** 2), vg.name, ...newPvPaths])],
        dependsOn: pvDeps,
      });
      vgReady.set(vg.name, [id]);
      return;
    }
    // A different extent size on an existing VG is resolveLayout's finding (JTS-VG-EXTENT); it computes with the VG's own.
    const extra = existing.pvNames.filter((p) => !vg.drives.some((d) => {
      const info = layout.drives.get(d);
      return info && (info.path === p || info.byIds.includes(p));
    }));
    if (extra.length) {
      find('DIFF-VG-EXTRA-PV', 'warning', `volume group ${vg.name} also has PV(s) the plan does not name: ${extra.join(', ')}. They stay (jts-storage never reduces a VG)`, ['volumeGroups', vgIndex, 'drives']);
    }
    if (newPvPaths.length) {
      const id = `vg:${vg.name}:extend`;
      add('vg', {
        id,
        kind: 'change',
        resource: `vg ${vg.name}`,
        summary: `add ${newPvPaths.join(', ')} to volume group ${vg.name}`,
        steps: [exec(['vgextend', vg.name, ...newPvPaths])],
        dependsOn: pvDeps,
      });
      vgReady.set(vg.name, [id]);
    } else vgReady.set(vg.name, []);
  });

  // ---------------------------------------------------------------- thin pools
  const poolReady = new Map<string, string[]>(); // "vg/pool" → deps
  for (const vg of plan.volumeGroups) {
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    vg.thinPools.forEach((tp) => {
      const key = `${vg.name}/${tp.name}`;
      const pl = vgl?.thinPools.find((p) => p.name === tp.name);
      const have = state.lvs.find((l) => l.vgName === vg.name && l.name === tp.name);
      const deps = vgReady.get(vg.name) ?? [];
      if (!pl || !vgl) {
        poolReady.set(key, deps);
        return;
      }
      // autoextend: an LVM metadata profile attached to the pool (render/lvm-profile.ts says why not lvm.conf).
      const profile = tp.autoextend ? renderThinPoolProfile(plan.name ?? 'plan', vg.name, tp.name, tp.autoextend) : undefined;
      const profileName = thinPoolProfileName(vg.name, tp.name);
      const profileStep = (): Step => ({ type: 'write-file', path: profile!.path, content: profile!.content, mode: profile!.mode, backup: true });
      if (!have) {
        const id = `pool:${key}:create`;
        const argv = ['lvcreate', '--type', 'thin-pool', '-l', String(pl.extents)];
        if (pl.metadataExtents > 0) argv.push('--poolmetadatasize', lvmSizeArg(pl.metadataExtents * vgl.extentSizeBytes));
        if (tp.chunkSize) argv.push('--chunksize', `${Math.round(parseBytes(tp.chunkSize) / 1024)}k`);
        if (profile) argv.push('--metadataprofile', profileName);
        argv.push('-n', tp.name, '--yes', vg.name);
        // LVM also allocates a pool metadata spare (lvol0_pmspare) the size of the metadata, once per VG.
        draw(vg.name, pl.extents + pl.metadataExtents * (state.lvs.some((l) => l.vgName === vg.name && /pmspare/.test(l.name)) ? 1 : 2));
        const auto = tp.autoextend ? `, autoextend +${tp.autoextend.percent} % past ${tp.autoextend.threshold} % (profile ${profileName})` : '';
        add('pool', {
          id,
          kind: 'create',
          resource: `pool ${key}`,
          summary: `thin pool ${key}, ${pl.extents} extents (${gib(pl.extents * vgl.extentSizeBytes)})${tp.chunkSize ? `, chunk ${tp.chunkSize}` : ''}${auto}`,
          steps: [...(profile ? [profileStep()] : []), exec(argv)],
          dependsOn: deps,
        });
        poolReady.set(key, [id]);
        return;
      }
      if (profile && have.profile !== profileName) {
        add('pool', {
          id: `pool:${key}:profile`,
          kind: 'change',
          resource: `pool ${key}`,
          summary: `autoextend of thin pool ${key}: +${tp.autoextend!.percent} % past ${tp.autoextend!.threshold} % (profile ${profileName}${have.profile ? `, now ${have.profile}` : ''})`,
          steps: [profileStep(), exec(['lvchange', '--metadataprofile', profileName, key])],
          dependsOn: deps,
        });
      }
      const haveExt = Math.round(have.sizeBytes / vgl.extentSizeBytes);
      if (haveExt < pl.extents) {
        const id = `pool:${key}:extend`;
        draw(vg.name, pl.extents - haveExt);
        add('pool', { id, kind: 'change', resource: `pool ${key}`, summary: `grow thin pool ${key} ${haveExt} → ${pl.extents} extents`, steps: [exec(['lvextend', '-l', String(pl.extents), `${vg.name}/${tp.name}`])], dependsOn: deps });
        poolReady.set(key, [id]);
        return;
      }
      poolReady.set(key, []);
    });
  }
  return { vgReady, poolReady };
}

/**
 * Warnings for LVs in the plan's VGs that the plan does not name, then whether what the plan draws
 * from each existing VG fits in its free extents. `planned` holds "vg/lv" of the plan's volumes.
 */
export function checkVolumeGroups(ctx: DiffContext, planned: Set<string>): void {
  const { plan, state, layout, find, drawn } = ctx;
  // LVs in the plan's VGs that the plan does not name: never destroyed.
  for (const vg of plan.volumeGroups) {
    const pools = new Set(vg.thinPools.map((p) => p.name));
    for (const lv of state.lvs.filter((l) => l.vgName === vg.name)) {
      if (planned.has(`${lv.vgName}/${lv.name}`) || pools.has(lv.name) || isSnapshot(lv) || isInternal(lv)) continue;
      const vgIndex = plan.volumeGroups.indexOf(vg);
      find('DIFF-UNMANAGED-LV', 'warning', `${lv.vgName}/${lv.name} (${gib(lv.sizeBytes)}) is in volume group ${vg.name} but not in the plan: it is left untouched (jts-storage never removes a volume)`, ['volumeGroups', vgIndex, 'name']);
    }
  }

  // Existing VGs: what the plan draws must fit in what is free NOW (LVs outside the plan, snapshots
  // and thin pools hold extents the layout's arithmetic may not know of).
  plan.volumeGroups.forEach((vg, vgIndex) => {
    const have = state.vgs.find((x) => x.name === vg.name);
    const need = drawn.get(vg.name) ?? 0;
    if (!have || need <= 0) return;
    const vgl = layout.vgs.find((l) => l.name === vg.name);
    // Thin volumes draw from their pool, not from the VG: not counted.
    const others = state.lvs.filter((l) => l.vgName === vg.name && !planned.has(`${l.vgName}/${l.name}`) && l.attr[0] !== 'V' && !isInternal(l));
    const ext = have.extentSizeBytes || 1;
    const othersTxt = others.length ? `; outside the plan: ${others.map((l) => `${l.name} ${Math.round(l.sizeBytes / ext)}`).join(', ')} extents` : '';
    // Drives the plan adds (vgextend runs before the volumes are made) give their extents too.
    const free = have.freeExtentCount + (vgl?.vgExtendExtents ?? 0);
    if (need > free) {
      find('DIFF-VG-NO-FREE', 'error', `volume group ${vg.name} has ${free} free extents (${gib(free * ext)})${free !== have.freeExtentCount ? ` with the drives this plan adds` : ''}; this plan needs ${need} (${gib(need * ext)}), ${need - free} more than free${othersTxt}. Reduce the sizes (or a "rest" volume) or remove what is not needed`, ['volumeGroups', vgIndex, 'name']);
    } else if (vgl && free - need < vgl.reserveExtents) {
      find('DIFF-VG-RESERVE-SHORT', 'warning', `after this plan volume group ${vg.name} keeps ${free - need} free extents (${gib((free - need) * ext)}), less than the snapshot reserve of ${vgl.reserveExtents}${othersTxt}`, ['volumeGroups', vgIndex, 'reserve']);
    }
  });
}
