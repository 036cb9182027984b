// CONTRACT STUB (owner: apply helper). The managed fstab block.
import type { Plan } from '../model/plan-schema.js';

export interface FstabEntry {
  spec: string; // UUID=… or /dev/VG/LV or server:/export
  file: string;
  vfstype: string;
  mntops: string[];
  freq: number;
  passno: number;
  comment?: string;
}

/** The entries the plan wants in fstab (data volumes get nofail + x-systemd.device-timeout). */
export function desiredFstabEntries(_plan: Plan, _uuids: Map<string, string>): FstabEntry[] {
  throw new Error('not implemented');
}

/** Old fstab text + entries → new text, with exactly one managed block (markers), the rest untouched. */
export function mergeManagedBlock(_oldText: string, _entries: FstabEntry[]): string {
  throw new Error('not implemented');
}
