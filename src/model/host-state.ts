/**
 * What is really on the host, as the probe reads it (or as --drives describes it, offline).
 * Pure data: parsers in src/probe/ build it from tools' JSON; diff and lint read it.
 */
export interface DriveInfo {
  /** Kernel path, e.g. /dev/nvme0n1 */
  path: string;
  /** Stable links under /dev/disk/by-id pointing at this drive. */
  byIds: string[];
  serial?: string;
  wwn?: string;
  model?: string;
  sizeBytes: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  rotational: boolean;
  /** discard_max_bytes > 0 */
  discard: boolean;
  /** /sys/block/X/queue/write_cache is "write back" (or nvme id-ctrl vwc bit 0). */
  volatileWriteCache: boolean;
  transport?: string; // nvme, sata, virtio, scsi…
  kind: 'nvme' | 'sata-ssd' | 'hdd' | 'virtio' | 'unknown';
  /** Available schedulers and the active one, from /sys/block/X/queue/scheduler. */
  schedulers?: string[];
  scheduler?: string;
  readAheadKb?: number;
  /** Partitions / holders / signatures found on the drive (empty = blank). */
  partitions: string[];
  signatures: string[];
  mountpoints: string[];
  /** Holds / or /boot (directly or through LVM): never destroyable. */
  isRootDisk?: boolean;
}

export interface PvInfo {
  name: string;
  vgName: string;
  sizeBytes: number;
  peStartBytes?: number;
  /** The VG names this PV but no device carries it (pv_attr[2] m, "[unknown]"). pvs(8). */
  missing?: boolean;
}

export interface VgInfo {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  extentSizeBytes: number;
  extentCount: number;
  freeExtentCount: number;
  pvNames: string[];
  /** vg_attr (vgs(8)): [2] x = exported, [3] p = partial (a PV missing). */
  attr?: string;
  /** lv_count: visible LVs (a thin pool counts one; its hidden _tdata/_tmeta do not). */
  lvCount?: number;
  pvCount?: number;
  /** max_lv / max_pv (vgcreate -l/-p): lvcreate/vgextend refuse beyond them; absent or 0 = unlimited. */
  maxLv?: number;
  maxPv?: number;
}

/**
 * A volume group LVM hides from this host because its system ID is another host's (lvmsystemid(7):
 * "If the host has no system ID, and the VG does, the VG is foreign and LVM will ignore it"). Seen
 * only with `pvs --foreign`; its PVs are absent from the probe's fullreport.
 */
export interface ForeignVgInfo {
  name: string;
  /** vg_systemid: the owning host's system ID. */
  systemId: string;
  pvNames: string[];
}

export interface LvInfo {
  vgName: string;
  name: string;
  sizeBytes: number;
  /** lv_attr string, e.g. "-wi-ao----"; [0] s = snapshot, t = thin pool, V = thin volume */
  attr: string;
  origin?: string;
  poolLv?: string;
  /** lv_profile: the LVM metadata profile attached (a thin pool's autoextend settings). */
  profile?: string;
  /** Snapshot / thin fill percent (data_percent), when meaningful. */
  dataPercent?: number;
  metadataPercent?: number;
  readAheadSectors?: number | 'auto';
  path: string; // /dev/VG/LV
  dmPath?: string; // /dev/mapper/VG-LV
  uuid?: string;
  time?: string; // lv_time
  tags?: string[];
  active?: boolean;
  snapInvalid?: boolean;
}

export interface FsInfo {
  device: string;
  type?: string;
  uuid?: string;
  label?: string;
}

export interface MountInfo {
  target: string;
  source: string;
  fstype: string;
  options: string[];
}

export interface HostState {
  /** Where the state came from: a live probe or a described drives file. */
  source: 'probe' | 'described';
  kernelRelease?: string;
  drives: DriveInfo[];
  pvs: PvInfo[];
  vgs: VgInfo[];
  lvs: LvInfo[];
  /** VGs of other hosts (system ID) on this host's drives; absent when not read. */
  foreignVgs?: ForeignVgInfo[];
  filesystems: FsInfo[];
  mounts: MountInfo[];
  /** Raw /etc/fstab text, when read. */
  fstab?: string;
  /** Existing users and groups (names), when read. */
  users?: string[];
  groups?: string[];
  /** Existing user accounts with their ids, when /etc/passwd was read (probe). */
  passwd?: { name: string; id: number; gid?: number; home?: string; shell?: string }[];
  /** stat of the paths the plan names (mount paths, credentials files, shells), when probed; absent key = missing. */
  paths?: Record<string, HostPathInfo>;
}

/** stat(2) of one path: owner, group, permission bits (& 0o7777). */
export interface HostPathInfo {
  uid: number;
  gid: number;
  mode: number;
  isDirectory: boolean;
}

export function emptyHostState(source: HostState['source']): HostState {
  return { source, drives: [], pvs: [], vgs: [], lvs: [], filesystems: [], mounts: [] };
}
