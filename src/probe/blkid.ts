/**
 * `blkid -o export` → one record per device with a recognised signature (KEY=value lines, records
 * separated by a blank line). blkid probes the superblocks itself, so it sees a filesystem even where
 * udev's database (which lsblk reads) is missing or stale. In export format blkid escapes special
 * characters of values with a backslash (a label "my data" is printed `LABEL=my\ data`).
 */
import type { ProbedFs } from './types.js';

export interface BlkidRecord {
  device: string;
  type?: string;
  ptType?: string;
  uuid?: string;
  label?: string;
  version?: string;
  /** Every key of the record, as printed. */
  raw: Record<string, string>;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

export function parseBlkidExport(text: string): BlkidRecord[] {
  const out: BlkidRecord[] = [];
  for (const chunk of text.split(/\n\s*\n/)) {
    const raw: Record<string, string> = {};
    for (const line of chunk.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) raw[m[1]!] = unescape(m[2]!);
    }
    if (!raw['DEVNAME']) continue;
    out.push({
      device: raw['DEVNAME'],
      type: raw['TYPE'],
      ptType: raw['PTTYPE'],
      uuid: raw['UUID'],
      label: raw['LABEL'],
      version: raw['VERSION'],
      raw,
    });
  }
  return out;
}

/** Filesystems (and other signatures with a TYPE) as FsInfo records. */
export function blkidFilesystems(records: BlkidRecord[]): ProbedFs[] {
  return records.filter((r) => r.type).map((r) => ({ device: r.device, type: r.type, uuid: r.uuid, label: r.label, version: r.version }));
}
