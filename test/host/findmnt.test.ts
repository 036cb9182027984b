import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINDMNT_LIST_ARGV, mountDevice, parseFindmntJson, readMountTable } from '../../src/host/findmnt.js';
import { FakeRunner } from '../support/fake-runner.js';
import { capture } from './fixtures.js';

test('the tree (findmnt -J -b, probe) and the list (-l with MAJ:MIN) read the same mounts', () => {
  const tree = parseFindmntJson(capture('fixtures/guest/findmnt-J-b.json'));
  const list = parseFindmntJson(capture('fixtures/guest/findmnt-J-l.json'));
  assert.equal(tree[0]!.target, '/', 'pre-order: the root first');
  assert.ok(tree.every((m) => m.majMin === undefined));
  assert.ok(list.some((m) => /^\d+:\d+$/.test(m.majMin ?? '')));
  const t = new Set(tree.map((m) => m.target));
  assert.ok(list.filter((m) => t.has(m.target)).length >= Math.min(tree.length, list.length) - 2);
  for (const m of list) assert.ok(Array.isArray(m.options) && !m.options.includes(''));
});

test('mountDevice strips a bind/subvolume suffix', () => {
  assert.equal(mountDevice('/dev/vda1[/srv]'), '/dev/vda1');
  assert.equal(mountDevice('tmpfs'), 'tmpfs');
});

test('readMountTable: LC_ALL=C; failure and missing util-linux are one line', async () => {
  const r = new FakeRunner().on(FINDMNT_LIST_ARGV, { stdout: capture('fixtures/guest/findmnt-J-l.json') });
  assert.ok((await readMountTable(r)).length > 3);
  assert.equal(r.calls[0]!.opts?.env?.LC_ALL, 'C');
  await assert.rejects(readMountTable(new FakeRunner()), /^Error: cannot read the mount table: findmnt is not installed \(Debian package util-linux\)$|findmnt is not installed \(Debian package util-linux\)/);
  assert.throws(() => parseFindmntJson('{"x": 1}'), /findmnt: no "filesystems" array/);
});
