// The LVM-truth fixture (scripts/sweep-lvm-truth.mjs: one sandbox boot, real kernel and lvm2) against
// the plan: every refusal LVM gave on a host state a plan can meet is predicted by `plan` (lint) with a
// finding that names the way out, on the state captured right before the refused command; and where LVM
// accepted the operation, plan does not refuse it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import { parseLsblk } from '../../src/probe/lsblk.js';
import { parseFullReport } from '../../src/probe/lvm.js';
import { parseForeignVgs } from '../../src/host/lvm-foreign.js';
import { emptyHostState, type HostState } from '../../src/model/host-state.js';
import type { Finding } from '../../src/model/actions.js';

const DIR = new URL('../../../test/fixtures/lvm-truth/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, DIR), 'utf8');
interface Outcome {
  case: string;
  op: string;
  exit: number;
  message: string;
}
const outcomes = (JSON.parse(read('outcomes.json')) as { outcomes: Outcome[] }).outcomes;
const outcome = (c: string, op: string) => outcomes.find((o) => o.case === c && o.op === op)!;

/** Drives as the probe reads them (lsblk with LOG-SEC, captured in the guest), plus a captured LVM state. */
function state(fullreport?: string): HostState {
  const s = emptyHostState('probe');
  s.drives = parseLsblk(read('lsblk-after.json')).drives;
  if (fullreport) Object.assign(s, parseFullReport(read(fullreport)));
  return s;
}

function lint(plan: string, st: HostState): Finding[] {
  const loaded = loadPlanText(plan, 'plan.yaml');
  return lintPlan(loaded, st, resolveLayout(loaded.plan, st, loaded));
}

const errorsOf = (fs: Finding[], rule: string) => fs.filter((f) => f.rule === rule && f.severity === 'error');

test('mixed 512/4096-byte LBA drives: vgcreate and vgextend refused on the kernel; plan refuses first', () => {
  assert.equal(outcome('mixed-block-size', 'vgcreate').exit, 5);
  assert.match(outcome('mixed-block-size', 'vgcreate').message, /Devices have inconsistent logical block sizes \(512 and 4096\)/);
  assert.equal(outcome('mixed-block-size', 'vgextend-4096').exit, 5);
  const plan = `version: 1
drives: [{ id: a, serial: LT-A }, { id: b, serial: LT-B }]
volumeGroups: [{ name: vg_mix, drives: [a, b] }]
`;
  const [f] = errorsOf(lint(plan, state()), 'JTS-LVM-MIXED-BLOCK-SIZE');
  assert.ok(f);
  assert.match(f.message, /512-byte.*4096-byte/);
  assert.match(f.message, /Ways out/);
  // the same drives one size each: accepted by LVM (vgcreate-512-only exit 0) and by plan
  assert.equal(outcome('mixed-block-size', 'vgcreate-512-only').exit, 0);
  assert.deepEqual(errorsOf(lint(plan.replace('drives: [a, b]', 'drives: [a]'), state()), 'JTS-LVM-MIXED-BLOCK-SIZE'), []);
});

test('classic snapshot present: lvextend/lvresize (-r) refused on the kernel; plan refuses the grow and names the ways out', () => {
  for (const op of ['lvextend-r', 'lvresize-r', 'lvextend-l']) {
    assert.equal(outcome('classic-snapshot', op).exit, 5, op);
    assert.match(outcome('classic-snapshot', op).message, /Snapshot origin volumes can be resized only while inactive/);
  }
  // what LVM accepted: the grow after the snapshots were removed, and the grow of an inactive origin
  assert.equal(outcome('classic-snapshot', 'lvextend-r-after-remove').exit, 0);
  assert.equal(outcome('classic-snapshot', 'lvextend-inactive').exit, 0);
  const plan = (size: string) => `version: 1
drives: [{ id: c0, serial: LT-C }]
volumeGroups: [{ name: vg_c, drives: [c0], reserve: 10% }]
volumes:
  - { name: lv_data, vg: vg_c, size: ${size}, workload: postgresql, filesystem: { type: ext4 }, mount: { path: /srv/c, options: [noatime, nofail, x-systemd.device-timeout=30s] }, snapshot: { size: 64MiB } }
`;
  const st = state('classic-snapshot.fullreport.json');
  const [f] = errorsOf(lint(plan('2GiB'), st), 'JTS-LVM-ORIGIN-RESIZE');
  assert.ok(f);
  assert.match(f.message, /vg_c\/lv_data grows from 1 GiB .* to 2 GiB .* but has 1 classic snapshot \(lv_data_snap\)/);
  assert.match(f.message, /snapshot prune/);
  assert.match(f.message, /lvchange -an vg_c\/lv_data/);
  assert.match(f.message, /thinPool/);
  // same size: nothing to grow, nothing refused
  assert.deepEqual(errorsOf(lint(plan('1GiB'), st), 'JTS-LVM-ORIGIN-RESIZE'), []);
  // a thin origin with a thin snapshot grows online on the kernel
  assert.equal(outcome('thin-snapshot', 'lvextend-r-thin-origin').exit, 0);
});

test('exported VG: lvcreate, lvextend, vgchange -ay refused on the kernel; plan refuses and says vgimport', () => {
  for (const op of ['lvcreate', 'lvextend', 'vgchange-ay']) assert.match(outcome('exported-vg', op).message, /Volume group vg_x is exported/, op);
  const plan = `version: 1
drives: [{ id: a, serial: LT-A }]
volumeGroups: [{ name: vg_x, drives: [a] }]
volumes: [{ name: lv_y, vg: vg_x, size: 8MiB, filesystem: { type: none } }]
`;
  const [f] = errorsOf(lint(plan, state('exported-vg.fullreport.json')), 'JTS-LVM-VG-EXPORTED');
  assert.ok(f);
  assert.match(f.message, /vgimport vg_x/);
});

test('missing PV: lvcreate, lvextend, snapshots refused on the kernel; plan refuses and names vgreduce --removemissing', () => {
  for (const op of ['lvcreate', 'lvextend', 'lvcreate-snapshot']) {
    assert.equal(outcome('missing-pv', op).exit, 5, op);
    assert.match(outcome('missing-pv', op).message, /Cannot change VG vg_m while PVs are missing/, op);
  }
  const plan = `version: 1
drives: [{ id: d, serial: LT-D }, { id: e, serial: LT-E }]
volumeGroups: [{ name: vg_m, drives: [d, e] }]
volumes: [{ name: lv_c, vg: vg_m, size: 8MiB, filesystem: { type: none } }]
`;
  const fs = lint(plan, state('missing-pv.fullreport.json'));
  const [f] = errorsOf(fs, 'JTS-LVM-VG-PARTIAL');
  assert.ok(f, JSON.stringify(fs.map((x) => `${x.rule}: ${x.message.slice(0, 80)}`)));
  assert.match(f.message, /vg_m misses 1 physical volume/);
  assert.match(f.message, /vgreduce --removemissing vg_m/);
});

test('activation skip: lvchange -ay leaves the LV inactive without an error; plan names -kn / -K', () => {
  assert.equal(outcome('activation-skip', 'lvchange-ay').exit, 0);
  assert.equal(outcome('activation-skip', 'active-after-ay').message, 'lv_active=');
  assert.equal(outcome('activation-skip', 'active-after-ay-K').message, 'lv_active=active');
  assert.equal(outcome('activation-skip', 'active-after-kn-ay').message, 'lv_active=active');
  const plan = `version: 1
drives: [{ id: c0, serial: LT-C }]
volumeGroups: [{ name: vg_c, drives: [c0] }]
volumes:
  - { name: lv_skip, vg: vg_c, size: 8MiB, filesystem: { type: ext4 }, mount: { path: /srv/skip, options: [noatime, nofail, x-systemd.device-timeout=30s] } }
`;
  const fs = lint(plan, state('activation-skip.fullreport.json'));
  const [f] = errorsOf(fs, 'JTS-LVM-ACTIVATION-SKIP');
  assert.ok(f, JSON.stringify(fs.map((x) => `${x.rule}: ${x.message.slice(0, 80)}`)));
  assert.equal(f.field, 'volumes[0].name');
  assert.match(f.message, /vg_c\/lv_skip has the activation-skip flag \(lv_attr -wi------k\)/);
  assert.match(f.message, /\/srv\/skip is not mounted after a reboot/);
  assert.match(f.message, /lvchange -kn vg_c\/lv_skip/);
  assert.match(f.message, /lvchange -ay -K vg_c\/lv_skip/);
  // a volume without the flag: nothing
  assert.deepEqual(errorsOf(lint(plan.replace('lv_skip', 'lv_other'), state('activation-skip.fullreport.json')), 'JTS-LVM-ACTIVATION-SKIP'), []);
});

test('thin: a thin origin grows online (lvextend -r) with a thin snapshot present; plan does not refuse it', () => {
  for (const op of ['lvcreate-pool', 'lvcreate-thin', 'lvcreate-thin-snapshot', 'lvextend-r-with-snapshot', 'lvextend-pool-with-snapshot', 'lvextend-use-policies']) assert.equal(outcome('thin-ops', op).exit, 0, op);
  // the thin snapshot has the activation-skip flag: not mountable until -K
  assert.equal(outcome('thin-ops', 'active-after-ay').message, 'lv_active=');
  assert.equal(outcome('thin-ops', 'mount-snapshot-inactive').exit, 32);
  assert.equal(outcome('thin-ops', 'mount-snapshot-ro').exit, 0);
  // merge of a thin snapshot into a mounted origin is deferred to the origin's next activation
  assert.match(outcome('thin-ops', 'lvconvert-merge-mounted').message, /contains a filesystem in use/);
  assert.equal(outcome('thin-ops', 'snapshot-after-merge-mounted').message, 'lvs=[lv_tv_snap]');
  assert.equal(outcome('thin-ops', 'after-merge').message, 'marker=before snapshot=');
  assert.equal(outcome('thin-ops', 'kn-snapshot-attr').message, 'lv_attr=Vwi-a-tz--');
  const plan = (size: string) => `version: 1
drives: [{ id: c0, serial: LT-C }]
volumeGroups: [{ name: vg_c, drives: [c0], thinPools: [{ name: tpool, size: 256MiB, chunkSize: 64KiB, metadataSize: 8MiB }] }]
volumes:
  - { name: lv_tv, vg: vg_c, thinPool: tpool, size: ${size}, filesystem: { type: ext4 }, mount: { path: /srv/tv, options: [noatime, nofail, x-systemd.device-timeout=30s] }, snapshot: { type: thin } }
`;
  const st = state('thin-snapshot.fullreport.json');
  const fs = lint(plan('192MiB'), st);
  assert.deepEqual(errorsOf(fs, 'JTS-LVM-ORIGIN-RESIZE'), []);
  // the thin snapshot (Vwi---tz-k) is not a plan volume: no activation-skip finding
  assert.deepEqual(errorsOf(fs, 'JTS-LVM-ACTIVATION-SKIP'), []);
  const snap = st.lvs.find((l) => l.name === 'lv_tv_snap')!;
  assert.equal(snap.attr, 'Vwi---tz-k');
  assert.equal(snap.poolLv, 'tpool');
});

test('thin over-commit: LVM warns when thin sizes pass the pool plus VG free; plan errors there, warns past the pool alone', () => {
  assert.match(outcome('thin-snapshot', 'lvextend-r-thin-origin').message, /Sum of all thin volume sizes .* exceeds the size of thin pool vg_c\/pool and the amount of free space in volume group/);
  const plan = (a: string, b: string, extra = '') => `version: 1
drives: [{ id: c0, serial: LT-C }]
volumeGroups: [{ name: vg_c, drives: [c0], reserve: 1GiB, thinPools: [{ name: tp, size: 1GiB${extra} }] }]
volumes:
  - { name: lv_a, vg: vg_c, thinPool: tp, size: ${a}, filesystem: { type: none }, snapshot: { type: thin } }
  - { name: lv_b, vg: vg_c, thinPool: tp, size: ${b}, filesystem: { type: none } }
`;
  const fresh = state();
  const over = (p: string) => lint(p, fresh).filter((f) => f.rule === 'JTS-THIN-OVERCOMMIT');
  assert.deepEqual(over(plan('512MiB', '256MiB')), []);
  const [w] = over(plan('1GiB', '512MiB'));
  assert.equal(w?.severity, 'warning');
  assert.match(w!.message, /1\.50 GiB.* virtual, more than the pool's 1 GiB/);
  assert.match(w!.message, /this pool has no autoextend/);
  const [e] = over(plan('3GiB', '2GiB'));
  assert.equal(e?.severity, 'error');
  assert.match(e!.message, /cannot all be written/);
  assert.equal(e!.field, 'volumeGroups[0].thinPools[0].size');
  // snapshots in a pool without autoextend: a warning that names the setting; none with autoextend
  assert.ok(lint(plan('512MiB', '256MiB'), fresh).some((f) => f.rule === 'JTS-THIN-NO-AUTOEXTEND' && /autoextend: \{ threshold: 80, percent: 20 \}/.test(f.message)));
  assert.ok(!lint(plan('512MiB', '256MiB', ', autoextend: { threshold: 80, percent: 20 }'), fresh).some((f) => f.rule === 'JTS-THIN-NO-AUTOEXTEND'));
});

test('full thin pool: lvcreate of a thin volume or thin snapshot refused on the kernel; plan refuses and says grow the pool', () => {
  for (const op of ['lvcreate-thin', 'lvcreate-thin-snapshot']) {
    assert.equal(outcome('full-thin-pool', op).exit, 5, op);
    assert.match(outcome('full-thin-pool', op).message, /Cannot create new thin volume, free space in thin pool vg_c\/fullpool reached threshold/, op);
  }
  // the way out works: after lvextend of the pool the same lvcreate passes
  assert.equal(outcome('full-thin-pool', 'lvextend-pool').exit, 0);
  assert.equal(outcome('full-thin-pool', 'lvcreate-thin-after-grow').exit, 0);
  const plan = `version: 1
drives: [{ id: c0, serial: LT-C }]
volumeGroups: [{ name: vg_c, drives: [c0], thinPools: [{ name: fullpool, size: 16MiB }] }]
volumes:
  - { name: lv_full, vg: vg_c, thinPool: fullpool, size: 64MiB, filesystem: { type: none }, snapshot: { type: thin } }
  - { name: lv_new, vg: vg_c, thinPool: fullpool, size: 16MiB, filesystem: { type: none } }
`;
  const fs = lint(plan, state('full-thin-pool.fullreport.json'));
  const [f] = errorsOf(fs, 'JTS-LVM-THIN-POOL-FULL');
  assert.ok(f, JSON.stringify(fs.map((x) => `${x.rule}: ${x.message.slice(0, 80)}`)));
  assert.match(f.message, /thin pool vg_c\/fullpool is full \(data 100 %/);
  assert.match(f.message, /the new thin volume lv_new/);
  assert.match(f.message, /lvextend -L \+SIZE vg_c\/fullpool/);
});

test('every refusal in the fixture is one of the kinds above (a new refusal needs a rule and a test)', () => {
  const known = new Set(['mixed-block-size', 'classic-snapshot', 'exported-vg', 'missing-pv', 'full-thin-pool', 'thin-ops', 'lv-count-limit', 'pv-count-limit', 'foreign-vg']);
  for (const o of outcomes.filter((x) => x.exit !== 0)) assert.ok(known.has(o.case), `${o.case}/${o.op}: ${o.message}`);
  // lvchange -an of a mounted origin is refused too: the offline grow needs the filesystem unmounted
  assert.match(outcome('classic-snapshot', 'lvchange-an-mounted').message, /contains a filesystem in use/);
});

test('LV count limit: lvcreate of an LV, a snapshot or a thin pool refused at max_lv; plan counts new volumes and snapshot policies', () => {
  for (const op of ['lvcreate-third', 'lvcreate-snapshot-at-limit', 'lvcreate-thin-pool-at-limit']) {
    assert.equal(outcome('lv-count-limit', op).exit, 5, op);
    assert.match(outcome('lv-count-limit', op).message, /Maximum number of logical volumes \(2\) reached in volume group vg_l/, op);
  }
  assert.equal(outcome('lv-count-limit', 'lvcreate-second').exit, 0);
  assert.equal(outcome('lv-count-limit', 'lvcreate-after-unlimited').exit, 0, 'the way out (vgchange -l 0) works');
  const st = state('lv-count-limit.fullreport.json');
  const vg = st.vgs.find((v) => v.name === 'vg_l')!;
  assert.deepEqual([vg.maxLv, vg.lvCount], [2, 2]);
  const plan = (vols: string) => `version: 1
drives: [{ id: f0, serial: LT-F }]
volumeGroups: [{ name: vg_l, drives: [f0] }]
volumes:
${vols}`;
  const v = (name: string, extra = '') => `  - { name: ${name}, vg: vg_l, size: 8MiB, filesystem: { type: none }${extra} }\n`;
  const [f] = errorsOf(lint(plan(v('lv1') + v('lv2') + v('lv3')), st), 'JTS-LVM-MAX-LV');
  assert.ok(f);
  assert.match(f.message, /vg_l allows 2 LVs \(max_lv\) and has 2; the plan adds lv3 \(3 then\)/);
  assert.match(f.message, /vgchange -l 0 vg_l/);
  assert.match(`${f.file}:${f.line}:${f.col}`, /^plan\.yaml:3:\d+$/);
  // the two LVs that exist: nothing to create, nothing refused; a snapshot policy needs a third LV
  assert.deepEqual(errorsOf(lint(plan(v('lv1') + v('lv2')), st), 'JTS-LVM-MAX-LV'), []);
  const [s] = errorsOf(lint(plan(v('lv1', ', snapshot: { size: 8MiB }') + v('lv2')), st), 'JTS-LVM-MAX-LV');
  assert.match(s?.message ?? '', /snapshot policies one more each for lv1 \(3\)/);
});

test('PV count limit: vgextend refused at max_pv; plan refuses adding a drive and says vgchange -p 0', () => {
  assert.equal(outcome('pv-count-limit', 'vgextend').exit, 5);
  assert.match(outcome('pv-count-limit', 'vgextend').message, /volume group 'vg_p' holds max 1 physical volume\(s\)/);
  assert.equal(outcome('pv-count-limit', 'vgextend-after-unlimited').exit, 0, 'the way out (vgchange -p 0) works');
  const st = state('pv-count-limit.fullreport.json');
  const plan = (drives: string) => `version: 1
drives: [{ id: f0, serial: LT-F }, { id: g0, serial: LT-G }]
volumeGroups: [{ name: vg_p, drives: [${drives}] }]
`;
  const [f] = errorsOf(lint(plan('f0, g0'), st), 'JTS-LVM-MAX-PV');
  assert.ok(f);
  assert.match(f.message, /vg_p allows 1 PVs \(max_pv\) and has 1; the plan adds g0/);
  assert.match(f.message, /vgchange -p 0 vg_p/);
  assert.deepEqual(errorsOf(lint(plan('f0'), st), 'JTS-LVM-MAX-PV'), []);
});

test('foreign VG (another host\'s system ID): hidden from the report; pvcreate, vgcreate of its name, lvcreate refused; plan refuses first', () => {
  assert.equal(outcome('foreign-vg', 'set-systemid').exit, 0);
  for (const op of ['lvcreate', 'lvextend', 'vgextend']) assert.match(outcome('foreign-vg', op).message, /Cannot access VG vg_f with system ID hostB/, op);
  for (const op of ['lvcreate', 'lvextend', 'vgextend', 'pvcreate', 'vgcreate-same-name']) assert.equal(outcome('foreign-vg', op).exit, 5, op);
  assert.match(outcome('foreign-vg', 'pvcreate').message, /without -ff/);
  assert.match(outcome('foreign-vg', 'vgcreate-same-name').message, /A volume group called vg_f already exists/);
  const st = state('foreign-vg.fullreport.json');
  assert.ok(!st.vgs.some((v) => v.name === 'vg_f'), 'the fullreport hides it');
  st.foreignVgs = parseForeignVgs(read('foreign-vg.pvs-foreign.json'), st.vgs.map((v) => v.name));
  assert.deepEqual(st.foreignVgs.map((v) => [v.name, v.systemId]), [['vg_f', 'hostB']]);
  const plan = (name: string, drive: string) => `version: 1
drives: [{ id: f0, serial: LT-F }, { id: g0, serial: LT-G }]
volumeGroups: [{ name: ${name}, drives: [${drive}] }]
`;
  const [byDrive] = errorsOf(lint(plan('vg_data', 'f0'), st), 'JTS-LVM-VG-FOREIGN');
  assert.ok(byDrive);
  assert.match(byDrive.message, /drive f0 \(\/dev\/\S+\) is a PV of volume group vg_f, owned by host "hostB"/);
  assert.match(byDrive.message, /vgexport vg_f. on hostB and .vgimport vg_f. here/);
  assert.equal(byDrive.field, 'volumeGroups[0].drives[0]');
  const [byName] = errorsOf(lint(plan('vg_f', 'g0'), st), 'JTS-LVM-VG-FOREIGN');
  assert.match(byName?.message ?? '', /a volume group named vg_f exists .* system ID of another host \("hostB"\)/);
  assert.deepEqual(errorsOf(lint(plan('vg_data', 'g0'), st), 'JTS-LVM-VG-FOREIGN'), []);
});
