/**
 * Parsers of the three host-wide reports health reads, one call each whatever the number of volumes:
 *   lvm fullreport --reportformat json   (VGs, PVs, LVs with attr, origin, pool, fill percentages)
 *   findmnt -J -l                        (what is mounted where, with the kernel's options)
 *   lsblk -J -l                          (drives: transport, rotational, serial, scheduler, parents)
 * They are kept here, lean, rather than going through the full probe: health runs every minute and
 * must report whatever it can when one of them fails (that part becomes UNKNOWN, the rest goes on).
 */

import { dmName, HEALTH_FULLREPORT_ARGV, parseLvmJson } from '../host/lvm.js';
import { FINDMNT_LIST_ARGV, parseFindmntJson, type MountEntry } from '../host/findmnt.js';
import { LSBLK_HEALTH_ARGV, lsblkPvArgv, parseLsblkJson, type LsblkDevice } from '../host/lsblk.js';

export { dmName };

export interface HVg {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  extentSizeBytes?: number;
  /** vg_attr, e.g. "wz-pn-": [2] x = exported, [3] p = partial (a PV missing). vgs(8) "vg_attr". */
  attr?: string;
  /** vg_missing_pv_count: PVs of the VG's metadata not found on the host. */
  missingPvCount?: number;
}
export interface HPv {
  /** Device path, or "[unknown]" for a PV LVM cannot find. */
  name: string;
  vg: string;
  /** pv_missing: the VG metadata names this PV but no device carries it. pvs(8). */
  missing?: boolean;
}
export interface HLv {
  vg: string;
  name: string;
  sizeBytes: number;
  attr: string;
  origin?: string;
  pool?: string;
  /** undefined = unknown (not reported, or not a C-locale number): evaluated as UNKNOWN. */
  dataPercent?: number;
  metadataPercent?: number;
  snapInvalid: boolean;
  /** "253:3" when active. */
  majMin?: string;
  /** lv_health_status: "partial", "refresh needed", "mismatches exist" or "" (lvs(8)). */
  healthStatus?: string;
}
export interface LvmReport {
  vgs: HVg[];
  pvs: HPv[];
  lvs: HLv[];
  /** LVM's WARNING lines on stderr (a missing PV and where it was last written), when collect kept them. */
  warnings?: string[];
}

/** The WARNING lines of an LVM command's stderr, trimmed. */
export function lvmWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('WARNING:'));
}

/** The argv health runs: one lvm process for VGs, PVs and LVs together (host/lvm.ts). */
export const LVM_ARGV = HEALTH_FULLREPORT_ARGV;

export const FINDMNT_ARGV = FINDMNT_LIST_ARGV;
/** Every block device (flat, with PKNAME): only when LVM could not be read, to find the drives at all. */
export const LSBLK_ARGV = LSBLK_HEALTH_ARGV;

/**
 * The PVs in scope and what they sit on (host/lsblk.ts lsblkPvArgv): health's usual lsblk call, whose
 * cost follows the PVs, not the number of volumes (the full listing walks every LV's dm device: 0.8 s
 * at 200 volumes against 0.2 s at 7 in the sandbox guest).
 */
export { lsblkPvArgv };

/** Any LVM JSON report (`lvm fullreport`, `lvs`, `vgs`, `pvs`) read by host/lvm.ts, in health's shapes. */
export function parseLvmReport(text: string): LvmReport {
  const rep = parseLvmJson(text, 'lvm report');
  return {
    vgs: rep.vgs.map((v) => {
      const vg: HVg = { name: v.name, sizeBytes: v.sizeBytes ?? 0, freeBytes: v.freeBytes ?? 0, extentSizeBytes: v.extentSizeBytes };
      if (v.attr !== undefined) vg.attr = v.attr;
      if (v.missingPvCount !== undefined) vg.missingPvCount = v.missingPvCount;
      return vg;
    }),
    pvs: rep.pvs.map((p) => {
      const pv: HPv = { name: p.name, vg: p.vgName };
      if (p.missing) pv.missing = true;
      return pv;
    }),
    lvs: rep.lvs.map((l) => ({
      vg: l.vg,
      // Health names hidden LVs as lvs -a prints them ("[pool_tdata]"): lvType reads the brackets.
      name: l.hidden ? `[${l.name}]` : l.name,
      sizeBytes: l.sizeBytes ?? 0,
      attr: l.attr,
      origin: l.origin,
      pool: l.pool,
      dataPercent: l.dataPercent ?? l.snapPercent,
      metadataPercent: l.metadataPercent,
      snapInvalid: l.snapshotInvalid ?? false,
      majMin: l.majMin,
      ...(l.healthStatus ? { healthStatus: l.healthStatus } : {}),
    })),
  };
}

