/** `snapshot list`: every snapshot on the host with fill, age, set, origin and validity. */
import type { Plan } from '../model/plan-schema.js';
import type { SnapshotInfo } from './lvm-report.js';
import { fmtAge, fmtBytes } from './units.js';

/** 'unknown': the fill could not be read (never shown as ok). */
export type SnapshotStatus = 'ok' | 'warning' | 'critical' | 'LOST' | 'merging' | 'unknown';

export interface ListedSnapshot extends Omit<SnapshotInfo, 'time'> {
  time?: string;
  ageMs?: number;
  status: SnapshotStatus;
  warnFillPercent: number;
  critFillPercent: number;
}

export function listView(snaps: SnapshotInfo[], now: Date, plan?: Plan): ListedSnapshot[] {
  return snaps.map((s) => {
    const pol = plan?.volumes.find((v) => v.vg === s.vg && v.name === s.origin)?.snapshot;
    const warn = pol?.warnFillPercent ?? 70;
    const crit = pol?.critFillPercent ?? 85;
    const f = s.fillPercent;
    const status: SnapshotStatus = !s.valid ? 'LOST' : s.merging ? 'merging' : f === undefined ? 'unknown' : f >= crit ? 'critical' : f >= warn ? 'warning' : 'ok';
    return { ...s, time: s.time?.toISOString(), ageMs: s.time ? now.getTime() - s.time.getTime() : undefined, status, warnFillPercent: warn, critFillPercent: crit };
  });
}

export function renderList(rows: ListedSnapshot[]): string {
  if (rows.length === 0) return 'no snapshots\n';
  const head = ['SNAPSHOT', 'ORIGIN', 'SET', 'KIND', 'AGE', 'SIZE', 'FILL', 'STATUS', 'JTS'];
  const body = rows.map((r) => [
    r.id,
    r.origin,
    r.set ?? '-',
    r.kind,
    r.ageMs === undefined ? '?' : fmtAge(r.ageMs),
    r.kind === 'thin' ? `thin (${r.pool})` : fmtBytes(r.sizeBytes),
    r.fillPercent === undefined ? 'unknown' : `${r.fillPercent.toFixed(1)}%${r.kind === 'thin' ? ' pool' : ''}`,
    r.status === 'LOST' ? 'LOST (invalidated: COW overflowed)' : r.status,
    r.managed ? (r.pinned ? 'yes, pinned' : 'yes') : 'no',
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
  const lost = rows.filter((r) => r.status === 'LOST').length;
  const unknown = rows.filter((r) => r.status === 'unknown');
  return (
    [line(head), ...body.map(line)].join('\n') +
    '\n' +
    (lost ? `${lost} snapshot(s) LOST: their data is gone; remove them with "snapshot prune --remove-lost"\n` : '') +
    unknown.map((r) => `${r.id}: fill unknown: ${r.fillUnknown ?? 'not reported'}\n`).join('')
  );
}
