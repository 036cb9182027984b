/**
 * Exact LVM arithmetic: which drive is which, how many extents each PV gives, how many each volume takes.
 *
 * PV data start (lvm2 2.03, lib/format_text/format-text.c _text_pv_add_metadata_area, lib/metadata/
 * metadata.c set_pe_align, tools get_default_pvmetadatasize_sectors; pvcreate(8) "Metadata location"):
 *   - the first metadata area starts at the page size (4 KiB);
 *   - its default size is 1 MiB − 4 KiB, "so the default pe_start is consistently 1 MiB";
 *   - pvcreate --dataalignment A: pe_start = (mda_start + mda_size) rounded UP to a multiple of A (A replaces
 *     the default 1 MiB alignment and the sysfs topology detection), then + --dataalignmentoffset.
 *   - extents = floor((device bytes, whole 512-byte sectors − pe_start) / extent size). One metadata copy
 *     (the default, pvmetadatacopies 1) sits before pe_start, none at the end.
 * With --dataalignment 4m and 4 MiB extents a 4,000,000,000,000-byte drive gives pe_start 4 MiB and
 * floor((4e12 − 4 MiB) / 4 MiB) = 953,673 extents: the figure measured with lvm2 2.03.16 (seed-defects.md).
 *
 * Volume sizes (lvcreate(8), lvm2 tools/lvcreate.c, lib/misc/lvm-percent.c):
 *   - absolute sizes round UP to whole extents ("Rounding up size to full physical extent");
 *   - `N%` is `-l N%VG`: floor(N × VG extents / 100) (percent_of_extents(..., roundup=0));
 *   - `rest` is what is left after every other volume, the thin pools (data + metadata + the pool metadata
 *     spare LVM adds) and the reserve;
 *   - the reserve rounds UP (keeping more free is the safe side).
 * Thin pool metadata, when not given, is estimated as lvm2 does (thin_pool_chunk_size_policy "generic"):
 * 64 bytes per chunk, chunk starting at 64 KiB and doubling until metadata <= 128 MiB, at least 2 MiB,
 * rounded up to extents; the diff passes the result explicitly (--poolmetadatasize) so LVM agrees.
 */
import type { Plan, Volume } from './plan-schema.js';
import type { HostState, DriveInfo } from './host-state.js';
import type { Finding } from './actions.js';
import type { LoadedPlan } from './load-plan.js';
import { parseBytes, trySize, type SizeSpec, ceilDiv, formatBytes, formatShortfall } from './units.js';
import { peStartBytes, pvExtents, percentExtents, thinMetadataBytes } from './lvm-extents.js';
import { matchDrive } from './drive-match.js';
import { foreignUse, type ForeignLv } from './foreign-use.js';
import { vgExtendExtents } from './vg-extend.js';
import { parseFieldPath } from './field-path.js';

export { PV_MDA_START, PV_DEFAULT_MDA_SIZE, peStartBytes, pvExtents, percentExtents, thinMetadataBytes } from './lvm-extents.js';
export { matchDrive, type DriveMatch } from './drive-match.js';
export { foreignUse, type ForeignLv } from './foreign-use.js';
export { parseFieldPath } from './field-path.js';

