/**
 * `lsblk -J -b -O` → drives (whole disks) with their partitions, holders, signatures and mount points,
 * and the filesystems lsblk knows of (type, UUID, label, size and use while mounted).
 *
 * lsblk reads FSTYPE/UUID/LABEL from the udev database; the probe also runs `blkid -o export` once,
 * which reads the superblocks itself, and fills what lsblk left empty (no udev, or a filesystem made
 * a moment ago before udev caught up). See probe.ts.
 */
import type { DriveInfo } from '../model/host-state.js';
import type { ProbedDrive, ProbedFs } from './types.js';
import { asArray, asRecord, bool, num, parseToolJson, str } from '../host/json.js';

export interface LsblkDevice {
  name: string;
  kname: string;
  path: string;
  type: string;
  majMin?: string;
  sizeBytes: number;
  fstype?: string;
  fsver?: string;
  uuid?: string;
  label?: string;
  pttype?: string;
  mountpoints: string[];
  fssize?: number;
  fsused?: number;
  serial?: string;
  wwn?: string;
  model?: string;
  tran?: string;
  rota?: boolean;
  discMax?: number;
  logSec?: number;
  phySec?: number;
  sched?: string;
  raKb?: number;
  subsystems?: string;
  /** Kernel path of the parent in the tree (undefined for top-level devices). */
  parent?: string;
  children: LsblkDevice[];
}

export interface LsblkResult {
  /** Top-level devices as lsblk prints them (a device with several parents appears under each). */
  tree: LsblkDevice[];
  drives: ProbedDrive[];
  filesystems: ProbedFs[];
}

/** Mount points that make a drive the system disk: never a target for pvcreate or wipefs. */
export const ROOT_MOUNTPOINTS = new Set(['/', '/boot', '/boot/efi', '/usr', '/var', '[SWAP]']);

function readDevice(raw: unknown, parent?: string): LsblkDevice {
  const r = asRecord(raw);
  const name = str(r['name']) ?? '?';
  const kname = str(r['kname']) ?? name;
  const path = str(r['path']) ?? `/dev/${name}`;
  // util-linux >= 2.37 has "mountpoints" (array, [null] when none); older has "mountpoint" (string|null).
  const mps = Array.isArray(r['mountpoints'])
    ? (r['mountpoints'] as unknown[]).map(str).filter((x): x is string => !!x)
    : [str(r['mountpoint'])].filter((x): x is string => !!x);
  const dev: LsblkDevice = {
    name,
    kname,
    path,
    type: str(r['type']) ?? 'unknown',
    majMin: str(r['maj:min']),
    sizeBytes: num(r['size']) ?? 0,
    fstype: str(r['fstype']),
    fsver: str(r['fsver']),
    uuid: str(r['uuid']),
    label: str(r['label']),
    pttype: str(r['pttype']),
    mountpoints: mps,
    fssize: num(r['fssize']),
    fsused: num(r['fsused']),
    serial: str(r['serial'])?.trim(),
    wwn: str(r['wwn']),
    model: str(r['model'])?.trim(),
    tran: str(r['tran']),
    rota: r['rota'] === undefined || r['rota'] === null ? undefined : bool(r['rota']),
    discMax: num(r['disc-max']),
    logSec: num(r['log-sec']),
    phySec: num(r['phy-sec']),
    sched: str(r['sched']),
    raKb: num(r['ra']),
    subsystems: str(r['subsystems']),
    parent,
    children: [],
  };
  dev.children = asArray(r['children']).map((c) => readDevice(c, path));
  return dev;
}

function walk(d: LsblkDevice, f: (d: LsblkDevice) => void): void {
  f(d);
  for (const c of d.children) walk(c, f);
}

/** Memory-backed and empty devices are not drives anyone plans storage on. */
function isPlannableDisk(d: LsblkDevice): boolean {
  if (d.type !== 'disk') return false;
  if (/^(zram|ram)\d+$/.test(d.kname)) return false;
  return d.sizeBytes > 0;
}

export function driveKind(d: Pick<LsblkDevice, 'tran' | 'kname' | 'rota' | 'subsystems'>): DriveInfo['kind'] {
  if (d.tran === 'nvme' || /^nvme\d+n\d+$/.test(d.kname)) return 'nvme';
  if (/^vd[a-z]+$/.test(d.kname) || d.tran === 'virtio' || (d.subsystems ?? '').split(':').includes('virtio')) return 'virtio';
  if (d.rota === true) return 'hdd';
  if (d.rota === false && ['sata', 'ata', 'sas', 'scsi', 'usb'].includes(d.tran ?? '')) return 'sata-ssd';
  return 'unknown';
}

export function parseLsblk(json: string): LsblkResult {
  const doc = asRecord(parseToolJson(json, 'lsblk'));
  const tree = asArray(doc['blockdevices']).map((b) => readDevice(b));
  const drives: ProbedDrive[] = [];
  const fsByDevice = new Map<string, ProbedFs>();
  for (const top of tree) {
    walk(top, (d) => {
      if (d.fstype && !fsByDevice.has(d.path)) {
        fsByDevice.set(d.path, {
          device: d.path,
          type: d.fstype,
          uuid: d.uuid,
          label: d.label,
          version: d.fsver,
          sizeBytes: d.fssize,
          usedBytes: d.fsused,
        });
      }
    });
    if (!isPlannableDisk(top)) continue;
    const partitions: string[] = [];
    const holders = new Set<string>();
    const mountpoints = new Set<string>();
    walk(top, (d) => {
      for (const m of d.mountpoints) mountpoints.add(m);
      if (d === top) return;
      if (d.type === 'part') partitions.push(d.path);
      else holders.add(d.path);
    });
    const signatures: string[] = [];
    if (top.pttype) signatures.push(`partition table ${top.pttype}`);
    if (top.fstype) signatures.push(top.fstype);
    drives.push({
      path: top.path,
      kname: top.kname,
      majMin: top.majMin,
      byIds: [],
      serial: top.serial,
      wwn: top.wwn,
      model: top.model,
      sizeBytes: top.sizeBytes,
      logicalSectorSize: top.logSec ?? 512,
      physicalSectorSize: top.phySec ?? top.logSec ?? 512,
      rotational: top.rota ?? false,
      discard: (top.discMax ?? 0) > 0,
      // lsblk does not report the write cache; sysfs queue/write_cache fills it (probe.ts).
      volatileWriteCache: false,
      transport: top.tran,
      kind: driveKind(top),
      scheduler: top.sched,
      readAheadKb: top.raKb,
      partitions,
      signatures,
      mountpoints: [...mountpoints].sort(),
      holders: [...holders].sort(),
      isRootDisk: [...mountpoints].some((m) => ROOT_MOUNTPOINTS.has(m)),
    });
  }
  return { tree, drives, filesystems: [...fsByDevice.values()] };
}
