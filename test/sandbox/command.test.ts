import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(REPO, 'bin', 'jts-storage.js');
const sandbox = (...args: string[]) => spawnSync(process.execPath, [CLI, 'sandbox', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });

test('sandbox command: bad input is refused with the wrong part named, exit 1, nothing booted', () => {
  const cases: [string[], RegExp][] = [
    [['--drive', '4tb', '--', 'true'], /drive spec "4tb": size "4tb": unknown unit "tb"/],
    [['--drive', '4TB,kind=sas', '--', 'true'], /kind "sas" is not one of nvme, virtio, scsi, sata/],
    [['--drive', '4TB,sata,rotation=warp', '--', 'true'], /drive spec "4TB,sata,rotation=warp": rotation "warp"/],
    [['--memory', 'lots', '--', 'true'], /--memory: "lots" is not a positive number/],
    [['--memory', '1.5', '--', 'true'], /--memory: "1.5" is not a whole number/],
    [['--timeout', '0', '--', 'true'], /--timeout: "0" is not a positive number/],
    [['--accel', 'fast', '--', 'true'], /--accel: "fast" is not one of auto, tcg, kvm/],
    [[], /no command given/],
  ];
  for (const [args, re] of cases) {
    const r = sandbox(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /booting/, 'nothing booted');
  }
});

test('sandbox --help documents the drive spec and the exit codes', () => {
  const r = sandbox('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--drive <spec>/);
  assert.match(r.stdout, /124 when --timeout/);
});
