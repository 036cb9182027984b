/**
 * JTS-THIN-AUTOEXTEND-STEP: one autoextend step of a thin pool (percent of its current size, rounded up to
 * extents, + metadata and its spare) must fit the VG's free extents after the plan; a pool in a VG that
 * keeps nothing free can never grow. Generated plans (fast-check): the finding appears exactly when the
 * step computed from the layout does not fit, and the way out it names (a lower percent) makes it go away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadPlanText, loadPlanFile, DEFAULT_PLAN_PATH } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import { autoextendStep, maxFittingPercent } from '../../src/lint/lvm-rules.js';
import type { HostState } from '../../src/model/host-state.js';

const root = new URL('../../../', import.meta.url);
const STATE: HostState = parseDrivesFile(readFileSync(new URL('examples/drives/4tb-nvme.yaml', root), 'utf8'), '4tb-nvme.yaml');
const ID = 'JTS-THIN-AUTOEXTEND-STEP';

interface Variant {
  reserve: string;
  pool: string;
  meta: string;
  percent: number;
  threshold: number;
  thick: number;
}
function planOf(v: Variant): string {
  return `version: 1
drives: [{ id: d, serial: JTS-NVME-0 }]
volumeGroups:
  - name: vg
    drives: [d]
    reserve: ${v.reserve}
    thinPools:
      - { name: pool, size: ${v.pool}, metadataSize: ${v.meta}, autoextend: { threshold: ${v.threshold}, percent: ${v.percent} } }
volumes:
  - { name: thick, vg: vg, size: ${v.thick}GiB, filesystem: { type: none } }
  - { name: db, vg: vg, size: 100GiB, thinPool: pool, filesystem: { type: none }, snapshot: { type: thin, retention: { keepLast: 1 } } }
`;
}
function run(v: Variant) {
  const loaded = loadPlanText(planOf(v), 'p.yaml');
  const layout = resolveLayout(loaded.plan, STATE, loaded);
  const findings = lintPlan(loaded, STATE, layout);
  return { layout, findings, step: findings.find((f) => f.rule === ID) };
}

test('autoextendStep: percent of the pool rounded up, metadata twice (LV + spare); maxFittingPercent is the largest that fits', () => {
  // the default plan's pool on the 4 TB drive: 619,373 data extents, 256 metadata extents (1 GiB)
  assert.deepEqual(autoextendStep(619373, 256, 20), { data: 123875, metadata: 104, total: 123979 }); // 483.89 GiB: the open risk
  assert.deepEqual(autoextendStep(619373, 256, 15), { data: 92906, metadata: 78, total: 92984 });
  assert.equal(maxFittingPercent(619373, 256, 95368), 15); // the reserve: 10 % of 953,673 extents
  assert.equal(maxFittingPercent(619373, 256, 0), 0);
  assert.deepEqual(autoextendStep(1, 1, 1), { data: 1, metadata: 2, total: 3 }); // a relative extension never rounds to 0
});

test('the default plan: one +15 % step (92,984 extents = 363.22 GiB) fits the 95,368 extents kept free', async () => {
  const loaded = await loadPlanFile(DEFAULT_PLAN_PATH);
  const layout = resolveLayout(loaded.plan, STATE, loaded);
  const vg = layout.vgs[0]!;
  const pool = vg.thinPools.find((p) => p.name === 'pool_db')!;
  const percent = loaded.plan.volumeGroups[0]!.thinPools[0]!.autoextend!.percent;
  assert.ok(autoextendStep(pool.extents, pool.metadataExtents, percent).total <= vg.freeExtents - (vg.snapshotCowExtents ?? 0));
  assert.equal(lintPlan(loaded, STATE, layout).find((f) => f.rule === ID), undefined);
  // the same plan with the +20 % it had: the finding, at the percent's line, naming the ways out
  const text = readFileSync(DEFAULT_PLAN_PATH, 'utf8').replace(/percent: 15 \}/, 'percent: 20 }');
  assert.notEqual(text, readFileSync(DEFAULT_PLAN_PATH, 'utf8'));
  const l20 = loadPlanText(text, 'jts.yaml');
  const f = lintPlan(l20, STATE, resolveLayout(l20.plan, STATE, l20)).find((x) => x.rule === ID)!;
  assert.ok(f, 'a +20 % step does not fit');
  assert.equal(f.severity, 'warning');
  assert.equal(f.field, 'volumeGroups[0].thinPools[0].autoextend.percent');
  assert.equal(text.split('\n')[f.line! - 1]!.includes('percent: 20'), true);
  assert.match(f.message, /one step asks for 123875 extents \(483\.89 GiB[^)]*\)\) \+ 104 for metadata and its spare = 123979, but vg_jts keeps only 95368 free after the plan/);
  assert.match(f.message, /lower autoextend\.percent to 15 or less/);
  assert.match(f.message, /keep 111\.76 GiB .* more free/);
});

test('a pool in a VG that keeps nothing free can never grow', () => {
  const { step } = run({ reserve: '0', pool: 'rest', meta: '1GiB', percent: 10, threshold: 80, thick: 100 });
  assert.ok(step);
  assert.match(step.message, /keeps no free extents after the plan: the pool can never grow/);
  assert.match(step.message, /reserve:/);
});

test('threshold 100 disables autoextend: JTS-THIN-NO-AUTOEXTEND, not a step finding', () => {
  const { findings } = run({ reserve: '0', pool: 'rest', meta: '1GiB', percent: 10, threshold: 100, thick: 100 });
  assert.equal(findings.find((f) => f.rule === ID), undefined);
  assert.match(findings.find((f) => f.rule === 'JTS-THIN-NO-AUTOEXTEND')!.message, /threshold 100 disables it/);
});

test('generated plans: the finding appears exactly when one step does not fit, and the percent it names fits', () => {
  const variant = fc.record({
    reserve: fc.oneof(fc.constant('0'), fc.integer({ min: 1, max: 40 }).map((p) => `${p}%`), fc.integer({ min: 1, max: 900 }).map((g) => `${g}GiB`)),
    pool: fc.oneof(fc.constant('rest'), fc.integer({ min: 100, max: 2500 }).map((g) => `${g}GiB`)),
    meta: fc.constantFrom('256MiB', '1GiB', '4GiB'),
    percent: fc.integer({ min: 1, max: 100 }),
    threshold: fc.integer({ min: 50, max: 99 }),
    thick: fc.integer({ min: 1, max: 800 }),
  });
  fc.assert(
    fc.property(variant, (v) => {
      const { layout, findings, step } = run(v);
      const vg = layout.vgs[0]!;
      if (vg.shortfallBytes > 0 || findings.some((f) => f.rule === 'JTS-CAPACITY')) return; // does not fit at all: its own error
      const pool = vg.thinPools[0]!;
      const free = Math.max(vg.freeExtents - (vg.snapshotCowExtents ?? 0), 0);
      const need = Math.ceil((pool.extents * v.percent) / 100) + 2 * Math.ceil((pool.metadataExtents * v.percent) / 100);
      assert.equal(Boolean(step), need > free, `${JSON.stringify(v)}: need ${need}, free ${free}`);
      if (!step) return;
      const named = /lower autoextend\.percent to (\d+) or less/.exec(step.message);
      if (free === 0) assert.match(step.message, /can never grow/);
      else if (named) {
        const q = Number(named[1]);
        assert.equal(run({ ...v, percent: q }).step, undefined, `percent ${q} fits`);
        assert.ok(run({ ...v, percent: q + 1 }).step, `percent ${q + 1} does not (the largest that fits)`);
      } else assert.equal(maxFittingPercent(pool.extents, pool.metadataExtents, free), 0);
    }),
    { numRuns: 150, seed: 1414 },
  );
});
