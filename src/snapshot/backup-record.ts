/**
 * Which PostgreSQL backup belongs to which snapshot. The `postgresql` hook keeps each backup as
 * LABEL_DIR/LABEL.backup_label and LABEL.wal/ (hooks-builtin.ts); once the set's snapshots are taken and
 * the backup ended well, `snapshot create` writes LABEL_DIR/LABEL.snapshots: the set's snapshots, one
 * `vg/lv` per line. `snapshot restore` reads that record; only a snapshot no record names (a set made
 * before records existed) is matched by time, to the label nearest its name's stamp within 10 minutes.
 */
import type { Runner } from '../core/runner.js';
import type { Action } from '../model/actions.js';
import { parseSnapshotName, parseStamp } from './names.js';

export const LABEL_DIR = '/var/lib/jts-storage/backup-labels';

/** The record of which snapshots a kept backup belongs to (`vg/lv` per line, newline-terminated). */
export function backupRecordAction(label: string, set: string, snapshots: readonly string[]): Action {
  const path = `${LABEL_DIR}/${label}.snapshots`;
  return {
    id: `snapshot-hook:${set}:record:${label}`,
    kind: 'create',
    resource: `file ${path}`,
    summary: `record that ${snapshots.join(', ')} belong to the PostgreSQL backup ${label}`,
    dependsOn: [],
    steps: [{ type: 'write-file', path, content: snapshots.map((x) => `${x}\n`).join(''), mode: 0o600, backup: false }],
  };
}

/** The snapshot ids (`vg/lv`) a record lists; blank lines and surrounding spaces ignored. */
export function parseBackupRecord(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

export interface KeptPgBackup {
  backupLabel: string;
  walDir?: string;
  /** 'recorded': a LABEL.snapshots names this snapshot; 'nearest in time': no record names it. */
  found: 'recorded' | 'nearest in time';
}

/**
 * The PostgreSQL backup kept when `snapshot` (`vg/lv` or `lv`, one of our snapshot names) was created:
 * the label whose record lists it; else, among labels of its set without a record, the one whose stamp is
 * nearest the snapshot's name stamp within 10 minutes (the hook's stamp is taken when the set starts, the
 * snapshot's when it is planned). A label recorded for other snapshots is never matched by time. Its WAL
 * directory where it exists. undefined when the name is not one of ours or nothing matches.
 */
export async function keptPgBackup(runner: Runner, snapshot: string): Promise<KeptPgBackup | undefined> {
  const lv = snapshot.split('/').pop() ?? '';
  const vg = snapshot.includes('/') ? snapshot.split('/')[0] : undefined;
  const p = parseSnapshotName(lv);
  if (!p) return undefined;
  const names = await runner.readdir(LABEL_DIR).catch(() => [] as string[]);
  const prefix = `jts-${p.set}-`;
  const result = async (label: string, found: KeptPgBackup['found']): Promise<KeptPgBackup> => {
    const walDir = `${LABEL_DIR}/${label}.wal`;
    return { backupLabel: `${LABEL_DIR}/${label}.backup_label`, ...((await runner.exists(walDir)) ? { walDir } : {}), found };
  };
  const recorded = new Set<string>();
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.snapshots')) continue;
    const label = n.slice(0, -'.snapshots'.length);
    recorded.add(label);
    const ids = parseBackupRecord((await runner.readFileIfExists(`${LABEL_DIR}/${n}`)) ?? '');
    if (ids.some((id) => id.split('/').pop() === lv && (!vg || id.split('/')[0] === vg)) && names.includes(`${label}.backup_label`)) return result(label, 'recorded');
  }
  let best: { label: string; off: number } | undefined;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.backup_label')) continue;
    const label = n.slice(0, -'.backup_label'.length);
    if (recorded.has(label)) continue;
    const t = parseStamp(label.slice(prefix.length));
    const off = t ? Math.abs(t.getTime() - p.time.getTime()) : Infinity;
    if (off <= 600_000 && (!best || off < best.off)) best = { label, off };
  }
  return best ? result(best.label, 'nearest in time') : undefined;
}