/** lv_attr[0] volume type. */
export function lvType(lv: HLv): 'snapshot' | 'thin-snapshot' | 'thin-pool' | 'internal' | 'volume' {
  const t = lv.attr[0] ?? '-';
  if (t === 's' || t === 'S') return 'snapshot';
  if (t === 'V' && lv.origin) return 'thin-snapshot';
  if (t === 't') return 'thin-pool';
  // Hidden sub-LVs ([lv_tdata], [lv_tmeta], mirror images, pvmove…) are parts, not volumes.
  if (lv.name.startsWith('[') || 'TeiIlpdDv'.includes(t)) return 'internal';
  return 'volume';
}

/** Invalid classic snapshot: lv_snapshot_invalid, or lv_attr[4] state I / S (invalid, suspended invalid). */
export function snapshotInvalid(lv: HLv): boolean {
  const state = lv.attr[4];
  return lv.snapInvalid || state === 'I' || state === 'S';
}

export type HMount = MountEntry;

/** findmnt JSON (flat or tree) through host/findmnt.ts. */
export function parseFindmnt(text: string): HMount[] {
  return parseFindmntJson(text);
}

export interface HBlock {
  name: string;
  /** Kernel name (dm-3 for an LV): what PKNAME refers to. */
  kname: string;
  path: string;
  type: string;
  tran?: string;
  rota: boolean;
  serial?: string;
  model?: string;
  sched?: string;
  pkname?: string;
  /** Kernel names of every device this one sits on (an md or dm device may have several). */
  below?: string[];
  sizeBytes?: number;
}

/**
 * lsblk JSON, flat (-l, with PKNAME) or as a tree. `inverse`: the output of `lsblk -s`, whose children
 * are the devices below (slaves) instead of the ones above (holders).
 */
export function parseLsblk(text: string, opts: { inverse?: boolean } = {}): HBlock[] {
  const out: HBlock[] = [];
  const walk = (bs: LsblkDevice[], parent?: string) => {
    for (const b of bs) {
      const kidNames = b.children.map((k) => k.kname);
      const below = opts.inverse ? kidNames : [b.pkname ?? parent].filter((x): x is string => !!x);
      out.push({
        name: b.name,
        kname: b.kname,
        path: b.path,
        type: b.type === 'unknown' ? '' : b.type,
        tran: b.tran,
        rota: b.rota ?? false,
        serial: b.serial,
        model: b.model,
        sched: b.sched,
        pkname: below[0],
        below,
        sizeBytes: b.sizeBytes || undefined,
      });
      if (b.children.length) walk(b.children, opts.inverse ? undefined : b.kname);
    }
  };
  walk(parseLsblkJson(text));
  return out;
}

export type DriveKind = 'nvme' | 'sata-ssd' | 'hdd' | 'virtio' | 'unknown';

export function driveKind(b: HBlock): DriveKind {
  if (b.tran === 'nvme' || /^nvme\d+n\d+$/.test(b.name)) return 'nvme';
  if (b.tran === 'virtio' || /^vd[a-z]+$/.test(b.name)) return 'virtio';
  if (b.rota) return 'hdd';
  if (b.tran === 'sata' || b.tran === 'ata' || b.tran === 'sas' || /^sd[a-z]+$/.test(b.name)) return 'sata-ssd';
  return 'unknown';
}

/** Is `b` the block device at `devPath` (/dev/X, /dev/mapper/X, or lsblk's PATH)? */
function isDevice(b: HBlock, devPath: string): boolean {
  return b.path === devPath || `/dev/${b.name}` === devPath || `/dev/mapper/${b.name}` === devPath;
}

/**
 * Every whole disk under a block device (PV path, partition, dm or md layers…): all of them when it
 * spans several (an md mirror as PV), following what each device sits on.
 */
export function disksOf(blocks: HBlock[], devPath: string): HBlock[] {
  const byName = new Map<string, HBlock>();
  for (const b of blocks) if (!byName.has(b.kname)) byName.set(b.kname, b);
  const out: HBlock[] = [];
  const seen = new Set<string>();
  const todo = blocks.filter((b) => isDevice(b, devPath)).slice(0, 1);
  while (todo.length && seen.size < 256) {
    const cur = todo.shift()!;
    if (seen.has(cur.kname)) continue;
    seen.add(cur.kname);
    if (cur.type === 'disk') {
      out.push(cur);
      continue;
    }
    for (const k of cur.below ?? (cur.pkname ? [cur.pkname] : [])) {
      const nb = byName.get(k);
      if (nb) todo.push(nb);
    }
  }
  return out;
}

/** The whole disk under a block device (PV path, partition, dm…), following lsblk's PKNAME. */
export function diskOf(blocks: HBlock[], devPath: string): HBlock | undefined {
  // PKNAME is the parent's kernel name (dm-2, not vg-lv).
  const byName = new Map(blocks.map((b) => [b.kname, b]));
  let cur = blocks.find((b) => b.path === devPath || `/dev/${b.name}` === devPath || `/dev/mapper/${b.name}` === devPath);
  for (let hops = 0; cur && hops < 16; hops++) {
    if (cur.type === 'disk') return cur;
    cur = cur.pkname ? byName.get(cur.pkname) : undefined;
  }
  return undefined;
}
