import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renderFstabBlock, renderFstabMerged } from '../../src/render/fstab.js';
import { renderSysctl, procSysPath, sysctlValueEquals } from '../../src/render/sysctl.js';
import { BEGIN_MARKER, END_MARKER, desiredFstabEntries, mergeManagedBlock } from '../../src/render/fstab-format.js';
import { defaultPlan, smallPlan } from '../tune/helpers.js';

test('fstab: the managed block exactly as apply writes it', () => {
  const plan = defaultPlan().plan;
  const block = renderFstabBlock(plan);
  assert.equal(block, mergeManagedBlock('', desiredFstabEntries(plan, new Map())));
  assert.ok(block.startsWith(BEGIN_MARKER + '\n'));
  assert.ok(block.endsWith(END_MARKER + '\n'));
  assert.match(block, /\/var\/lib\/mongodb\s+xfs\s+\S*nofail/);
  const merged = renderFstabMerged(plan, 'UUID=abc / ext4 defaults 0 1\n');
  assert.ok(merged.content.startsWith('UUID=abc / ext4 defaults 0 1\n'));
  assert.ok(merged.content.includes(block));
});

test('render fstab prints the block; render sysctl says when the plan sets none', () => {
  const r = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'fstab'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, renderFstabBlock(defaultPlan().plan));
  const s = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'sysctl', '--json'], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.deepEqual(JSON.parse(s.stdout).files, []);
});

test('sysctl file: reason above each key; /proc/sys path; tab-separated values compare equal', () => {
  const p = smallPlan({ tuning: 'tuning:\n  sysctl:\n    - { key: vm.swappiness, value: "1", reason: "ClickHouse tips: disable swap (example)" }' });
  const f = renderSysctl(p.plan)!;
  assert.match(f.content, /# ClickHouse tips: disable swap \(example\)\nvm\.swappiness = 1\n/);
  assert.equal(renderSysctl(smallPlan().plan), undefined);
  assert.equal(procSysPath('net.ipv4.tcp_rmem'), '/proc/sys/net/ipv4/tcp_rmem');
  assert.ok(sysctlValueEquals('4096\t131072\t6291456', '4096 131072 6291456'));
});

test('render --out-dir: the udev rule lands as DIR/61-jts-storage-scheduler.rules (no rules.d/ below it)', async () => {
  const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'jts-udev-'));
  try {
    const r = spawnSync(process.execPath, ['bin/jts-storage.js', 'render', 'udev', '--out-dir', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, '61-jts-storage-scheduler.rules')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
