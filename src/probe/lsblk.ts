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
import { parseLsblkJson, walkDevices, type LsblkDevice } from '../host/lsblk.js';

export type { LsblkDevice };

export interface LsblkResult {
  /** Top-level devices as lsblk prints them (a device with several parents appears under each). */
  tree: LsblkDevice[];
  drives: ProbedDrive[];
  filesystems: ProbedFs[];
}

/** Mount points that make a drive the system disk: never a target for pvcreate or wipefs. */
export const ROOT_MOUNTPOINTS = new Set(['/', '/boot', '/boot/efi', '/usr', '/var', '[SWAP]']);

const walk = walkDevices;

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
  const tree = parseLsblkJson(json);
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
