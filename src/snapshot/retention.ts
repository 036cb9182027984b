/**
 * Retention: which snapshots of ONE origin volume to keep, in the manner of Snapper's timeline cleanup
 * (snapper-configs(5): "an hourly snapshot is the first snapshot in an hour", likewise daily, weekly —
 * weeks start on Monday — and monthly), plus keep-last N and a minimum age.
 *
 * Pure: the clock is an argument. Periods are computed in UTC (snapshot names carry UTC stamps, and a
 * daylight-saving change must not make two "days" out of one).
 *
 * Rules, in order, each adding a reason to keep:
 *  1. an invalidated (classic, COW overflowed) snapshot holds no usable data: it is LOST — never pruned
 *     silently, removed only when the caller passes removeLost; it counts in no bucket;
 *  2. the newest valid snapshot is always kept, whatever the policy says (keepLast 0 included);
 *  3. the newest `keepLast` valid snapshots;
 *  4. for hourly/daily/weekly/monthly = N: the first (oldest) snapshot of each of the N most recent
 *     periods that have a snapshot;
 *  5. anything younger than minAge;
 *  6. pinned snapshots (tag jts-keep).
 * Everything else is removed.
 */
import type { Retention } from '../model/plan-schema.js';
import { parseDurationMs } from './units.js';

export interface RetentionItem {
  id: string;
  time: Date;
  valid: boolean;
  pinned?: boolean;
}

export type RetentionAction = 'keep' | 'remove' | 'lost';

export interface RetentionDecision {
  id: string;
  time: Date;
  action: RetentionAction;
  /** Why kept (e.g. "last 1", "daily 2026-11-21", "min-age"), or why removed. */
  reasons: string[];
}

export type Period = 'hourly' | 'daily' | 'weekly' | 'monthly';
export const PERIODS: Period[] = ['hourly', 'daily', 'weekly', 'monthly'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** ISO-8601 week (Monday start) of a UTC date, as "2026-W47". */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dayNum = t.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  t.setUTCDate(t.getUTCDate() + 4 - dayNum); // the Thursday of this week decides the year
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export function periodKey(p: Period, d: Date): string {
  const y = d.getUTCFullYear();
  const mo = pad(d.getUTCMonth() + 1);
  const day = pad(d.getUTCDate());
  switch (p) {
    case 'hourly':
      return `${y}-${mo}-${day}T${pad(d.getUTCHours())}`;
    case 'daily':
      return `${y}-${mo}-${day}`;
    case 'weekly':
      return isoWeek(d);
    case 'monthly':
      return `${y}-${mo}`;
  }
}

export interface RetentionOptions {
  now: Date;
  removeLost?: boolean;
}

export function applyRetention(items: RetentionItem[], policy: Retention, opts: RetentionOptions): RetentionDecision[] {
  const minAgeMs = parseDurationMs(policy.minAge);
  const reasons = new Map<string, string[]>();
  const add = (id: string, r: string) => reasons.get(id)!.push(r);
  for (const it of items) reasons.set(it.id, []);

  // Newest first; ties broken by id so the result never depends on input order.
  const sorted = [...items].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const valid = sorted.filter((i) => i.valid);

  if (valid[0]) add(valid[0].id, 'newest valid');
  valid.slice(0, policy.keepLast).forEach((it, i) => add(it.id, `last ${i + 1}/${policy.keepLast}`));

  for (const p of PERIODS) {
    const limit = policy[p];
    if (!limit) continue;
    // The first (oldest) snapshot of each period: walking newest → oldest, an item is the first of
    // its period when the next older item belongs to another period (or there is none).
    let kept = 0;
    for (let i = 0; i < valid.length && kept < limit; i++) {
      const key = periodKey(p, valid[i]!.time);
      const older = valid[i + 1];
      if (!older || periodKey(p, older.time) !== key) {
        add(valid[i]!.id, `${p} ${key}`);
        kept++;
      }
    }
  }

  for (const it of sorted) {
    if (it.valid && opts.now.getTime() - it.time.getTime() < minAgeMs) add(it.id, `min-age ${policy.minAge}`);
    if (it.pinned) add(it.id, 'pinned (jts-keep)');
  }

  return sorted.map((it) => {
    const r = reasons.get(it.id)!;
    if (!it.valid) {
      if (opts.removeLost) return { id: it.id, time: it.time, action: 'remove', reasons: ['LOST (invalidated), removal asked with --remove-lost'] };
      return { id: it.id, time: it.time, action: 'lost', reasons: ['LOST: invalidated (COW space overflowed); kept until removed with --remove-lost'] };
    }
    if (r.length) return { id: it.id, time: it.time, action: 'keep', reasons: r };
    return { id: it.id, time: it.time, action: 'remove', reasons: ['outside the retention policy'] };
  });
}
