import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRetention, isoWeek, periodKey, type RetentionItem } from '../../src/snapshot/retention.js';
import type { Retention } from '../../src/model/plan-schema.js';

const pol = (p: Partial<Retention>): Retention => ({ keepLast: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, minAge: '0h', ...p });
const at = (iso: string, extra: Partial<RetentionItem> = {}): RetentionItem => ({ id: iso, time: new Date(iso), valid: true, ...extra });
const kept = (items: RetentionItem[], p: Retention, now: string, removeLost = false) =>
  applyRetention(items, p, { now: new Date(now), removeLost })
    .filter((d) => d.action === 'keep')
    .map((d) => d.id)
    .sort();

// Hourly snapshots over three days, 2026-11-19T00:00Z … 2026-11-21T23:00Z.
const hourly: RetentionItem[] = [];
for (let h = 0; h < 72; h++) hourly.push(at(new Date(Date.UTC(2026, 10, 19, h)).toISOString()));
const NOW = '2026-11-22T00:30:00.000Z';

interface Case {
  name: string;
  items: RetentionItem[];
  policy: Retention;
  now: string;
  keep: string[];
  removeLost?: boolean;
}
const cases: Case[] = [
  { name: 'keepLast 0 still keeps the newest valid', items: hourly, policy: pol({}), now: NOW, keep: ['2026-11-21T23:00:00.000Z'] },
  { name: 'keepLast 3', items: hourly, policy: pol({ keepLast: 3 }), now: NOW, keep: ['2026-11-21T21:00:00.000Z', '2026-11-21T22:00:00.000Z', '2026-11-21T23:00:00.000Z'] },
  {
    name: 'daily 2 = first snapshot of each of the 2 newest days, plus the newest',
    items: hourly,
    policy: pol({ daily: 2 }),
    now: NOW,
    keep: ['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-21T23:00:00.000Z'],
  },
  {
    name: 'daily 7 with only 3 days keeps 3 firsts',
    items: hourly,
    policy: pol({ daily: 7 }),
    now: NOW,
    keep: ['2026-11-19T00:00:00.000Z', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-21T23:00:00.000Z'],
  },
  {
    name: 'hourly 2 + daily 1 overlap',
    items: hourly,
    policy: pol({ hourly: 2, daily: 1 }),
    now: NOW,
    keep: ['2026-11-21T00:00:00.000Z', '2026-11-21T22:00:00.000Z', '2026-11-21T23:00:00.000Z'],
  },
  {
    name: 'minAge keeps everything younger',
    items: hourly,
    policy: pol({ minAge: '3h' }),
    now: NOW,
    keep: ['2026-11-21T22:00:00.000Z', '2026-11-21T23:00:00.000Z'],
  },
  {
    name: 'weekly: weeks start on Monday (2026-11-23 is a Monday)',
    items: [at('2026-11-21T10:00:00.000Z'), at('2026-11-22T10:00:00.000Z'), at('2026-11-23T10:00:00.000Z'), at('2026-11-24T10:00:00.000Z')],
    policy: pol({ weekly: 2 }),
    now: '2026-11-25T00:00:00.000Z',
    keep: ['2026-11-21T10:00:00.000Z', '2026-11-23T10:00:00.000Z', '2026-11-24T10:00:00.000Z'],
  },
  {
    name: 'monthly 2 over a year boundary',
    items: [at('2025-11-30T00:00:00.000Z'), at('2025-12-01T00:00:00.000Z'), at('2025-12-31T23:59:59.000Z'), at('2026-01-01T00:00:00.000Z'), at('2026-01-15T00:00:00.000Z')],
    policy: pol({ monthly: 2 }),
    now: '2026-02-01T00:00:00.000Z',
    keep: ['2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-15T00:00:00.000Z'],
  },
  {
    name: 'an invalid newest does not count: the newest VALID is kept, the invalid is LOST (not kept, not removed)',
    items: [at('2026-11-21T10:00:00.000Z'), at('2026-11-21T11:00:00.000Z', { valid: false })],
    policy: pol({}),
    now: NOW,
    keep: ['2026-11-21T10:00:00.000Z'],
  },
  {
    name: 'pinned survives',
    items: [at('2026-11-01T10:00:00.000Z', { pinned: true }), at('2026-11-02T10:00:00.000Z'), at('2026-11-21T10:00:00.000Z')],
    policy: pol({ keepLast: 1 }),
    now: NOW,
    keep: ['2026-11-01T10:00:00.000Z', '2026-11-21T10:00:00.000Z'],
  },
  { name: 'empty list', items: [], policy: pol({ keepLast: 3 }), now: NOW, keep: [] },
];

for (const c of cases) {
  test(`retention: ${c.name}`, () => {
    assert.deepEqual(kept(c.items, c.policy, c.now, c.removeLost), [...c.keep].sort());
  });
}

test('retention: input order does not matter', () => {
  const shuffled = [...hourly].reverse();
  assert.deepEqual(kept(shuffled, pol({ daily: 2, keepLast: 2 }), NOW), kept(hourly, pol({ daily: 2, keepLast: 2 }), NOW));
});

test('retention: LOST snapshots are reported as lost, removed only with removeLost', () => {
  const items = [at('2026-11-21T10:00:00.000Z'), at('2026-11-21T11:00:00.000Z', { valid: false })];
  const d = applyRetention(items, pol({}), { now: new Date(NOW) });
  assert.equal(d.find((x) => x.id === '2026-11-21T11:00:00.000Z')!.action, 'lost');
  const d2 = applyRetention(items, pol({}), { now: new Date(NOW), removeLost: true });
  assert.equal(d2.find((x) => x.id === '2026-11-21T11:00:00.000Z')!.action, 'remove');
  assert.equal(d2.find((x) => x.id === '2026-11-21T10:00:00.000Z')!.action, 'keep');
});

test('retention: every decision carries a reason', () => {
  for (const d of applyRetention(hourly, pol({ hourly: 3, daily: 2, weekly: 1, monthly: 1, keepLast: 2, minAge: '1h' }), { now: new Date(NOW) })) assert.ok(d.reasons.length > 0);
});

test('retention: the newest valid snapshot is never removed, for any policy', () => {
  for (const p of [pol({}), pol({ minAge: '0' }), pol({ daily: 1 }), pol({ monthly: 1 })]) {
    const d = applyRetention(hourly, p, { now: new Date('2030-01-01T00:00:00Z') });
    assert.equal(d.find((x) => x.id === '2026-11-21T23:00:00.000Z')!.action, 'keep');
  }
});

test('ISO weeks and period keys (UTC)', () => {
  assert.equal(isoWeek(new Date('2026-01-01T00:00:00Z')), '2026-W01');
  assert.equal(isoWeek(new Date('2027-01-01T00:00:00Z')), '2026-W53');
  assert.equal(isoWeek(new Date('2024-12-30T00:00:00Z')), '2025-W01');
  assert.equal(isoWeek(new Date('2026-11-22T23:59:59Z')), isoWeek(new Date('2026-11-16T00:00:00Z')));
  assert.notEqual(isoWeek(new Date('2026-11-22T23:59:59Z')), isoWeek(new Date('2026-11-23T00:00:00Z')));
  assert.equal(periodKey('hourly', new Date('2026-11-21T23:59:59Z')), '2026-11-21T23');
  assert.equal(periodKey('daily', new Date('2026-11-21T23:59:59-02:00')), '2026-11-22');
});
