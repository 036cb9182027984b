import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPlanDetailed } from '../../src/diff/diff.js';
import { verifyHost } from '../../src/verify/verify.js';
import { mountOptionDrift } from '../../src/health/drift.js';
import { FakeRunner } from '../support/fake-runner.js';
import { appliedState, described, layoutOf, loadPlan } from '../diff/helpers.js';

// One owner for the mount-option comparison (src/facts/mount-options.ts): the same live options get
// the same verdict from plan (remount or DIFF-REMOUNT-INSUFFICIENT), verify (option drift) and health.
const loaded = loadPlan();
const base = described();
const layout = layoutOf(loaded, base);

/** Live option edits on an applied host, with the verdict all three must give. */
const cases: { path: string; live: (opts: string[]) => string[]; differs: boolean; what: string }[] = [
  { path: '/var/lib/postgresql', live: (o) => o, differs: false, what: 'as applied (kernel spelling)' },
  { path: '/var/lib/kafka', live: (o) => o, differs: false, what: 'xfs as applied' },
  { path: '/var/lib/kafka', live: (o) => o.filter((x) => x !== 'logbufs=8'), differs: false, what: 'xfs logbufs=8 is a default a kernel may hide' },
  { path: '/var/lib/kafka', live: (o) => o.map((x) => (x === 'logbsize=256k' ? 'logbsize=64k' : x)), differs: true, what: 'xfs logbsize differs' },
  { path: '/var/lib/postgresql', live: (o) => [...o, 'errors=remount-ro', 'stripe=16'], differs: false, what: 'kernel additions' },
  { path: '/var/lib/postgresql', live: (o) => o.map((x) => (x === 'rw' ? 'ro' : x)), differs: true, what: 'read-only' },
  { path: '/var/lib/postgresql', live: (o) => [...o, 'discard'], differs: true, what: 'discard set, not planned' },
  { path: '/var/lib/postgresql', live: (o) => [...o, 'commit=30'], differs: true, what: 'commit=30 set, not planned' },
  { path: '/var/lib/postgresql', live: (o) => o.map((x) => (x === 'noatime' ? 'relatime' : x)), differs: true, what: 'relatime, plan noatime' },
  { path: '/var/lib/postgresql', live: (o) => o.filter((x) => x !== 'noatime'), differs: true, what: 'strictatime (kernel prints no atime word)' },
  { path: '/backup', live: (o) => o.filter((x) => x !== 'nodev'), differs: true, what: 'nodev missing' },
  { path: '/var/lib/mongodb', live: (o) => [...o, 'largeio'], differs: true, what: 'xfs largeio (not remountable)' },
];

for (const c of cases) {
  test(`mount options, one verdict from plan, verify and health: ${c.path} ${c.what}`, async () => {
    const state = appliedState(loaded, base, layout);
    const m = state.mounts.find((x) => x.target === c.path)!;
    m.options = c.live(m.options);
    const v = loaded.plan.volumes.find((x) => x.mount?.path === c.path)!;

    const d = diffPlanDetailed(loaded, state, layout);
    const plan = d.actions.some((a) => a.id === `mount:${c.path}:remount`) || d.findings.some((f) => f.rule === 'DIFF-REMOUNT-INSUFFICIENT' && f.message.includes(`of ${c.path} `));
    const runner = new FakeRunner().on(() => true, { exitCode: 1, stderr: 'not captured here' });
    const r = await verifyHost(runner, loaded.plan, state, layout);
    const verify = r.drift.some((x) => x.resource === `mount ${c.path}` && x.check.startsWith('option '));
    const health = mountOptionDrift(v.mount!.options, m.fstype, m.options).length > 0;

    assert.deepEqual({ plan, verify, health }, { plan: c.differs, verify: c.differs, health: c.differs }, `live ${m.options.join(',')}; verify: ${JSON.stringify(r.drift)}`);
  });
}
