/**
 * health's validated-plan cache: a hit only for the same plan text (and validator code), never for an
 * invalid plan; errors worded as loadPlanFile words them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { healthCacheDir, loadHealthPlan, VALIDATOR_MODULES } from '../../src/health/plan-cache.js';
import { SpawnRunner } from '../../src/health/spawn-runner.js';
import { loadPlanFile } from '../../src/model/load-plan.js';

const PLAN = `version: 1
drives:
  - id: d0
    serial: JTS-HEALTH-0
volumeGroups:
  - name: vg_h
    drives: [d0]
    reserve: 1GiB
volumes:
  - name: lv_data
    vg: vg_h
    size: 1GiB
    mount: { path: /mnt/data, options: [noatime] }
    snapshot: { warnFillPercent: 40, critFillPercent: 60 }
health:
  warningPercent: 60
  criticalPercent: 70
`;

function withDir(fn: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jts-plan-cache-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('cache dir: env override ("off" disables), root → /var/cache, else XDG or ~/.cache', () => {
  assert.equal(healthCacheDir({ JTS_STORAGE_CACHE_DIR: '/x/y' }, 0), '/x/y');
  assert.equal(healthCacheDir({ JTS_STORAGE_CACHE_DIR: 'off', HOME: '/root' }, 0), undefined);
  assert.equal(healthCacheDir({ JTS_STORAGE_CACHE_DIR: '' }, 1000), undefined);
  assert.equal(healthCacheDir({ HOME: '/root' }, 0), '/var/cache/jts-storage');
  assert.equal(healthCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/home/u' }, 1000), '/c/jts-storage');
  assert.equal(healthCacheDir({ HOME: '/home/u' }, 1000), '/home/u/.cache/jts-storage');
  assert.equal(healthCacheDir({}, 1000), undefined);
});

test(
  'first run validates and caches; same text → the cached plan, equal to a fresh validation; new text → validated again',
  withDir(async (dir) => {
    const r = new SpawnRunner();
    const file = join(dir, 'plan.yaml');
    const cache = join(dir, 'cache');
    writeFileSync(file, PLAN);
    const a = await loadHealthPlan(r, file, { cacheDir: cache });
    assert.equal(a.source, 'validated');
    const [name] = readdirSync(cache);
    assert.match(name!, /^health-plan-[0-9a-f]{16}\.json$/);
    assert.equal(statSync(join(cache, name!)).mode & 0o777, 0o600);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    const b = await loadHealthPlan(r, file, { cacheDir: cache });
    assert.equal(b.source, 'cache');
    assert.deepEqual(b.plan, JSON.parse(JSON.stringify((await loadPlanFile(file)).plan)));
    assert.equal(b.plan.health.warningPercent, 60);
    assert.equal(b.plan.volumes[0]!.snapshot!.critFillPercent, 60);
    // Defaults filled in by the schema come back from the cache too.
    assert.equal(b.plan.tuning.schedulers.nvme, 'none');

    writeFileSync(file, PLAN.replace('warningPercent: 60', 'warningPercent: 50'));
    const c = await loadHealthPlan(r, file, { cacheDir: cache });
    assert.equal(c.source, 'validated');
    assert.equal(c.plan.health.warningPercent, 50);
    assert.equal((await loadHealthPlan(r, file, { cacheDir: cache })).source, 'cache');
    assert.equal(readdirSync(cache).length, 1, 'one file per plan path');
  }),
);

test(
  'an invalid plan is never served from the cache: PlanError as loadPlanFile throws it',
  withDir(async (dir) => {
    const r = new SpawnRunner();
    const file = join(dir, 'plan.yaml');
    const cache = join(dir, 'cache');
    writeFileSync(file, PLAN);
    await loadHealthPlan(r, file, { cacheDir: cache });
    const bad = PLAN.replace('criticalPercent: 70', 'criticalPercent: 50');
    writeFileSync(file, bad);
    await assert.rejects(loadHealthPlan(r, file, { cacheDir: cache }), /criticalPercent/);
    await assert.rejects(loadHealthPlan(r, file, { cacheDir: cache }), /criticalPercent/);
    await assert.rejects(loadHealthPlan(r, join(dir, 'none.yaml'), { cacheDir: cache }), /plan file not found/);
  }),
);

test(
  'a corrupt or foreign cache file is a miss, then replaced; no cache dir → plain validation',
  withDir(async (dir) => {
    const r = new SpawnRunner();
    const file = join(dir, 'plan.yaml');
    const cache = join(dir, 'cache');
    writeFileSync(file, PLAN);
    await loadHealthPlan(r, file, { cacheDir: cache });
    const p = join(cache, readdirSync(cache)[0]!);
    writeFileSync(p, '{"key": "not this one", "plan": {"volumes": []}}');
    assert.equal((await loadHealthPlan(r, file, { cacheDir: cache })).source, 'validated');
    writeFileSync(p, '{ truncated');
    assert.equal((await loadHealthPlan(r, file, { cacheDir: cache })).source, 'validated');
    assert.equal((await loadHealthPlan(r, file, { cacheDir: cache })).source, 'cache');
    assert.match(readFileSync(p, 'utf8'), /"key":"[0-9a-f]{64}"/);
    assert.equal((await loadHealthPlan(r, file)).source, 'validated');
  }),
);

test("the validator fingerprint covers load-plan's run-time imports (a new validator invalidates the cache)", () => {
  const base = new URL('../../src/health/', import.meta.url);
  const listed = new Set(VALIDATOR_MODULES.map((m) => fileURLToPath(new URL(m, base))));
  // Relative imports that do not change what a valid plan is (error classes).
  const allowed = new Set([fileURLToPath(new URL('../core/exit-codes.js', base))]);
  for (const m of listed) {
    const js = readFileSync(m, 'utf8');
    for (const [, spec] of js.matchAll(/^import\s[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const dep = fileURLToPath(new URL(spec!, `file://${m}`));
      assert.ok(listed.has(dep) || allowed.has(dep), `${m} imports ${spec}: add it to VALIDATOR_MODULES`);
    }
  }
});
