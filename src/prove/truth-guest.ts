/**
 * The guest side of the kernel-truth sweep: ONE process in the sandbox that makes one VG on the first
 * drive, one LV per size class (reused: `wipefs -a` between cases), and for every group of
 * truth-cases.ts runs mkfs once, then each mount option list (`mount -t FS -o OPTS`, dmesg cleared
 * before and read after, `umount` after a success). Rows are appended to OUT/rows.jsonl as they come,
 * so a timeout keeps what was measured; OUT/versions.json holds the kernel and tool versions.
 *
 * Run: `node dist/src/prove/truth-guest.js OUT [GROUP-INDEX,...]` as root in the sandbox
 * (scripts/sweep-kernel-truth.mjs does it); the sample VM test (test/vm/kernel-truth.vm.test.ts) calls
 * runTruth with a selection of rows (truth-sample.ts).
 */
import { appendFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExecRunner } from '../core/exec-runner.js';
import type { Runner } from '../core/runner.js';
import { truthGroups, truthMkfsArgv, type TruthGroup } from './truth-cases.js';
import { tryMount, toolVersions, type TruthRow } from './try.js';
import { readLsblk } from '../host/lsblk.js';

const ENV = { LC_ALL: 'C', LVM_SUPPRESS_FD_WARNINGS: '1' };

/**
 * Which rows to run: group index → the mount option lists to try on it (a subset of the group's, in the
 * group's order); undefined = every group, every mount.
 */
export type TruthSelection = Map<number, string[][]>;

/**
 * Runs the selected groups of truthGroups() on the first disk of this machine (which it takes whole:
 * pvcreate, VG "truth"), appending rows to OUT/rows.jsonl and writing OUT/versions.json and, at the
 * end, OUT/done. Needs root; meant for the sandbox only. Errors: Error when there is no disk or an LV
 * cannot be made.
 */
export async function runTruth(r: Runner, out: string, selection?: TruthSelection): Promise<void> {
  const all = truthGroups();
  const groups: [number, TruthGroup][] = all.map((g, i) => [i, g] as [number, TruthGroup]).filter(([i]) => !selection || selection.has(i));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'versions.json'), JSON.stringify(await toolVersions(r)));
  // Through the one lsblk reader (JSON, LC_ALL=C), never its columns.
  const { devices } = await readLsblk(r, ['lsblk', '-J', '-d', '-p', '-o', 'NAME,KNAME,PATH,TYPE']);
  const disk = devices.find((d) => d.type === 'disk' && !/\/(loop|sr|zram)/.test(d.path || d.name))?.path;
  if (!disk) throw new Error(`no drive: ${devices.map((d) => `${d.name} ${d.type}`).join(', ') || 'lsblk listed none'}`);
  await r.run(['pvcreate', '-qq', '-y', disk], { env: ENV });
  await r.run(['vgcreate', '-qq', '-s', '4m', 'truth', disk], { env: ENV });
  mkdirSync('/mnt/truth', { recursive: true });
  const lvs = new Map<number, string>();
  for (const [gi, g] of groups) {
    const key = (m: string[]) => JSON.stringify(m);
    const wanted = selection?.get(gi);
    const mounts = wanted ? g.mounts.filter((m) => wanted.some((w) => key(w) === key(m))) : g.mounts;
    let dev = lvs.get(g.sizeMiB);
    if (!dev) {
      const name = `s${g.sizeMiB}`;
      const c = await r.run(['lvcreate', '-qq', '-y', '-Wy', '-Zn', '-L', `${g.sizeMiB}m`, '-n', name, 'truth'], { env: ENV });
      if (c.exitCode !== 0) throw new Error(`lvcreate ${name}: ${c.stderr}`);
      dev = `/dev/truth/${name}`;
      lvs.set(g.sizeMiB, dev);
    }
    await r.run(['wipefs', '-a', '-q', dev], { env: ENV });
    const mkfsArgv = truthMkfsArgv(g.fs, g.mkfs, dev);
    await r.run(['dmesg', '-C']);
    const mk = await r.run(mkfsArgv, { env: ENV, timeoutMs: 600_000 });
    const base = { group: gi, fs: g.fs, sizeMiB: g.sizeMiB, mkfs: g.mkfs, mkfsArgv, mkfsRc: mk.exitCode, mkfsErr: (mk.stderr + mk.stdout).trim().slice(0, 600) };
    if (mk.exitCode !== 0) {
      for (const mount of mounts) appendFileSync(join(out, 'rows.jsonl'), JSON.stringify({ ...base, mount, verdict: 'mkfs-refused' } satisfies TruthRow) + '\n');
      continue;
    }
    for (const mount of mounts) {
      const m = await tryMount(r, g.fs, dev, '/mnt/truth', mount);
      appendFileSync(join(out, 'rows.jsonl'), JSON.stringify({ ...base, mount, ...m } satisfies TruthRow) + '\n');
    }
  }
  // Leave the disk as found: the sample VM test goes on with other work in the same boot.
  for (const dev of lvs.values()) await r.run(['wipefs', '-a', '-q', dev], { env: ENV });
  await r.run(['vgremove', '-qq', '-f', 'truth'], { env: ENV });
  await r.run(['pvremove', '-qq', '-y', disk], { env: ENV });
  writeFileSync(join(out, 'done'), '');
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: truth-guest OUT [indexes]');
  const only = process.argv[3] ? new Map(process.argv[3].split(',').map((i) => [Number(i), truthGroups()[Number(i)]?.mounts ?? []] as [number, string[][]])) : undefined;
  await runTruth(new ExecRunner(), out, only);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
