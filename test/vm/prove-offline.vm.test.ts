import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `plan --drives F --prove` offline: the proof runs in the sandbox (ONE boot, src/prove/prove-sandbox.ts),
 * on the sandbox's kernel, never on this machine's. The plan's volumes: two ext4 of one combination (one
 * proof), an XFS with `nobarrier` and an XFS of 256 MiB, both made lint-clean by overrides, so only the
 * kernel says no. Per volume: "proved on kernel X (sandbox)" or the refusal at the plan's file:line:col.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PLAN = `version: 1
drives: [{ id: nvme0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg, drives: [nvme0], reserve: 10% }]
volumes:
  - { name: a, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /a, options: [noatime, nofail] } }
  - { name: b, vg: vg, size: 1GiB, workload: generic, filesystem: { type: ext4 }, mount: { path: /b, options: [noatime, nofail] } }
  - name: c
    vg: vg
    size: 1GiB
    workload: generic
    filesystem: { type: xfs }
    mount: { path: /c, options: [nobarrier, nofail] }
    overrides: [{ rule: JTS-MOUNTOPT-REMOVED, reason: "the offline proof test: the kernel has the last word" }]
  - name: d
    vg: vg
    size: 256MiB
    workload: generic
    filesystem: { type: xfs }
    mount: { path: /d, options: [nofail] }
    overrides: [{ rule: JTS-MKFS-SIZE, reason: "the offline proof test: the kernel has the last word" }]
`;

test('plan --drives --prove: proved in the sandbox on its kernel; the refusals at the plan\'s file:line:col', { timeout: 1_200_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jts-prove-offline-'));
  try {
    const plan = join(dir, 'p.yaml');
    writeFileSync(plan, PLAN);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/jts-storage.js'), 'plan', '--plan', plan, '--drives', join(ROOT, 'examples/drives/4tb-nvme.yaml'), '--prove', '--no-color'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, timeout: 1_100_000 });
    const out = `${r.stdout}${r.stderr}`;
    const proof = out.slice(out.indexOf('Proved on kernel'));
    const ctx = `\n--- plan's proof (${Math.round((Date.now() - t0) / 1000)} s):\n${proof || out.slice(-3000)}`;
    assert.equal(r.status, 1, `a refused volume makes plan exit 1${ctx}`);
    assert.match(out, /prove: booted in/, ctx);
    assert.match(proof, /^Proved on kernel (\d+\.\d+\S*) \(the sandbox\):/, ctx);
    const kernel = /^Proved on kernel (\S+)/.exec(proof)![1]!;
    assert.notEqual(kernel, spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(), `the sandbox's kernel, not this machine's${ctx}`);
    assert.match(proof, new RegExp(`\\n  a: proved on kernel ${kernel.replace(/\./g, '\\.')} \\(sandbox\\): mkfs\\.ext4 DEV; mount -t ext4 -o noatime,nofail`), ctx);
    assert.match(proof, /\n  b: proved on kernel \S+ \(sandbox\)/, ctx);
    // the refusals point at the plan: c's mount options (line 12), d's filesystem (line 18)
    assert.match(proof, new RegExp(`\\n  ${plan.replace(/[/.]/g, '\\$&')}:12:\\d+: c: the mount was refused on kernel \\S+ \\(sandbox\\): .*Unknown parameter 'nobarrier'`), ctx);
    assert.match(proof, new RegExp(`\\n  ${plan.replace(/[/.]/g, '\\$&')}:18:\\d+: d: mkfs refused on kernel \\S+ \\(sandbox\\): mkfs\\.xfs exit 1: .*300MB`), ctx);
    assert.match(proof, /2 volume\(s\) refused by the kernel: exit 1/, ctx);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
