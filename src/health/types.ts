/**
 * Health report model: pure data, built by evaluate.ts from what collect.ts gathered, rendered by
 * render.ts as a table, JSON or a Prometheus textfile.
 */

/** Nagios/Icinga plugin states, numbered as their exit codes. */
export type Status = 'ok' | 'warning' | 'critical' | 'unknown';

export const STATUS_CODE: Record<Status, 0 | 1 | 2 | 3> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/**
 * Severity order used to combine states: OK < UNKNOWN < WARNING < CRITICAL, as monitoring-plugins'
 * `max_state_alt()` does. A known problem outranks "could not check", so a full volume is reported as
 * CRITICAL even when a drive did not answer; an UNKNOWN still beats OK so a blind spot never reads as
 * healthy.
 */
const RANK: Record<Status, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export function worst(...states: Status[]): Status {
  let w: Status = 'ok';
  for (const s of states) if (RANK[s] > RANK[w]) w = s;
  return w;
}

export type CheckKind =
  | 'vg_free' // VG free space vs the plan's snapshot reserve
  | 'lv_present' // the plan's LV exists
  | 'volume_used' // filesystem bytes used
  | 'volume_inodes' // filesystem inodes used
  | 'mount' // mounted where the plan says, from the right device
  | 'mount_options' // drift of mount options vs plan
  | 'snapshot_fill' // classic snapshot COW fill / invalid
  | 'thinpool_data'
  | 'thinpool_metadata'
  | 'drive_smart' // critical warning bits, spare, media errors
  | 'drive_wear' // percentage used
  | 'drive_temperature'
  | 'scheduler' // I/O scheduler vs plan
  | 'vg_partial' // a PV of the VG is missing (vg_attr p)
  | 'vg_exported' // the VG is exported (vg_attr x)
  | 'lv_partial' // an LV with extents on a missing PV (lv_attr p)
  | 'drive_absent' // a plan drive of a partial VG is not on the host
  | 'collect'; // a host-wide report (lvm, findmnt, lsblk) could not be read

export interface Check {
  kind: CheckKind;
  /** What the check is about, human-readable: "vg_jts/lv_postgres", "nvme0n1", "vg_jts". */
  subject: string;
  status: Status;
  /** One line: the figure and the threshold, or the reason it could not be checked. */
  message: string;
  /** Prometheus labels identifying the subject (vg, lv, mount, drive). */
  labels: Record<string, string>;
  /** The value compared with the thresholds (percent, °C…), when there is one. */
  value?: number;
  warn?: number;
  crit?: number;
}

export interface VgReport {
  name: string;
  sizeBytes: number;
  freeBytes: number;
  /** The plan's reserve, in bytes (0 without a plan or without a reserve). */
  reserveBytes: number;
  /** Bytes held by classic snapshots' COW space (what the reserve is for). */
  snapshotBytes: number;
  reserveIntact: boolean;
  /** PVs of the VG that no device carries (0 when all are there). */
  missingPvs?: number;
  /** vg_attr partial: a PV missing. */
  partial?: boolean;
}

export interface VolumeReport {
  vg: string;
  lv: string;
  mount?: string;
  workload?: string;
  lvSizeBytes?: number;
  fsType?: string;
  fsSizeBytes?: number;
  usedBytes?: number;
  availBytes?: number;
  /** used / (used + avail): what a non-root writer sees (the root reserve counts as full). */
  usedRatio?: number;
  inodesTotal?: number;
  inodesUsed?: number;
  inodesUsedRatio?: number;
  /** lv_attr partial: part of the LV's extents are on a missing PV. */
  partial?: boolean;
}

export interface SnapshotReport {
  vg: string;
  lv: string;
  origin: string;
  type: 'classic' | 'thin';
  sizeBytes: number;
  /** COW fill 0..1 (classic); undefined for thin snapshots (the pool's fill is what counts). */
  fillRatio?: number;
  invalid: boolean;
}

export interface ThinPoolReport {
  vg: string;
  lv: string;
  sizeBytes: number;
  dataRatio?: number;
  metadataRatio?: number;
}

export interface DriveReport {
  /** Kernel name, e.g. nvme0n1. */
  drive: string;
  device: string;
  serial?: string;
  model?: string;
  source?: 'nvme-cli' | 'smartctl';
  health?: DriveHealth;
  scheduler?: string;
}

/** What a drive says about itself (host/nvme.ts, host/smartctl.ts). */
export type { DriveHealth } from '../host/nvme.js';
import type { DriveHealth } from '../host/nvme.js';

export interface HealthReport {
  status: Status;
  exitCode: 0 | 1 | 2 | 3;
  /** ISO time of the run (Runner clock). */
  time: string;
  planFile?: string;
  checks: Check[];
  vgs: VgReport[];
  volumes: VolumeReport[];
  snapshots: SnapshotReport[];
  thinPools: ThinPoolReport[];
  drives: DriveReport[];
  /** Tool invocations made (argv[0] + subcommand), for the "one call per tool" property. */
  toolCalls: string[];
  durationMs?: number;
}
