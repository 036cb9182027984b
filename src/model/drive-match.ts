/**
 * Which probed/described drive a plan drive is: by its stable identity (by-id link, serial, WWN,
 * kernel path). Every identity field given must point at the same drive.
 */
import type { Drive } from './plan-schema.js';
import type { DriveInfo } from './host-state.js';

function normWwn(w: string): string {
  return w
    .trim()
    .toLowerCase()
    .replace(/^(wwn-|eui\.|naa\.|0x)/, '')
    .replace(/^0x/, '');
}

export interface DriveMatch {
  drive?: DriveInfo;
  by?: 'byId' | 'serial' | 'wwn' | 'path';
  /** Identity fields that point at different drives, or at none. */
  problem?: string;
}

/** Match a plan drive to a probed/described one by stable identity. All identity fields given must agree. */
export function matchDrive(d: Drive, drives: DriveInfo[]): DriveMatch {
  const hits: { by: DriveMatch['by']; drive: DriveInfo | undefined; value: string }[] = [];
  if (d.byId) hits.push({ by: 'byId', value: d.byId, drive: drives.find((x) => x.byIds.includes(d.byId!)) });
  if (d.serial) hits.push({ by: 'serial', value: d.serial, drive: drives.find((x) => x.serial !== undefined && x.serial.trim() === d.serial!.trim()) });
  if (d.wwn) hits.push({ by: 'wwn', value: d.wwn, drive: drives.find((x) => x.wwn !== undefined && normWwn(x.wwn) === normWwn(d.wwn!)) });
  if (d.path) hits.push({ by: 'path', value: d.path, drive: drives.find((x) => x.path === d.path) });
  const found = hits.filter((h) => h.drive);
  if (found.length === 0) {
    return { problem: `no drive has ${hits.map((h) => `${h.by} ${h.value}`).join(' or ')}` };
  }
  const distinct = new Set(found.map((h) => h.drive!.path));
  if (distinct.size > 1) {
    return { problem: `identity fields point at different drives: ${found.map((h) => `${h.by} ${h.value} → ${h.drive!.path}`).join(', ')}` };
  }
  const missing = hits.filter((h) => !h.drive && h.by !== 'path');
  if (missing.length) {
    return {
      drive: found[0]!.drive,
      by: found[0]!.by,
      problem: `${found[0]!.by} matches ${found[0]!.drive!.path} but ${missing.map((h) => `${h.by} ${h.value}`).join(', ')} does not: wrong drive?`,
    };
  }
  // Prefer the most stable identity for reporting.
  const order = ['byId', 'wwn', 'serial', 'path'] as const;
  const best = order.map((o) => found.find((h) => h.by === o)).find(Boolean)!;
  return { drive: best.drive, by: best.by };
}
