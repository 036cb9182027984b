import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEBIAN_PACKAGE, notInstalled, runFailure, runTool, TOOL_ENV, toolEnv } from '../../src/host/env.js';
import { ExecRunner } from '../../src/core/exec-runner.js';
import { FakeRunner } from '../support/fake-runner.js';

test('runTool: LC_ALL=C and LVM quiet about descriptors, never mutating; a caller cannot undo LC_ALL', async () => {
  const r = new FakeRunner().on(['lvs'], { stdout: '{}' });
  await runTool(r, ['lvs'], { env: { LC_ALL: 'fi_FI.UTF-8', LVM_SYSTEM_DIR: '/etc/lvm' }, timeoutMs: 5 });
  const o = r.calls[0]!.opts!;
  assert.deepEqual(o.env, { LVM_SYSTEM_DIR: '/etc/lvm', LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' });
  assert.equal(o.mutating, false);
  assert.equal(o.timeoutMs, 5);
  assert.deepEqual(toolEnv(), { ...TOOL_ENV });
});

test('ExecRunner really hands the environment to the child (env(1) prints it), over the process environment', async () => {
  const saved = process.env.LC_NUMERIC;
  process.env.LC_NUMERIC = 'fi_FI.UTF-8';
  try {
    const r = await runTool(new ExecRunner(), ['env']);
    const lines = r.stdout.split('\n');
    assert.ok(lines.includes('LC_ALL=C'), r.stdout);
    assert.ok(lines.includes('LVM_SUPPRESS_FD_WARNINGS=1'));
    // The rest of the environment is kept (PATH finds the tools); LC_ALL wins over LC_NUMERIC (locale(7)).
    assert.ok(lines.includes('LC_NUMERIC=fi_FI.UTF-8'));
    assert.ok(lines.some((l) => l.startsWith('PATH=')));
  } finally {
    if (saved === undefined) delete process.env.LC_NUMERIC;
    else process.env.LC_NUMERIC = saved;
  }
});

test('a missing tool: one line naming the Debian package that provides it', async () => {
  const r = await runTool(new ExecRunner(), ['jts-no-such-tool-xyz', '--version']);
  assert.equal(r.notFound, true);
  assert.equal(runFailure(r), 'jts-no-such-tool-xyz is not installed');
  const expected: Record<string, string> = { lvs: 'lvm2', lvm: 'lvm2', lsblk: 'util-linux', findmnt: 'util-linux', blkid: 'util-linux', wipefs: 'util-linux', nvme: 'nvme-cli', smartctl: 'smartmontools', tune2fs: 'e2fsprogs', xfs_info: 'xfsprogs', fio: 'fio' };
  for (const [tool, pkg] of Object.entries(expected)) {
    assert.equal(DEBIAN_PACKAGE[tool], pkg);
    const line = runFailure({ argv: [tool, '-x'], exitCode: 127, stdout: '', stderr: '', durationMs: 0, notFound: true })!;
    assert.equal(line, notInstalled(tool));
    assert.equal(line, `${tool} is not installed (Debian package ${pkg})`);
    assert.ok(!line.includes('\n'));
  }
});

test('runFailure: exit code with the last stderr line; timeouts; success is undefined', () => {
  const base = { stdout: '', durationMs: 1 };
  assert.equal(runFailure({ ...base, argv: ['lvs'], exitCode: 5, stderr: '  /dev/mapper/control: open failed\n  Failure to communicate with kernel device-mapper driver.\n' }), 'lvs failed (exit 5): Failure to communicate with kernel device-mapper driver.');
  assert.equal(runFailure({ ...base, argv: ['lvm', 'fullreport'], exitCode: 124, stderr: '', timedOut: true }), 'lvm fullreport timed out');
  assert.equal(runFailure({ ...base, argv: ['findmnt'], exitCode: 0, stderr: 'noise' }), undefined);
});
