import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import type { Finding } from '../../src/model/actions.js';
import type { TruthRow } from '../../src/prove/try.js';

/**
 * The linter agrees with the kernel on EVERY row of the kernel-truth fixture
 * (test/fixtures/kernel-truth/*.json, made by scripts/sweep-kernel-truth.mjs on the sandbox's kernel 6.1):
 * an error exactly when mkfs or the mount was refused. Policy errors the kernel accepts are listed in
 * POLICY (barriers off on a drive with a volatile write cache; sparse_super2, which the kernel mounts but
 * cannot grow online). Accepted-but-dangerous rows get a warning (norecovery, deprecated, V4).
 */
const root = new URL('../../../', import.meta.url);
const DIR = new URL('test/fixtures/kernel-truth/', root);
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const drivesText = readFileSync(new URL('examples/drives/4tb-nvme.yaml', root), 'utf8');
const STATE = parseDrivesFile(drivesText, '4tb-nvme.yaml');
/** Errors that are policy, not a kernel refusal. */
const POLICY = new Set(['JTS-BARRIER-VWC', 'JTS-EXT4-SPARSE-SUPER2']);

const q = (s: string) => JSON.stringify(s);
/** One-volume plan of the row: the sandbox's drive, an LV of the row's size, its mkfs and mount options. */
export function rowPlan(r: Pick<TruthRow, 'fs' | 'sizeMiB' | 'mkfs' | 'mount'>, kernel = '6.1.0-57-amd64'): string {
  const fsy = `{ type: ${r.fs}, features: [${r.mkfs.features.map(q).join(', ')}], extended: [${r.mkfs.extended.map(q).join(', ')}], data: [${r.mkfs.data.map(q).join(', ')}], log: [${r.mkfs.log.map(q).join(', ')}]${r.mkfs.inodeRatio ? `, inodeRatio: ${r.mkfs.inodeRatio}` : ''} }`;
  const opts = (r.mount.length ? r.mount : ['defaults']).map(q).join(', ');
  return `version: 1
drives: [{ id: nvme0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: truth, drives: [nvme0], reserve: 0% }]
volumes:
  - { name: s, vg: truth, size: ${r.sizeMiB}MiB, workload: generic, filesystem: ${fsy}, mount: { path: /mnt/truth, options: [${opts}] } }
# kernel ${kernel}
`;
}

function lintRow(r: Pick<TruthRow, "fs" | "sizeMiB" | "mkfs" | "mount">, kernel: string): Finding[] {
  const loaded = loadPlanText(rowPlan(r, kernel), 'row.yaml');
  return lintPlan(loaded, STATE, resolveLayout(loaded.plan, STATE, loaded), { kernelRelease: kernel });
}

for (const file of FILES) {
  const fx = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as { versions: { kernel: string }; rows: TruthRow[] };
  test(`kernel truth ${file}: the linter agrees with the kernel on all ${fx.rows.length} rows`, () => {
    const bad: string[] = [];
    for (const r of fx.rows) {
      const f = lintRow(r, fx.versions.kernel);
      const errors = f.filter((x) => x.severity === 'error' && !POLICY.has(x.rule));
      const refused = r.verdict !== 'ok';
      if (refused !== errors.length > 0) {
        const kmsg = r.verdict === 'mkfs-refused' ? r.mkfsErr : (r.dmesg ?? '').split('\n').filter((l) => !/mounted filesystem/.test(l)).join(' / ') || r.mountErr;
        bad.push(`${r.fs} ${r.sizeMiB}MiB mkfs ${JSON.stringify(r.mkfs)} mount [${r.mount.join(',')}]: kernel ${r.verdict} (${(kmsg ?? '').slice(0, 160)}), lint ${errors.map((e) => e.rule).join(',') || 'no error'}`);
      }
    }
    assert.deepEqual(bad, [], `${bad.length} disagreements:\n${bad.join('\n')}`);
  });
}

test('kernel truth: accepted but dangerous rows are warnings', () => {
  const warn = (fs: 'ext4' | 'xfs', mount: string[], features: string[] = []) =>
    lintRow({ fs, sizeMiB: 512, mkfs: { features, extended: [], data: [], log: [] }, mount }, "6.1.0-57-amd64").filter((x) => x.severity === 'warning').map((x) => x.rule);
  assert.ok(warn('ext4', ['norecovery']).includes('JTS-MOUNTOPT-NORECOVERY'));
  assert.ok(warn('xfs', ['ro', 'norecovery']).includes('JTS-MOUNTOPT-NORECOVERY'));
  assert.ok(warn('xfs', ['ikeep']).includes('JTS-MOUNTOPT-DEPRECATED'));
  assert.ok(warn('ext4', ['nobh']).includes('JTS-MOUNTOPT-DEPRECATED'));
  assert.ok(warn('xfs', [], ['crc=0']).includes('JTS-XFS-V4'));
});
