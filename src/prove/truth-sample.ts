/**
 * The sample of the kernel-truth sweep that the VM test re-runs on today's sandbox kernel
 * (test/vm/kernel-truth.vm.test.ts): deterministic, every kind covered. The fixture's rows are bucketed
 * by (filesystem, verdict) — ext4/XFS × accepted / mount refused / mkfs refused — and `perKind` rows are
 * taken from each bucket at even spacing (the same rows every run while the fixture is the same).
 * Rows of one group share its mkfs, so the cost is about one mkfs per distinct group plus one mount per row.
 */
import type { TruthRow } from './try.js';
import type { TruthSelection } from './truth-guest.js';

export const TRUTH_KINDS = [
  ['ext4', 'ok'],
  ['ext4', 'mount-refused'],
  ['ext4', 'mkfs-refused'],
  ['xfs', 'ok'],
  ['xfs', 'mount-refused'],
  ['xfs', 'mkfs-refused'],
] as const;

/** `perKind` rows of each (fs, verdict) bucket, evenly spaced; fewer when a bucket is smaller. */
export function sampleRows(rows: TruthRow[], perKind = 7): TruthRow[] {
  const out: TruthRow[] = [];
  for (const [fs, verdict] of TRUTH_KINDS) {
    const b = rows.filter((r) => r.fs === fs && r.verdict === verdict);
    const k = Math.min(perKind, b.length);
    for (let i = 0; i < k; i++) out.push(b[Math.floor((i * b.length) / k) + Math.floor(b.length / (2 * k))]!);
  }
  return out;
}

/** The guest's selection for these rows: group index → the rows' mount option lists. */
export function sampleSelection(rows: Pick<TruthRow, 'group' | 'mount'>[]): TruthSelection {
  const sel: TruthSelection = new Map();
  for (const r of rows) {
    const l = sel.get(r.group) ?? [];
    if (!l.some((m) => JSON.stringify(m) === JSON.stringify(r.mount))) l.push(r.mount);
    sel.set(r.group, l);
  }
  return sel;
}

/** One row's identity in messages: "ext4 512MiB mkfs.ext4 -q -O ^has_journal DEV, mount [data=journal]". */
export function rowName(r: Pick<TruthRow, 'fs' | 'sizeMiB' | 'mkfsArgv' | 'mount' | 'group'>): string {
  return `group ${r.group}: ${r.fs} ${r.sizeMiB}MiB ${r.mkfsArgv.slice(0, -1).join(' ')} DEV, mount [${r.mount.join(',') || 'defaults'}]`;
}

/**
 * Rows of today's run whose verdict differs from the fixture's (or that are missing), each named with
 * both verdicts and today's kernel message. Empty = agreement.
 */
export function disagreements(expected: TruthRow[], today: TruthRow[]): string[] {
  const k = (r: Pick<TruthRow, 'group' | 'mount'>) => `${r.group}:${JSON.stringify(r.mount)}`;
  const got = new Map(today.map((r) => [k(r), r]));
  const bad: string[] = [];
  for (const e of expected) {
    const t = got.get(k(e));
    if (!t) bad.push(`${rowName(e)}: fixture ${e.verdict}, today: no row (the guest stopped before it)`);
    else if (t.verdict !== e.verdict) {
      const msg = t.verdict === 'mkfs-refused' ? t.mkfsErr : t.verdict === 'mount-refused' ? `${t.mountErr ?? ''} ${t.dmesg ?? ''}` : '';
      bad.push(`${rowName(e)}: fixture ${e.verdict}, today ${t.verdict}${msg ? ` (${msg.replace(/\s+/g, ' ').trim().slice(0, 200)})` : ''}`);
    }
  }
  return bad;
}
