// The LVM metadata profile of a thin pool with autoextend (src/render/lvm-profile.ts), its parse-back in the
// apply preflight, and the pool's commands in the diff (create with --chunksize/--metadataprofile, attach
// to an existing pool with lvchange --metadataprofile). Settings and command forms: lvmthin(7)
// "Automatic extend settings", "Chunk size"; the LVM-truth sweep ran the same forms (thin-ops/lvcreate-pool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseLvmProfile, renderThinPoolProfile } from '../../src/render/lvm-profile.js';
import { checkWrittenFile, preflightWrittenFiles } from '../../src/render/preflight.js';
import { diffPlanDetailed } from '../../src/diff/diff.js';
import { FakeRunner } from '../support/fake-runner.js';
import { described, layoutOf } from '../diff/helpers.js';
import type { Action } from '../../src/model/actions.js';

const PLAN = (pool: string, extraVg = '') => `version: 1
name: thin-t
drives: [{ id: d, serial: JTS-NVME-0 }]
volumeGroups:
  - name: vg_t
    drives: [d]
    reserve: 10%${extraVg}
    thinPools: [${pool}]
volumes:
  - { name: lv_db, vg: vg_t, thinPool: tp, size: 100GiB, filesystem: { type: none }, snapshot: { type: thin } }
`;

test('profile: exactly the two autoextend settings, read back', () => {
  const f = renderThinPoolProfile('thin-t', 'vg_t', 'tp', { threshold: 80, percent: 20 });
  assert.equal(f.path, '/etc/lvm/profile/jts-vg_t-tp.profile');
  assert.match(f.content, /^activation \{\n\tthin_pool_autoextend_threshold = 80\n\tthin_pool_autoextend_percent = 20\n\}\n$/m);
  assert.deepEqual([...parseLvmProfile(f.content)], [
    ['activation/thin_pool_autoextend_threshold', '80'],
    ['activation/thin_pool_autoextend_percent', '20'],
  ]);
  assert.throws(() => parseLvmProfile('activation {\n\tthin_pool_autoextend_threshold = 80\n'), /not closed/);
  assert.throws(() => parseLvmProfile('thin_pool_autoextend_threshold = 80\n'), /not a setting of a section/);
});

test('plan: chunk size and autoextend are checked; the pool is created with them, the profile written first', () => {
  assert.throws(() => loadPlanText(PLAN('{ name: tp, size: 200GiB, chunkSize: 96KiB }'), 'p.yaml'), /multiple of 64 KiB/);
  assert.throws(() => loadPlanText(PLAN('{ name: tp, size: 200GiB, autoextend: { threshold: 40 } }'), 'p.yaml'), /threshold/);
  const loaded = loadPlanText(PLAN('{ name: tp, size: 200GiB, chunkSize: 256KiB, metadataSize: 1GiB, autoextend: { threshold: 80, percent: 20 } }'), 'p.yaml');
  const st = described();
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const pool = r.actions.find((a) => a.id === 'pool:vg_t/tp:create')!;
  assert.equal(pool.steps[0]!.type, 'write-file');
  const w = pool.steps[0] as Extract<Action['steps'][number], { type: 'write-file' }>;
  assert.equal(w.path, '/etc/lvm/profile/jts-vg_t-tp.profile');
  assert.deepEqual(pool.steps[1], { type: 'exec', argv: ['lvcreate', '--type', 'thin-pool', '-l', '51200', '--poolmetadatasize', '1g', '--chunksize', '256k', '--metadataprofile', 'jts-vg_t-tp', '-n', 'tp', '--yes', 'vg_t'], mutating: true });
  assert.match(pool.summary, /chunk 256KiB, autoextend \+20 % past 80 %/);
  assert.deepEqual(checkWrittenFile(loaded.plan, w.path, w.content), []);
  assert.match(checkWrittenFile(loaded.plan, w.path, w.content.replace('= 80', '= 99')).join('\n'), /not the plan's/);
  // the metadata estimate follows the chunk size when metadataSize is not given: 64 bytes per chunk
  const est = loadPlanText(PLAN('{ name: tp, size: 200GiB, chunkSize: 64KiB }'), 'p.yaml');
  assert.equal(layoutOf(est, st).vgs[0]!.thinPools[0]!.metadataExtents, 50); // 200 GiB / 64 KiB × 64 B = 200 MiB
});

test('an existing pool without the profile gets it attached (lvchange --metadataprofile); with it, nothing', () => {
  const loaded = loadPlanText(PLAN('{ name: tp, size: 200GiB, autoextend: { threshold: 80, percent: 20 } }'), 'p.yaml');
  const st = described();
  const layout = layoutOf(loaded, st);
  const vgl = layout.vgs[0]!;
  st.pvs.push({ name: vgl.pvs[0]!.path, vgName: 'vg_t', sizeBytes: vgl.pvs[0]!.sizeBytes });
  st.vgs.push({ name: 'vg_t', sizeBytes: vgl.totalExtents * 4 * 1024 ** 2, freeBytes: 0, extentSizeBytes: 4 * 1024 ** 2, extentCount: vgl.totalExtents, freeExtentCount: vgl.totalExtents - 51300, pvNames: [vgl.pvs[0]!.path] });
  st.lvs.push({ vgName: 'vg_t', name: 'tp', sizeBytes: 200 * 1024 ** 3, attr: 'twi-aotz--', path: '/dev/vg_t/tp', dataPercent: 1, metadataPercent: 1 });
  st.lvs.push({ vgName: 'vg_t', name: 'lv_db', sizeBytes: 100 * 1024 ** 3, attr: 'Vwi-a-tz--', poolLv: 'tp', path: '/dev/vg_t/lv_db' });
  const r = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  const a = r.actions.find((x) => x.id === 'pool:vg_t/tp:profile')!;
  assert.ok(a, r.actions.map((x) => x.id).join(', '));
  assert.deepEqual(a.steps[1], { type: 'exec', argv: ['lvchange', '--metadataprofile', 'jts-vg_t-tp', 'vg_t/tp'], mutating: true });
  st.lvs[st.lvs.length - 2]!.profile = 'jts-vg_t-tp';
  const again = diffPlanDetailed(loaded, st, layoutOf(loaded, st));
  assert.equal(again.actions.find((x) => x.id === 'pool:vg_t/tp:profile'), undefined);
});

test('preflight: an fstab with no entry at all (findmnt exit 1, nothing printed) is not a failure', async () => {
  const plan = loadPlanText(PLAN('{ name: tp, size: 200GiB }'), 'p.yaml').plan;
  const runner = new FakeRunner();
  runner.on(['findmnt'], { exitCode: 1, stdout: '', stderr: '' });
  const fstab = '# BEGIN jts-storage managed block: written by `jts-storage apply`, edits inside are replaced\n# END jts-storage managed block\n';
  const step: Action = { id: 't', kind: 'change', resource: 'fstab', summary: '', dependsOn: [], steps: [{ type: 'write-file', path: '/etc/fstab', content: fstab, backup: false }] };
  assert.deepEqual(await preflightWrittenFiles(runner, plan, [step]), []);
  runner.on(['findmnt'], { exitCode: 1, stdout: '', stderr: 'findmnt: parse error' });
  assert.match((await preflightWrittenFiles(runner, plan, [step])).join('\n'), /findmnt --tab-file exit 1: findmnt: parse error/);
});
