import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Kernel truth on today's sandbox kernel, ONE boot, one 8 GiB NVMe drive (serial JTS-KT-0):
 *
 * 1. The sample of the sweep: 42 rows of test/fixtures/kernel-truth/sweep.json (7 of each kind: ext4 and
 *    XFS × accepted / mount refused / mkfs refused; src/prove/truth-sample.ts) re-run with the sweep's own
 *    guest code (src/prove/truth-guest.ts runTruth). Fails naming every row whose verdict differs from
 *    the fixture.
 * 2. A plan whose mount options the linter is made to accept by an override (ext4 data=journal with
 *    delalloc, JTS-MOUNTOPT-COMBINATION overridden with a reason) but the kernel refuses:
 *    - `plan` shows the finding as overridden (exit 2: changes);
 *    - `apply` proves first and stops before any change, with the kernel's words (no VG made);
 *    - `apply --no-prove` reaches its mount, which the kernel refuses: /etc/fstab stays byte-identical
 *      and apply's output carries the kernel's message (dmesg: "can't mount with both data=journal and
 *      delalloc").
 *
 * Guest side: this file run by node in the guest (JTS_KT_GUEST=outDir) reads sample.json, writes
 * truth/rows.jsonl and apply.json.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERIAL = 'JTS-KT-0';
const PLAN = `version: 1
name: kt
drives: [{ id: d0, serial: ${SERIAL}, kind: nvme }]
volumeGroups: [{ name: vg_kt, drives: [d0], reserve: 10% }]
volumes:
  - name: lv_j
    vg: vg_kt
    size: 1GiB
    workload: generic
    filesystem: { type: ext4 }
    mount: { path: /srv/kt/j, options: [noatime, data=journal, delalloc, nofail] }
    overrides:
      - { rule: JTS-MOUNTOPT-COMBINATION, reason: "the test of a plan the kernel refuses though the linter is told to accept it" }
`;

interface ApplyResult {
  planExit: number;
  planOut: string;
  proveExit: number;
  proveOut: string;
  vgAfterProve: number;
  applyExit: number;
  applyOut: string;
  fstabBefore: string;
  fstabAfter: string;
  fstabHashBefore: string;
  fstabHashAfter: string;
  /** Seconds of plan, apply (proof) and apply --no-prove in the guest. */
  seconds: number[];
}

async function guestMain(out: string): Promise<void> {
  const { ExecRunner } = await import('../../src/core/exec-runner.js');
  const { runTruth } = await import('../../src/prove/truth-guest.js');
  const sample = JSON.parse(readFileSync(join(out, 'sample.json'), 'utf8')) as { group: number; mount: string[] }[];
  const sel = new Map<number, string[][]>();
  for (const r of sample) sel.set(r.group, [...(sel.get(r.group) ?? []), r.mount]);
  const t0 = Date.now();
  await runTruth(new ExecRunner(), join(out, 'truth'), sel);
  process.stdout.write(`truth sample: ${sample.length} rows in ${Math.round((Date.now() - t0) / 1000)} s\n`);

  const env = { ...process.env, LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };
  const seconds: number[] = [];
  const cli = (args: string[]) => {
    const t = Date.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/jts-storage.js'), ...args], { cwd: ROOT, encoding: 'utf8', env, timeout: 600_000 });
    seconds.push(Math.round((Date.now() - t) / 1000));
    return { exit: r.status ?? 128, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
  };
  const fstab = () => readFileSync('/etc/fstab');
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const planFile = join(out, 'kt.yaml');
  writeFileSync(planFile, PLAN);
  const before = fstab();
  const audit = ['--audit-log', join(out, 'audit.jsonl')];
  const plan = cli(['plan', '--plan', planFile]);
  const prove = cli(['apply', '--plan', planFile, '--yes', ...audit]);
  const vg = spawnSync('vgs', ['vg_kt'], { env, encoding: 'utf8' });
  const apply = cli(['apply', '--plan', planFile, '--yes', '--no-prove', ...audit]);
  const after = fstab();
  const res: ApplyResult = {
    planExit: plan.exit,
    planOut: plan.out,
    proveExit: prove.exit,
    proveOut: prove.out,
    vgAfterProve: vg.status ?? 128,
    applyExit: apply.exit,
    applyOut: apply.out,
    fstabBefore: before.toString('utf8'),
    fstabAfter: after.toString('utf8'),
    fstabHashBefore: sha(before),
    fstabHashAfter: sha(after),
    seconds,
  };
  writeFileSync(join(out, 'apply.json'), JSON.stringify(res, null, 1));
  writeFileSync(join(out, 'done'), 'done\n');
}

if (process.env.JTS_KT_GUEST) {
  await guestMain(process.env.JTS_KT_GUEST);
} else {
  await hostTests();
}

async function hostTests(): Promise<void> {
  const { runInSandbox } = await import('../../src/sandbox/index.js');
  const { sampleRows, disagreements, TRUTH_KINDS } = await import('../../src/prove/truth-sample.js');
  type TruthRow = import('../../src/prove/try.js').TruthRow;
  const fx = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kernel-truth/sweep.json'), 'utf8')) as { versions: { kernel: string }; rows: TruthRow[] };
  const sample = sampleRows(fx.rows);

  let boot: Awaited<ReturnType<typeof runInSandbox>> | undefined;
  let out = '';
  let ctx = '';
  const booted = async () => {
    if (boot) return;
    out = mkdtempSync(join(tmpdir(), 'jts-kt-vm-'));
    writeFileSync(join(out, 'sample.json'), JSON.stringify(sample.map((r) => ({ group: r.group, mount: r.mount }))));
    boot = await runInSandbox([process.execPath, fileURLToPath(import.meta.url)], {
      drives: [{ sizeBytes: 8 * 1024 ** 3, serial: SERIAL, kind: 'nvme' }],
      outDir: out,
      env: { JTS_KT_GUEST: out },
      cwd: ROOT,
      timeoutS: 1800,
      expectWriteBytes: 3 * 1024 ** 3,
      ...(process.env.JTS_VM_VERBOSE ? { onOutput: (c: string) => process.stderr.write(c) } : {}),
    });
    ctx = `\n--- guest output tail:\n${boot.output.slice(-4000)}\n--- console:\n${boot.consoleTail.slice(-1500)}`;
  };

  test('kernel truth sample: every kind, today\'s sandbox kernel agrees with the fixture on every sampled row', { timeout: 1_900_000 }, async (t) => {
    for (const [fs, verdict] of TRUTH_KINDS) assert.ok(sample.some((r) => r.fs === fs && r.verdict === verdict), `the sample has ${fs} ${verdict}`);
    await booted();
    const rowsFile = join(out, 'truth/rows.jsonl');
    const today = existsSync(rowsFile) ? readFileSync(rowsFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TruthRow) : [];
    const versions = existsSync(join(out, 'truth/versions.json')) ? (JSON.parse(readFileSync(join(out, 'truth/versions.json'), 'utf8')) as { kernel: string }) : { kernel: '?' };
    t.diagnostic(`${sample.length} rows (${new Set(sample.map((r) => r.group)).size} mkfs) on kernel ${versions.kernel} (fixture: ${fx.versions.kernel}); boot ${boot!.bootMs} ms, run ${boot!.wallMs} ms`);
    const bad = disagreements(sample, today);
    assert.deepEqual(bad, [], `today's kernel ${versions.kernel} disagrees with the fixture (${fx.versions.kernel}) on ${bad.length} row(s):\n${bad.join('\n')}${ctx}`);
  });

  test('an override the kernel refuses: apply proves first (no change); without the proof its mount fails, /etc/fstab is byte-identical and the kernel\'s message is shown', { timeout: 1_900_000 }, async (t) => {
    await booted();
    const file = join(out, 'apply.json');
    assert.ok(existsSync(file), `the guest wrote apply.json${ctx}`);
    const a = JSON.parse(readFileSync(file, 'utf8')) as ApplyResult;
    t.diagnostic(`in the guest: plan ${a.seconds[0]} s, apply (proof) ${a.seconds[1]} s, apply --no-prove ${a.seconds[2]} s`);
    const c = (s: string) => `${ctx}\n--- ${s}`;
    // Output is wrapped to the terminal width (80 without one): compare with whitespace and frame bars folded.
    const flat = (s: string) => s.replace(/[│|]/g, ' ').replace(/\s+/g, ' ');
    // plan: the linter accepts (overridden), so it only shows changes
    assert.equal(a.planExit, 2, c(a.planOut));
    assert.match(flat(a.planOut), /JTS-MOUNTOPT-COMBINATION data=journal with delalloc/, c(a.planOut));
    // apply proves first: refused before any command, with the kernel's words
    assert.equal(a.proveExit, 1, c(a.proveOut));
    assert.match(flat(a.proveOut), /the kernel refuses what this plan would make/, c(a.proveOut));
    assert.match(flat(a.proveOut), /can't mount with both data=journal and delalloc/, c(a.proveOut));
    assert.notEqual(a.vgAfterProve, 0, 'no VG was made by the refused apply');
    // apply --no-prove: the mount comes before the fstab commit; the kernel refuses it
    assert.notEqual(a.applyExit, 0, c(a.applyOut));
    assert.match(flat(a.applyOut), /can't mount with both data=journal and delalloc/, c(a.applyOut));
    assert.equal(a.fstabHashAfter, a.fstabHashBefore, `/etc/fstab changed:\n--- before\n${a.fstabBefore}\n--- after\n${a.fstabAfter}`);
    assert.doesNotMatch(a.fstabAfter, /vg_kt|jts-storage/);
  });

  test('cleanup', () => {
    if (out) rmSync(out, { recursive: true, force: true });
  });
}
