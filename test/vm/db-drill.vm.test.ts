import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { renderDbDrill } from '../../src/snapshot/db-drill.js';

/**
 * Issue 16 on a real kernel, in ONE boot (test/snapshot/db-vm-driver.ts is the guest side): a snapshot
 * set whose pre hook fails still runs its post hook and takes no snapshot; the PostgreSQL 15 drill and the
 * Redis 7 AOF drill lose no committed write and keep none written after the snapshot.
 */
const driver = fileURLToPath(new URL('../snapshot/db-vm-driver.js', import.meta.url));

test('database drills: hooks (post runs on failure), PostgreSQL and Redis survive snapshot + merge with 0 committed writes lost', { timeout: 960_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-db-vm-'));
  writeFileSync(
    join(out, 'plan.yaml'),
    `version: 1
drives: [{ id: d0, serial: JTS-NVME-0 }]
volumeGroups: [{ name: vg_t, drives: [d0], reserve: 1GiB }]
volumes:
  - { name: lv_pg, vg: vg_t, size: 1GiB, workload: postgresql, snapshot: { size: 64MiB, set: dbs } }
  - { name: lv_redis, vg: vg_t, size: 512MiB, workload: redis, filesystem: { type: xfs }, snapshot: { size: 64MiB, set: dbs } }
snapshotSets:
  - name: dbs
    hooks:
      - { name: marker, post: [/usr/bin/touch, ${out}/post-a-ran] }
      - { name: failing, pre: [/bin/false], post: [/usr/bin/touch, ${out}/post-b-ran], timeoutS: 20 }
`,
  );
  let pending = '';
  const res = await runInSandbox([process.execPath, driver, out], {
    drives: [{ sizeBytes: 4 * 1024 ** 3, serial: 'JTS-NVME-0', kind: 'nvme' }],
    outDir: out,
    // A hang fails here, with the guest's progress lines (streamed below) saying where it stood.
    timeoutS: 900,
    onOutput: (c) => {
      const lines = (pending + c).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('# db-drill')) process.stderr.write(l + '\n');
    },
    expectWriteBytes: 2 * 1024 ** 3,
  });
  const f = (n: string) => (existsSync(join(out, n)) ? readFileSync(join(out, n), 'utf8') : '');
  const rc = (n: string) => Number(f(`${n}.rc`).trim());
  const why = (n: string) => `${n}: rc ${f(`${n}.rc`).trim()}\n${f(`${n}.out`).slice(-3000)}\n${f(`${n}.err`).slice(-2000)}\n${f('driver.log').slice(-2000)}`;
  assert.equal(f('done').trim(), 'done', `guest scenario did not finish (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail.slice(-2000)}\n${f('driver.log').slice(-3000)}`);

  await t.test('a failing pre hook: no snapshot, every started post hook ran, exit 1', () => {
    assert.equal(rc('create-hookfail'), 1, why('create-hookfail'));
    const j = JSON.parse(f('create-hookfail.out'));
    assert.match(j.skipped, /pre hook failing of set dbs failed/);
    assert.deepEqual(j.hooks.post.map((h: { hook: string }) => h.hook), ['failing', 'marker']);
    assert.ok(existsSync(join(out, 'post-a-ran')) && existsSync(join(out, 'post-b-ran')), 'post hooks ran');
    assert.doesNotMatch(f('lvs-after-hookfail.txt'), /snap/);
    assert.ok(j.guarantees.every((g: { guarantee: string }) => g.guarantee === 'none'));
  });
  for (const [name, db] of [['drill-pg', 'postgresql'], ['drill-redis-json', 'redis']] as const) {
    await t.test(`${db}: every write committed before the snapshot is there after the merge, none written after it`, () => {
      assert.equal(rc(name), 0, why(name));
      const d = JSON.parse(f(`${name}.out`));
      assert.equal(d.pass, true, why(name));
      assert.equal(d.lost, 0);
      assert.equal(d.presentAfter, 0);
      assert.ok(d.committedBefore >= 10 && d.writtenAfter >= 1, why(name));
      assert.equal(d.guarantee.guarantee, 'database-backup', why(name));
      assert.deepEqual(d.remountedAt, [db === 'postgresql' ? '/var/lib/postgresql' : '/var/lib/redis']);
      console.log(`# ${db} drill: committed before ${d.committedBefore}, present ${d.presentBefore}, lost ${d.lost}; written after ${d.writtenAfter}, present ${d.presentAfter}; in flight ${d.inFlight}`);
    });
  }
  await t.test('postgresql: the WAL pg_backup_stop names is kept beside the label, start segment through stop segment, each wal_segment_size', async () => {
    const { parseLsn, walName, walRange } = await import('../../src/snapshot/pg-wal.js');
    const d = JSON.parse(f('drill-pg.out'));
    const fact = (phase: string, k: string) => new RegExp(`^postgresql ${phase}: ok .*\\b${k}=(\\S+)`).exec((d.hooks as string[]).find((h) => h.startsWith(`postgresql ${phase}:`)) ?? '')?.[1];
    const [start, stop, walDir] = [fact('pre', 'startLsn'), fact('post', 'stopLsn'), fact('post', 'walDir')];
    assert.ok(start && stop && walDir, `hook facts: ${d.hooks.join(' | ')}`);
    const seg = 16 * 1024 * 1024; // Debian's initdb default (the drill does not set --wal-segsize)
    // independent of the hook's own arithmetic: the segment holding the start LSN through the one holding the byte before the stop LSN
    const want = walRange(walName(1, Math.floor(parseLsn(start) / seg), seg), walName(1, Math.floor((parseLsn(stop) - 1) / seg), seg), seg);
    const kept = JSON.parse(f('wal-kept.json'))[walDir] as Record<string, number>;
    assert.deepEqual(Object.keys(kept).sort(), want, `kept in ${walDir}`);
    for (const [n, size] of Object.entries(kept)) assert.equal(size, seg, n);
    assert.match(d.guarantee.why, new RegExp(`WAL ${want[0]}\\.\\.${want[want.length - 1]} \\(${want.length} segment\\(s\\)\\) kept in `));
    // the set records which snapshot the backup belongs to (restore reads it: src/snapshot/backup-record.ts)
    assert.match(d.guarantee.why, /; recorded in \/var\/lib\/jts-storage\/backup-labels\/jts-drill-\d{8}T\d{6}Z\.snapshots/);
    console.log(`# postgresql WAL kept: ${want.length} segment(s) ${want[0]}..${want[want.length - 1]} for LSN ${start}..${stop}`);
  });
  await t.test('the text output prints the counts', () => {
    // The text form of the Redis drill's own result (one Redis drill per boot: a second, in text, cost 75 s).
    const text = renderDbDrill(JSON.parse(f('drill-redis-json.out')));
    assert.match(text, /committed before the snapshot \d+, present after restore \d+, LOST 0; written after the snapshot \d+, present 0/);
    assert.match(text, /drill: PASS/);
    for (const m of ['/var/lib/postgresql', '/var/lib/redis']) assert.match(f('findmnt-end.txt'), new RegExp(`^${m}$`, 'm'));
  });
  if (!process.env.JTS_KEEP_VM_OUT) rmSync(out, { recursive: true, force: true });
});
