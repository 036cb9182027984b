/**
 * Which disks tune may touch: the plan's drives and nothing else (issue 14). Each plan drive is matched
 * to exactly one whole disk by its stable identity (src/model/drive-match.ts: byId, serial, WWN; an
 * identity several devices carry is an error listing them), and for the udev rule the one udev property
 * that names that disk alone on this host is chosen (ID_WWN, then ID_SERIAL_SHORT, then ID_SERIAL).
 *
 * Sources: the udev database (`udevadm info --export-db`, src/host/udev.ts; captured in
 * test/tune/fixtures/udevadm-export-db.txt): ID_WWN is the NVMe namespace's wwid (one per namespace),
 * ID_SERIAL_SHORT the controller serial (shared by its namespaces), ID_SERIAL model_serial(_nsid); virtio
 * disks have only ID_SERIAL. The serial and WWN matched against the plan are the ones lsblk shows
 * (util-linux misc-utils/lsblk-properties.c get_properties_by_udev: SERIAL = ID_SCSI_SERIAL, else
 * ID_SERIAL_SHORT, else ID_SERIAL; WWN = ID_WWN_WITH_EXTENSION, else ID_WWN), so a plan written from
 * `lsblk` or `jts-storage plan` output matches the same disk here as in the probe.
 */
import type { Plan } from '../model/plan-schema.js';
import type { DriveInfo } from '../model/host-state.js';
import { matchDrive } from '../model/drive-match.js';
import type { UdevDevice } from '../host/udev.js';
import { UDEV_IDENTITY_KEYS, udevLiteralError, type UdevIdentityKey } from '../render/udev.js';

/** A plan drive as tune sees it on this host. */
export interface ScopedDrive {
  /** The plan's drive id. */
  id: string;
  /** Kernel name of the one whole disk it is (nvme0n1), when found. */
  name?: string;
  /** The udev property naming that disk alone among the host's whole disks, when there is one. */
  udev?: { key: UdevIdentityKey; value: string };
  /** Why it is not found, or not matched by the rule (no unique property): one line. */
  problem?: string;
  /** The identity matches several disks: their paths (an error: the plan must name one namespace). */
  candidates?: string[];
}

/** The whole block disks of the udev database (SUBSYSTEM block, DEVTYPE disk): no partitions. */
export function udevWholeDisks(db: UdevDevice[]): UdevDevice[] {
  return db.filter((d) => d.env.SUBSYSTEM === 'block' && d.env.DEVTYPE === 'disk');
}

/** A udev database entry in the shape matchDrive reads (path, by-id links, serial, WWN as lsblk shows them). */
export function driveInfoFromUdev(d: UdevDevice): DriveInfo {
  const e = d.env;
  return {
    path: e.DEVNAME ?? `/dev/${d.sysname}`,
    byIds: d.links.filter((l) => l.startsWith('disk/by-id/')).map((l) => `/dev/${l}`),
    serial: e.ID_SCSI_SERIAL ?? e.ID_SERIAL_SHORT ?? e.ID_SERIAL,
    wwn: e.ID_WWN_WITH_EXTENSION ?? e.ID_WWN,
    model: e.ID_MODEL,
    sizeBytes: 0,
    logicalSectorSize: 0,
    physicalSectorSize: 0,
    rotational: false,
    discard: false,
    volatileWriteCache: false,
    kind: 'unknown',
    partitions: [],
    signatures: [],
    mountpoints: [],
  };
}

/**
 * The first identity property of `dev` that no other whole disk carries and that a udev rule can match
 * literally; undefined with the reason when none is.
 */
export function uniqueUdevIdentity(dev: UdevDevice, disks: UdevDevice[]): { key: UdevIdentityKey; value: string } | { why: string } {
  const tried: string[] = [];
  for (const key of UDEV_IDENTITY_KEYS) {
    const value = dev.env[key];
    if (value === undefined) continue;
    const bad = udevLiteralError(value);
    if (bad) {
      tried.push(`${key} ${JSON.stringify(value)} ${bad}`);
      continue;
    }
    const others = disks.filter((x) => x !== dev && x.env[key] === value).map((x) => x.sysname);
    if (others.length) {
      tried.push(`${key} ${value} is also ${others.join(', ')}'s`);
      continue;
    }
    return { key, value };
  }
  return { why: tried.length ? tried.join('; ') : `udev gives it none of ${UDEV_IDENTITY_KEYS.join(', ')}` };
}

/** Each plan drive → the one whole disk it is, from the udev database, with its rule property. Pure. */
export function scopeFromUdev(plan: Plan, db: UdevDevice[]): ScopedDrive[] {
  const disks = udevWholeDisks(db);
  const infos = disks.map(driveInfoFromUdev);
  return plan.drives.map((pd) => {
    const m = matchDrive(pd, infos);
    if (m.candidates) return { id: pd.id, problem: m.problem, candidates: m.candidates.map((c) => c.path) };
    if (!m.drive || m.problem) return { id: pd.id, problem: m.problem ?? 'not found' };
    const dev = disks[infos.indexOf(m.drive)]!;
    const u = uniqueUdevIdentity(dev, disks);
    if ('why' in u) return { id: pd.id, name: dev.sysname, problem: `no udev property names ${dev.sysname} alone (${u.why}): the rule cannot match it` };
    return { id: pd.id, name: dev.sysname, udev: u };
  });
}

/**
 * Described drives (a drives file, `plan --drives`): the plan drive's matched description gives the
 * property udev will carry: its WWN as ID_WWN, else its serial as ID_SERIAL (virtio-blk, which has no
 * ID_SERIAL_SHORT) or ID_SERIAL_SHORT. `tune status` on the host itself shows a difference as drift.
 */
export function scopeFromDescribed(plan: Plan, drives: DriveInfo[]): ScopedDrive[] {
  return plan.drives.map((pd) => {
    const m = matchDrive(pd, drives);
    if (m.candidates) return { id: pd.id, problem: m.problem, candidates: m.candidates.map((c) => c.path) };
    if (!m.drive || m.problem) return { id: pd.id, problem: m.problem ?? 'not found' };
    const d = m.drive;
    const name = d.path.replace(/^\/dev\//, '');
    const cands: { key: UdevIdentityKey; value: string | undefined }[] = [
      { key: 'ID_WWN', value: d.wwn },
      { key: d.kind === 'virtio' ? 'ID_SERIAL' : 'ID_SERIAL_SHORT', value: d.serial?.trim() },
    ];
    for (const c of cands) {
      if (c.value === undefined || udevLiteralError(c.value)) continue;
      const shared = drives.filter((x) => x !== d && (c.key === 'ID_WWN' ? x.wwn : x.serial?.trim()) === c.value);
      if (!shared.length) return { id: pd.id, name, udev: { key: c.key, value: c.value } };
    }
    return { id: pd.id, name, problem: `the description of ${d.path} has no WWN or serial that names it alone: the rule cannot match it` };
  });
}
