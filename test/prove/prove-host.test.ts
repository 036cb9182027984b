import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { proveCases, proveFindings, proveOnHost, sizeClass, EXT4_SIZE_CLASS_MAX } from '../../src/prove/prove.js';
import { ExecRunner } from '../../src/core/exec-runner.js';

/**
 * plan --prove on THIS machine's kernel (loop devices, a private mount namespace): a plan with one
 * volume the kernel takes, one whose mount it refuses (XFS nobarrier) and one mkfs refuses (XFS below
 * 300 MiB). Skipped, with the reason, when not root or without a loop device.
 */
const root = new URL('../../../', import.meta.url);
const STATE = parseDrivesFile(readFileSync(new URL('examples/drives/4tb-nvme.yaml', root), 'utf8'), '4tb-nvme.yaml');
const PLAN = `version: 1
drives: [{ id: nvme0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg, drives: [nvme0], reserve: 10% }]
volumes:
  - { name: a, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /a, options: [noatime, nofail] } }
  - { name: b, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /b, options: [noatime, nofail] } }
  - { name: c, vg: vg, size: 1GiB, workload: generic, filesystem: { type: xfs }, mount: { path: /c, options: [nobarrier, nofail] } }
  - { name: d, vg: vg, size: 256MiB, workload: generic, filesystem: { type: xfs }, mount: { path: /d, options: [nofail] } }
`;

test('prove cases: one per distinct (fs, mkfs, mount options, size class); ext4 capped, XFS exact', () => {
  const loaded = loadPlanText(PLAN, 'p.yaml');
  const cases = proveCases(loaded.plan, resolveLayout(loaded.plan, STATE, loaded));
  assert.deepEqual(cases.map((c) => c.volumes), [[0, 1], [2], [3]]);
  assert.equal(sizeClass('ext4', 2000 * 2 ** 30), EXT4_SIZE_CLASS_MAX);
  assert.equal(sizeClass('xfs', 2000 * 2 ** 30), 2000 * 2 ** 30);
});

const why = process.getuid?.() !== 0 ? 'needs root' : !existsSync('/dev/loop-control') ? 'no loop device (/dev/loop-control)' : undefined;
test('plan --prove on this host: proved, mount refused (kernel message), mkfs refused — at file:line:col', { skip: why, timeout: 120_000 }, async () => {
  const loaded = loadPlanText(PLAN, 'p.yaml');
  const cases = proveCases(loaded.plan, resolveLayout(loaded.plan, STATE, loaded));
  const run = await proveOnHost(new ExecRunner(), cases, { workDir: '/var/tmp' });
  assert.equal(run.where, 'host');
  assert.deepEqual(run.outcomes.map((o) => o.verdict), ['ok', 'mount-refused', 'mkfs-refused']);
  const r = proveFindings(loaded.plan, cases, run, loaded.locate, loaded.file);
  assert.match(r.lines[0]!, /^a: proved on kernel \S+: mkfs\.ext4 DEV; mount -t ext4 -o noatime,nofail/);
  assert.match(r.lines[1]!, /^b: proved on kernel/);
  assert.match(r.lines[2]!, /^p\.yaml:7:\d+: c: the mount was refused on kernel \S+: .*Unknown parameter 'nobarrier'/);
  assert.match(r.lines[3]!, /^p\.yaml:8:\d+: d: mkfs refused on kernel \S+: mkfs\.xfs exit 1: .*300MB/);
  assert.deepEqual(r.findings.map((f) => [f.rule, f.field]), [['JTS-PROVE-REFUSED', 'volumes[2].mount.options'], ['JTS-PROVE-REFUSED', 'volumes[3].filesystem']]);
});