export interface VolumeLayout {
  name: string;
  vg: string;
  /** Extents drawn from the VG (for thin volumes: the virtual size in extents, NOT drawn from the VG). */
  extents: number;
  sizeBytes: number;
  thinPool?: string;
  /** For thin volumes: virtual size, not drawn from VG extents. */
  virtualSizeBytes?: number;
  /** How the size was given: "bytes", "percent", "rest". */
  sizeKind?: 'bytes' | 'percent' | 'rest';
}
export interface VgLayout {
  name: string;
  extentSizeBytes: number;
  dataAlignmentBytes: number;
  pvs: { driveId: string; path: string; sizeBytes: number; extents: number; peStartBytes?: number }[];
  totalExtents: number;
  reserveExtents: number;
  /** Extents of volumes (+ thin pools) */
  usedExtents: number;
  freeExtents: number;
  volumes: VolumeLayout[];
  thinPools: { name: string; extents: number; metadataExtents: number }[];
  /** Bytes missing to fit the plan, when it does not. */
  shortfallBytes: number;
  /** Pool metadata spare (lvol0_pmspare) extents, when the VG has thin pools. */
  pmspareExtents?: number;
  /** Copy-on-write extents the volumes' classic snapshot policies can hold at once (upper bound). */
  snapshotCowExtents?: number;
  /** True when the VG already exists on the host and its real extent count was used. */
  existing?: boolean;
  /** Existing VG: extents of the plan's drives that vgextend adds (counted in totalExtents). */
  vgExtendExtents?: number;
  /**
   * Existing VG: extents held by what the plan does not manage (LVs it does not name, classic snapshots'
   * copy-on-write space, foreign thin pools with their hidden metadata, the pool metadata spare when the
   * plan has no pool). Counted as used: a "rest" volume never grows into them. 0 for a new VG.
   */
  foreignExtents?: number;
  /** The visible LVs behind foreignExtents (hidden ones are summed as "hidden"). */
  foreignLvs?: ForeignLv[];
  /** False when a drive of this VG was not found: the arithmetic is partial. */
  complete?: boolean;
}
export interface Layout {
  vgs: VgLayout[];
  /** Plan drive id → the probed/described drive it matched. */
  drives: Map<string, DriveInfo>;
  findings: Finding[];
}

/** Retained classic snapshots at once, upper bound: every retention bucket full and none shared. */
export function maxConcurrentSnapshots(v: Volume): number {
  const r = v.snapshot?.retention;
  if (!r) return 0;
  return Math.max(1, r.keepLast + r.hourly + r.daily + r.weekly + r.monthly);
}

