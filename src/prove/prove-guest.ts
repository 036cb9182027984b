/**
 * The prove worker: `node prove-guest.js IN OUT`, run in a private mount namespace (prove.ts,
 * proveOnHost) or in the sandbox (prove-sandbox.ts). For each case of IN ({ dir, clearLog, cases }):
 * a sparse image of the case's size (`truncate -s`), `losetup --find --show`, the plan's mkfs argv on
 * that loop device, `mount -t FS -o OPTS` on a private directory, the kernel's log lines, `umount`,
 * `losetup -d`, the image removed. Writes OUT = { kernel, outcomes }. Every process through ExecRunner.
 */
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { tryMount } from './try.js';
import { DEV, type ProveCase, type ProveOutcome } from './prove.js';

const ENV = { LC_ALL: 'C' };

/** One case, start to end; never throws (a failure is the outcome). */
export async function proveOne(r: Runner, c: ProveCase, dir: string, n: number, clearLog: boolean): Promise<ProveOutcome> {
  const t0 = Date.now();
  const img = `${dir}/case-${n}.img`;
  const mnt = `${dir}/mnt-${n}`;
  let loop: string | undefined;
  try {
    const tr = await r.run(['truncate', '-s', String(c.sizeBytes), img], { env: ENV });
    if (tr.exitCode !== 0) return { key: c.key, verdict: 'error', message: `truncate: ${tr.stderr.trim()}`, ms: Date.now() - t0 };
    const lo = await r.run(['losetup', '--find', '--show', img], { env: ENV });
    if (lo.exitCode !== 0) return { key: c.key, verdict: 'error', message: `losetup (a loop device is needed): ${lo.stderr.trim()}`, ms: Date.now() - t0 };
    loop = lo.stdout.trim();
    const argv = c.mkfsArgv.map((a) => (a === DEV ? loop! : a));
    const mk = await r.run(argv, { env: ENV, timeoutMs: 300_000 });
    if (mk.exitCode !== 0) return { key: c.key, verdict: 'mkfs-refused', message: `${argv[0]} exit ${mk.exitCode}: ${(mk.stderr + mk.stdout).split('\n').filter((l) => l.trim() && !/^\s*(\/\*|\[|Usage:)/.test(l)).slice(0, 3).join(' / ')}`, ms: Date.now() - t0 };
    await r.mkdir(mnt, { recursive: true });
    const m = await tryMount(r, c.fs, loop, mnt, c.mountOptions, { clearLog });
    if (m.verdict === 'ok') return { key: c.key, verdict: 'ok', message: '', ms: Date.now() - t0 };
    const kernel = m.dmesg.split('\n').filter((l) => /EXT4|XFS|ext4|xfs/.test(l)).slice(-4).join(' / ');
    const err = m.mountErr.split('\n')[0]!.replace(/^mount: [^:]+: /, 'mount: ');
    return { key: c.key, verdict: 'mount-refused', message: kernel ? `${kernel} (${err})` : err, ms: Date.now() - t0 };
  } catch (e) {
    return { key: c.key, verdict: 'error', message: String((e as Error).message ?? e), ms: Date.now() - t0 };
  } finally {
    if (loop) await r.run(['losetup', '-d', loop], { env: ENV });
    await r.run(['rm', '-f', img], { env: ENV });
    await r.run(['rmdir', mnt], { env: ENV });
  }
}

async function main(): Promise<void> {
  const [inFile, outFile] = process.argv.slice(2);
  if (!inFile || !outFile) throw new Error('usage: prove-guest IN OUT');
  const r = new ExecRunner();
  const input = JSON.parse(await r.readFile(inFile)) as { dir: string; clearLog?: boolean; cases: ProveCase[] };
  const kernel = (await r.run(['uname', '-r'])).stdout.trim();
  const outcomes: ProveOutcome[] = [];
  for (const [n, c] of input.cases.entries()) outcomes.push(await proveOne(r, c, input.dir, n, input.clearLog ?? false));
  await r.writeFile(outFile, JSON.stringify({ kernel, outcomes }));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
