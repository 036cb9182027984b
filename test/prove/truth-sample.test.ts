import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sampleRows, sampleSelection, disagreements, TRUTH_KINDS } from '../../src/prove/truth-sample.js';
import { truthGroups } from '../../src/prove/truth-cases.js';
import type { TruthRow } from '../../src/prove/try.js';

/** The sample the kernel-truth VM test re-runs: deterministic, every kind, rows that exist in the groups. */
const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/kernel-truth/sweep.json', import.meta.url), 'utf8')) as { rows: TruthRow[] };

test('truth sample: 7 rows of each kind (ext4/XFS × ok / mount refused / mkfs refused), the same every time', () => {
  const s = sampleRows(fx.rows);
  assert.equal(s.length, 42);
  for (const [fs, verdict] of TRUTH_KINDS) assert.equal(s.filter((r) => r.fs === fs && r.verdict === verdict).length, 7, `${fs} ${verdict}`);
  assert.deepEqual(sampleRows(fx.rows), s);
  assert.equal(new Set(s.map((r) => `${r.group}:${JSON.stringify(r.mount)}`)).size, 42, 'no row twice');
  // every sampled row is a mount list of its group in today's truth-cases (the guest runs it from there)
  const groups = truthGroups();
  for (const [g, mounts] of sampleSelection(s)) for (const m of mounts) assert.ok(groups[g]!.mounts.some((x) => JSON.stringify(x) === JSON.stringify(m)), `group ${g} has [${m}]`);
});

test('truth sample: a changed verdict or a missing row is named with both verdicts and the kernel message', () => {
  const s = sampleRows(fx.rows).slice(0, 3);
  assert.deepEqual(disagreements(s, s), []);
  const changed = { ...s[0]!, verdict: 'mount-refused' as const, mountErr: 'mount: wrong fs type', dmesg: 'EXT4-fs (dm-0): bad option' };
  const bad = disagreements(s, [changed, s[1]!]);
  assert.equal(bad.length, 2);
  assert.match(bad[0]!, /^group \d+: ext4 \d+MiB mkfs\.ext4 -q.* DEV, mount \[.*\]: fixture ok, today mount-refused \(mount: wrong fs type EXT4-fs \(dm-0\): bad option\)$/);
  assert.match(bad[1]!, /fixture ok, today: no row/);
});
