import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInSandbox } from '../../src/sandbox/index.js';
import { parseAuditLog } from '../../src/exec/audit.js';

/**
 * Issue 11, one path for every change, on a real kernel in ONE boot (test/exec/host-lock-vm-driver.ts
 * is the guest side): while another run holds the host lock, `snapshot create` is refused naming the
 * holder and runs nothing; with --lock-timeout it waits and runs once the holder is gone; the audit log
 * holds the snapshot's lvcreate and bench's scratch LV and fio test-file actions.
 */
const driver = fileURLToPath(new URL('../exec/host-lock-vm-driver.js', import.meta.url));

test('host lock and audit on the test bed: snapshot refused/waiting while the lock is held; snapshot and bench audited', { timeout: 900_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'jts-lock-vm-'));
  const res = await runInSandbox([process.execPath, driver, out], {
    drives: [{ sizeBytes: 2 * 1024 ** 3, serial: 'JTS-NVME-0', kind: 'nvme' }],
    outDir: out,
    timeoutS: 800,
    expectWriteBytes: 512 * 1024 ** 2,
  });
  const f = (n: string) => (existsSync(join(out, n)) ? readFileSync(join(out, n), 'utf8') : '');
  const rc = (n: string) => Number(f(`${n}.rc`).trim());
  const why = (n: string) => `${n}: rc ${f(`${n}.rc`).trim()}\n${f(`${n}.out`).slice(0, 2000)}\n${f(`${n}.err`).slice(0, 2000)}`;
  assert.equal(f('done').trim(), 'done', `guest scenario did not finish (exit ${res.exitCode}):\n${res.output.slice(-3000)}\n${res.consoleTail.slice(-2000)}\n${f('driver.log').slice(-3000)}`);
  const holder = JSON.parse(f('holder.json')) as { pid: number; started: string };
  const audit = parseAuditLog(f('audit.jsonl'));
  const runs = (command: string) => [...new Set(audit.filter((x) => x.event === 'start' && x.command === command).map((x) => x.run))];

  await t.test('snapshot create while another run holds the lock: refused at once, naming pid, command and start time; nothing run', () => {
    assert.equal(rc('create-refused'), 1, why('create-refused'));
    assert.match(f('create-refused.err'), new RegExp(`pid ${holder.pid} \\(jts-storage apply, started ${holder.started.replace(/[.]/g, '\\.')}\\)`));
    const refused = audit.filter((x) => x.event === 'refused' && x.command === 'snapshot create');
    assert.equal(refused.length, 1);
    assert.equal(audit.filter((x) => x.run === refused[0]!.run && x.event === 'command').length, 0, 'the refused run ran no command');
  });

  await t.test('with --lock-timeout it waits for the holder, then creates the snapshot', () => {
    assert.equal(rc('create-waited'), 0, why('create-waited'));
    assert.match(f('create-waited.err'), new RegExp(`waiting up to 120 s for pid ${holder.pid} \\(jts-storage apply`));
    assert.ok(Number(f('create-waited.ms')) >= 3000, `returned after ${f('create-waited.ms')} ms: it did not wait`);
    const snaps = (JSON.parse(f('list.out')) as { snapshots: { origin: string; set: string }[] }).snapshots;
    assert.ok(snaps.some((s) => s.origin === 'lv_a' && s.set === 'locktest'), f('list.out'));
  });

  await t.test('the audit log holds the snapshot run: start, its lvcreate as an action, end', () => {
    const [run] = runs('snapshot create');
    assert.ok(run, 'no snapshot create run in the audit log');
    const cmds = audit.filter((x) => x.run === run && x.event === 'command' && x.mutating);
    assert.ok(cmds.some((x) => x.argv![0] === 'lvcreate' && x.argv!.includes('--snapshot') && /^snapshot:vg_l\/lv_a\..*:create$/.test(x.actionId ?? '')), JSON.stringify(cmds, null, 1).slice(0, 2000));
    assert.equal(audit.filter((x) => x.run === run).at(-1)!.event, 'end');
  });

  await t.test('the audit log holds bench: the scratch LV and the fio test-file actions', () => {
    assert.equal(rc('bench'), 0, why('bench'));
    const [run] = runs('bench');
    assert.ok(run, 'no bench run in the audit log');
    const ids = audit.filter((x) => x.run === run && x.event === 'command' && x.mutating).map((x) => `${x.actionId} ${x.argv!.join(' ')}`);
    assert.ok(ids.some((i) => i.startsWith('bench:scratch:vg_l/jts_bench_scratch:create lvcreate')), ids.join('\n'));
    assert.ok(ids.some((i) => i.startsWith('bench:scratch:vg_l/jts_bench_scratch:destroy lvremove')), ids.join('\n'));
    assert.ok(ids.some((i) => /^bench:fio:\/mnt\/lv_b\/\S+ fio /.test(i)), ids.join('\n'));
    assert.ok(ids.some((i) => /^bench:file:\/mnt\/lv_b\/\S+:destroy rm -f -- /.test(i)), ids.join('\n'));
  });
});
