/**
 * What the live probe adds to the shared HostState. Kept here (not in src/model/host-state.ts) so the
 * shared contract stays small: a ProbedState is a HostState (structural typing), and the diff reads
 * the extra facts when they are present. A described (offline) state has none of them, and the diff
 * then plans as on a fresh host, which is what an offline plan means.
 */
import type { DriveInfo, FsInfo, HostState } from '../model/host-state.js';

export interface ProbedDrive extends DriveInfo {
  /** Devices stacked on the drive or its partitions (LVM LVs, dm-crypt, md), by kernel path. */
  holders: string[];
  /** lsblk's maj:min, used to match sysfs and udev facts. */
  majMin?: string;
  /** Kernel name (nvme0n1), the /sys/block/<kname> directory. */
  kname: string;
}

export interface ProbedFs extends FsInfo {
  /** From lsblk: filled only while the filesystem is mounted. */
  sizeBytes?: number;
  usedBytes?: number;
  version?: string;
}

export interface Account {
  name: string;
  id: number;
  /** Primary group id (users only). */
  gid?: number;
  home?: string;
  shell?: string;
}

export interface PathInfo {
  uid: number;
  gid: number;
  /** Permission bits only (& 0o7777). */
  mode: number;
  isDirectory: boolean;
  /** Number of entries, for a directory that is not a mount point (mounting over it would hide them). */
  entries?: number;
}

export interface ProbeExtras {
  /** Passwd and group entries with ids, so an owner name compares with a stat uid. */
  passwd?: Account[];
  groupEntries?: Account[];
  /** stat of the paths the caller asked for (the plan's mount paths); absent key = path missing. */
  paths?: Record<string, PathInfo>;
  /** Things the probe could not read (tool missing, unreadable file): surfaced as warnings. */
  probeWarnings?: string[];
  /** How many processes the probe started (the bench proves it does not grow with volumes). */
  toolCalls?: number;
}

export type ProbedState = HostState & ProbeExtras;
