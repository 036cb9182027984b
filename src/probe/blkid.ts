/**
 * The probe's filesystems from blkid (host/blkid.ts reads `blkid -o export`): they complete what
 * lsblk's udev data lacks (probe.ts mergeFilesystems).
 */
import type { ProbedFs } from './types.js';
import type { BlkidRecord } from '../host/blkid.js';

export { parseBlkidExport, type BlkidRecord } from '../host/blkid.js';

/** Filesystems (and other signatures with a TYPE) as FsInfo records. */
export function blkidFilesystems(records: BlkidRecord[]): ProbedFs[] {
  return records.filter((r) => r.type).map((r) => ({ device: r.device, type: r.type, uuid: r.uuid, label: r.label, version: r.version }));
}