export function resolveLayout(plan: Plan, state: HostState, loaded?: Pick<LoadedPlan, 'file' | 'locate'>): Layout {
  const findings: Finding[] = [];
  const add = (rule: string, severity: Finding['severity'], field: string, message: string, source?: string) => {
    const f: Finding = { rule, severity, message, field };
    if (source) f.source = source;
    if (loaded) {
      f.file = loaded.file;
      const p = loaded.locate(parseFieldPath(field));
      if (p) Object.assign(f, { line: p.line, col: p.col });
    }
    findings.push(f);
  };

  // 1. Drives
  const drives = new Map<string, DriveInfo>();
  const claimedBy = new Map<string, string>();
  plan.drives.forEach((d, i) => {
    const m = matchDrive(d, state.drives);
    if (m.candidates) {
      add('JTS-DRIVE-AMBIGUOUS', 'error', `drives[${i}]`, `drive "${d.id}": ${m.problem}`, 'nvme(1) / NVMe spec: one controller serial, several namespaces; systemd rules.d/60-persistent-storage.rules');
      return;
    }
    if (!m.drive) {
      add(
        'JTS-DRIVE-NOT-FOUND',
        'error',
        `drives[${i}]`,
        `drive "${d.id}" not found on ${state.source === 'described' ? 'the described host' : 'this host'}: ${m.problem}. ` +
          `Drives present: ${state.drives.map((x) => `${x.path}${x.serial ? ` (serial ${x.serial})` : ''}`).join(', ') || 'none'}`,
      );
      return;
    }
    if (m.problem) {
      add('JTS-DRIVE-IDENTITY-CONFLICT', 'error', `drives[${i}]`, `drive "${d.id}": ${m.problem}`);
      return;
    }
    if (m.drive.isRootDisk) {
      // Never a target, whatever the options: no --allow-destroy hint, and no action is planned on it.
      add(
        'JTS-DRIVE-ROOT',
        'error',
        `drives[${i}]`,
        `drive "${d.id}" (${m.drive.path}) holds the running system (${m.drive.mountpoints.filter((x) => x.startsWith('/') || x === '[SWAP]').join(', ') || 'a physical volume of the system volume group'}); it can never become a data PV: remove it from the plan and name a data drive`,
      );
      return;
    }
    const prev = claimedBy.get(m.drive.path);
    if (prev) {
      add('JTS-DRIVE-IDENTITY-CONFLICT', 'error', `drives[${i}]`, `drive "${d.id}" matches ${m.drive.path}, which plan drive "${prev}" already matched`);
      return;
    }
    claimedBy.set(m.drive.path, d.id);
    drives.set(d.id, m.drive);
    if (m.by === 'path') {
      add(
        'JTS-DRIVE-UNSTABLE-NAME',
        'warning',
        `drives[${i}].path`,
        `drive "${d.id}" is matched only by its kernel name ${d.path}: NVMe/SCSI kernel names are assigned in probe order and can change across boots when there are several drives; ` +
          `name it by ${m.drive.byIds[0] ? `byId: ${m.drive.byIds[0]}` : m.drive.serial ? `serial: ${m.drive.serial}` : 'a /dev/disk/by-id link, serial or WWN'}`,
        'udev(7) persistent device naming; kernel Documentation/admin-guide/devices.rst',
      );
    }
  });

  // 2. Volume groups
  const vgs: VgLayout[] = [];
  plan.volumeGroups.forEach((vg, vgIdx) => {
    let extentSize: number;
    let alignment: number;
    try {
      extentSize = parseBytes(vg.extentSize);
      alignment = parseBytes(vg.dataAlignment);
    } catch {
      return; // load-plan already reported it
    }
    const existing = state.vgs.find((x) => x.name === vg.name);
    const pvs: VgLayout['pvs'] = [];
    let complete = true;
    for (const id of vg.drives) {
      const d = drives.get(id);
      if (!d) {
        complete = false;
        continue;
      }
      const pe = peStartBytes(alignment);
      pvs.push({ driveId: id, path: d.path, sizeBytes: d.sizeBytes, extents: pvExtents(d.sizeBytes, extentSize, alignment), peStartBytes: pe });
      if (d.physicalSectorSize > extentSize) {
        add('JTS-VG-EXTENT', 'error', `volumeGroups[${vgIdx}].extentSize`, `extent size ${vg.extentSize} is smaller than ${d.path}'s physical sector (${d.physicalSectorSize} bytes); vgcreate refuses it`);
      }
    }
    let total = pvs.reduce((a, p) => a + p.extents, 0);
    let addedExtents = 0;
    if (existing) {
      if (existing.extentSizeBytes !== extentSize) {
        add(
          'JTS-VG-EXTENT',
          'warning',
          `volumeGroups[${vgIdx}].extentSize`,
          `volume group ${vg.name} exists with ${formatBytes(existing.extentSizeBytes)} extents, the plan says ${vg.extentSize}; the existing extent size is used for the arithmetic`,
        );
        extentSize = existing.extentSizeBytes;
      }
      // The plan's new drives join the VG (vgextend) before its volumes are made: their extents count.
      addedExtents = vgExtendExtents(vg.name, pvs.map((p) => ({ ...p, byIds: drives.get(p.driveId)?.byIds ?? [] })), state, extentSize, alignment);
      total = existing.extentCount + addedExtents;
    }

    const reserveSpec = /^0+(\.0+)?\s*([A-Za-z]*|%)$/.test(vg.reserve.trim()) ? undefined : safeSize(vg.reserve);
    const reserveExtents =
      !reserveSpec || reserveSpec.kind === 'rest'
        ? 0
        : reserveSpec.kind === 'percent'
          ? Math.ceil((reserveSpec.percent * total) / 100)
          : ceilDiv(reserveSpec.bytes, extentSize);

    // Thin pools
    const pools: (VgLayout['thinPools'][number] & { rest: boolean; idx: number })[] = [];
    vg.thinPools.forEach((tp, idx) => {
      const s = safeSize(tp.size);
      if (!s) return;
      const ext = s.kind === 'bytes' ? ceilDiv(s.bytes, extentSize) : s.kind === 'percent' ? percentExtents(s.percent, total) : 0;
      const metaBytes = tp.metadataSize ? (safeSize(tp.metadataSize) as { bytes?: number })?.bytes : undefined;
      const chunkBytes = tp.chunkSize ? (safeSize(tp.chunkSize) as { bytes?: number })?.bytes : undefined;
      const metadataExtents = ceilDiv(metaBytes ?? thinMetadataBytes(Math.max(ext, 1) * extentSize, chunkBytes), extentSize);
      pools.push({ name: tp.name, extents: ext, metadataExtents, rest: s.kind === 'rest', idx });
    });
    let pmspare = pools.length ? Math.max(...pools.map((p) => p.metadataExtents)) : 0;

    // What an existing VG already holds outside the plan.
    const foreign = existing ? foreignUse(plan, vg.name, vg.thinPools.map((p) => p.name), state, existing, extentSize, pools, pmspare) : { extents: 0, lvs: [] };
    const foreignExtents = foreign.extents;

    // Volumes
    const vols: (VolumeLayout & { idx: number })[] = [];
    plan.volumes.forEach((v, idx) => {
      if (v.vg !== vg.name) return;
      const s = safeSize(v.size);
      if (!s) return;
      if (v.thinPool) {
        const vext = s.kind === 'bytes' ? ceilDiv(s.bytes, extentSize) : 0;
        vols.push({ idx, name: v.name, vg: v.vg, extents: vext, sizeBytes: vext * extentSize, thinPool: v.thinPool, virtualSizeBytes: vext * extentSize, sizeKind: s.kind });
        return;
      }
      const ext = s.kind === 'bytes' ? ceilDiv(s.bytes, extentSize) : s.kind === 'percent' ? percentExtents(s.percent, total) : 0;
      if (s.kind === 'percent' && ext === 0 && complete) {
        add('JTS-CAPACITY', 'error', `volumes[${idx}].size`, `${v.size} of ${total} extents rounds down to 0 extents (lvcreate -l ${v.size}VG would fail)`);
      }
      vols.push({ idx, name: v.name, vg: v.vg, extents: ext, sizeBytes: ext * extentSize, sizeKind: s.kind });
    });

    const fixed = vols.filter((v) => !v.thinPool && v.sizeKind !== 'rest').reduce((a, v) => a + v.extents, 0) + pools.reduce((a, p) => a + p.extents + p.metadataExtents, 0) + pmspare;
    const restVol = vols.find((v) => !v.thinPool && v.sizeKind === 'rest');
    const restPool = pools.find((p) => p.rest);
    const available = total - reserveExtents - fixed - foreignExtents;
    let deficit = 0;
    if (restVol || restPool) {
      const restExt = Math.max(available, 0);
      if (available < 1) deficit = 1 - available;
      if (restVol) {
        // An existing "rest" volume is never shrunk by the arithmetic: when snapshots or LVs outside the
        // plan now hold extents, it keeps its size (they draw on the reserve, which is what it is for)
        // and only grows when more is left than it has. What it has counts against the reserve.
        const have = existing ? state.lvs.find((l) => l.vgName === vg.name && l.name === restVol.name && l.attr[0] !== 'V') : undefined;
        const haveExt = have ? ceilDiv(have.sizeBytes, extentSize) : undefined;
        let ext = restExt;
        if (haveExt !== undefined && haveExt > restExt) {
          ext = haveExt;
          deficit = Math.max(0, haveExt - available - reserveExtents);
        }
        restVol.extents = ext;
        restVol.sizeBytes = ext * extentSize;
      } else if (restPool) {
        // The pool's metadata (and the spare, which LVM sizes as the largest pool metadata of the VG)
        // depend on its data size: `fixed` counted both at their minimum; find the largest data size
        // whose data + metadata + spare fit in what is left.
        const explicitMeta = restPool.metadataExtents; // from metadataSize: or the estimate for 1 extent
        const hasExplicit = Boolean(vg.thinPools[restPool.idx]?.metadataSize);
        const otherSpare = Math.max(0, ...pools.filter((p) => p !== restPool).map((p) => p.metadataExtents));
        const budget = restExt + explicitMeta + pmspare; // data + meta + spare must fit in this
        const restChunk = vg.thinPools[restPool.idx]?.chunkSize;
        const restChunkBytes = restChunk ? (safeSize(restChunk) as { bytes?: number })?.bytes : undefined;
        const metaFor = (data: number) => (hasExplicit ? explicitMeta : ceilDiv(thinMetadataBytes(Math.max(data, 1) * extentSize, restChunkBytes), extentSize));
        const cost = (data: number) => {
          const m = metaFor(data);
          return data + m + Math.max(m, otherSpare);
        };
        // cost() is monotonic in data: start from the upper bound and step down by the overshoot.
        let data = Math.max(budget - 2 * explicitMeta, 0);
        for (let guard = 0; guard < 64 && data > 0 && cost(data) > budget; guard++) data = Math.max(data - (cost(data) - budget), 0);
        for (let guard = 0; guard < 64 && cost(data + 1) <= budget; guard++) data++;
        restPool.extents = data;
        restPool.metadataExtents = metaFor(data);
        pmspare = Math.max(restPool.metadataExtents, otherSpare);
      }
    } else if (available < 0) deficit = -available;

    const used = vols.filter((v) => !v.thinPool).reduce((a, v) => a + v.extents, 0) + pools.reduce((a, p) => a + p.extents + p.metadataExtents, 0) + pmspare + foreignExtents;
    const shortfallBytes = complete ? deficit * extentSize : 0;

    // Classic snapshot copy-on-write space the policies can hold at once.
    let cow = 0;
    for (const v of plan.volumes) {
      if (v.vg !== vg.name || !v.snapshot || v.snapshot.type !== 'classic') continue;
      const origin = vols.find((x) => x.name === v.name);
      if (!origin) continue;
      const s = safeSize(v.snapshot.size);
      if (!s || s.kind === 'rest') continue;
      const per = s.kind === 'percent' ? Math.ceil((s.percent * origin.extents) / 100) : ceilDiv(s.bytes, extentSize);
      cow += per * maxConcurrentSnapshots(v);
    }

    if (shortfallBytes > 0) {
      // Point at the volume where lvcreate, run in plan order, would first fail (ignoring the reserve),
      // or at the reserve when every volume fits but the reserve does not.
      // A script that goes on after a failure (no `set -e`) meets every later one too, each with the
      // free count LVM then reports: all of them are listed, the first is where the finding points.
      let acc = pools.reduce((a, p) => a + p.extents + p.metadataExtents, 0) + pmspare + foreignExtents;
      let at = `volumeGroups[${vgIdx}].reserve`;
      const fails: string[] = [];
      for (const v of vols) {
        if (v.thinPool) continue;
        const want = v.sizeKind === 'rest' ? 1 : v.extents;
        if (acc + want > total) {
          if (fails.length === 0) at = `volumes[${v.idx}].size`;
          fails.push(`${fails.length ? 'then ' : ''}lvcreate of ${v.name} would fail: "insufficient free space (${Math.max(total - acc, 0)} extents): ${want} required"`);
          continue;
        }
        acc += want;
      }
      const lvcreateFails = fails.length ? `In plan order, ${fails.join('; ')}. ` : '';
      const needExt = fixed + reserveExtents + foreignExtents + (restVol || restPool ? 1 : 0);
      const drivesTxt = pvs.map((p) => `${p.path} ${p.sizeBytes.toLocaleString('en-US')} bytes = ${p.extents} extents`).join(', ');
      add(
        'JTS-CAPACITY',
        'error',
        at,
        `volume group ${vg.name} does not fit: the plan needs ${needExt} extents of ${formatBytes(extentSize)} ` +
          `(${vols.filter((v) => !v.thinPool && v.sizeKind !== 'rest').map((v) => `${v.name} ${v.extents}`).join(', ')}` +
          `${pools.length ? `, thin pools ${pools.reduce((a, p) => a + p.extents + p.metadataExtents, 0)} + spare ${pmspare}` : ''}` +
          `${reserveExtents ? `, reserve ${reserveExtents}` : ''}${foreignExtents ? `, held outside the plan ${foreignExtents} (${foreign.lvs.map((l) => `${l.name} ${l.extents}`).join(', ')})` : ''}` +
          `${restVol ? `, ${restVol.name} ≥ 1` : ''}) = ${formatBytes(needExt * extentSize)}, ` +
          `but ${existing ? `the existing VG has${addedExtents ? ` (with the ${addedExtents} of the drives this plan adds)` : ''}` : `${drivesTxt || 'its drives give'}${pvs.length > 1 ? ' in all' : ''}:`} ${total} extents = ${formatBytes(total * extentSize)}. ` +
          `Missing ${deficit} extents = ${formatShortfall(shortfallBytes)}. ${lvcreateFails}` +
          `Note LVM's G is GiB (2^30 bytes): a "4 TB" drive is 3725.29 GiB. Reduce sizes, use "rest" or N%, or add a drive.`,
        'lvcreate(8): sizes round up to whole extents; pvcreate(8): metadata before pe_start; LVM units are base 2',
      );
    }

    if (existing && foreignExtents > 0 && complete && shortfallBytes === 0 && total - used < reserveExtents) {
      add(
        'JTS-RESERVE-HELD',
        'warning',
        `volumeGroups[${vgIdx}].reserve`,
        `volume group ${vg.name} keeps ${total - used} free extents (${formatBytes((total - used) * extentSize)}), less than its reserve of ${reserveExtents} ` +
          `(${formatBytes(reserveExtents * extentSize)}): outside the plan ${foreign.lvs.map((l) => `${l.name} ${l.extents}`).join(', ')} extents. ` +
          `They are counted as used ("rest" does not grow into them); remove what is no longer needed to get the reserve back`,
      );
    }

    vgs.push({
      name: vg.name,
      extentSizeBytes: extentSize,
      dataAlignmentBytes: alignment,
      pvs,
      totalExtents: total,
      reserveExtents,
      usedExtents: used,
      freeExtents: total - used,
      volumes: vols.map(({ idx: _i, ...v }) => v),
      thinPools: pools.map(({ rest: _r, idx: _i, ...p }) => p),
      shortfallBytes,
      pmspareExtents: pmspare,
      snapshotCowExtents: cow,
      existing: Boolean(existing),
      vgExtendExtents: addedExtents,
      foreignExtents,
      foreignLvs: foreign.lvs,
      complete,
    });
  });

  return { vgs, drives, findings };
}

/** The size, or undefined where the text is not one (the schema has reported it already). */
function safeSize(text: string): SizeSpec | undefined {
  const r = trySize(text);
  return r.ok ? r.size : undefined;
}

/** One-line human summary of a VG layout, for plan output. */
export function describeVg(l: VgLayout): string {
  const e = l.extentSizeBytes;
  return (
    `${l.name}: ${l.totalExtents} extents × ${formatBytes(e)} = ${formatBytes(l.totalExtents * e)}; ` +
    `volumes ${formatBytes(l.usedExtents * e)}, free ${formatBytes(l.freeExtents * e)} (reserve ${formatBytes(l.reserveExtents * e)})`
  );
}
