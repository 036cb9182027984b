import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FakeRunner } from '../support/fake-runner.js';
import { PlanSchema } from '../../src/model/plan-schema.js';

/** Shared by the bench and report tests: a FakeRunner that answers with the outputs captured on the test bed. */
export const FX = path.resolve('test/fixtures/fio');
export const fx = (name: string) => readFileSync(path.join(FX, name), 'utf8');

// The guest of the fixtures had /dev/vg_fx/lv_fs (ext4) mounted at /mnt/fx.
export const fixturePlan = () =>
  PlanSchema.parse({
    version: 1,
    drives: [{ id: 'd0', serial: 'JTS-FX-0', tier: 'hot' }],
    volumeGroups: [{ name: 'vg_fx', drives: ['d0'] }],
    volumes: [
      { name: 'lv_fs', vg: 'vg_fx', size: '768MiB', workload: 'postgresql', mount: { path: '/mnt/fx' } },
      { name: 'lv_gone', vg: 'vg_fx', size: '1GiB', workload: 'kafka', mount: { path: '/var/lib/kafka' } },
    ],
    networkMounts: [{ source: 'nas:/jts', path: '/mnt/nas', type: 'nfs4' }],
  });

/** A FakeRunner answering the bench's commands with the captured outputs. */
export function benchRunner(opts: { failProfile?: string } = {}) {
  const r = new FakeRunner();
  r.dirs.add('/mnt/fx');
  r.statfsTable.set('/mnt/fx', { totalBytes: 768 * 2 ** 20, freeBytes: 700 * 2 ** 20, availBytes: 660 * 2 ** 20, totalInodes: 1, freeInodes: 1 });
  r.on(['fio', '--version'], { stdout: 'fio-3.33\n' });
  r.on(['findmnt'], { stdout: fx('findmnt.out') });
  r.on(['uname', '-n'], { stdout: 'guest\n' });
  r.on(['uname', '-r'], { stdout: '6.1.0-56-amd64\n' });
  r.on(['lsblk', '-J', '-s'], { stdout: fx('lsblk-s-lv.out') });
  r.on(['vgs'], { stdout: fx('vgs.out') });
  r.on(['lvcreate'], { stdout: '  Logical volume "jts_bench_scratch" created.\n' });
  r.on(['lvremove'], { stdout: '' });
  // The test files are removed by an `rm -f -- FILE` Action through the executor.
  r.on(['rm', '-f', '--'], (a) => {
    r.files.delete(a[a.length - 1]!);
    return {};
  });
  const one = (a: string[]): { exitCode?: number; stdout: string; stderr?: string } => {
    const name = a.find((x) => x.startsWith('--name='))!.slice(7);
    const file = a.find((x) => x.startsWith('--filename='))!.slice(11);
    if (name.startsWith('precondition')) {
      if (!file.startsWith('/dev/')) r.files.set(file, 'x');
      return { stdout: fx(file.startsWith('/dev/') ? 'scratch-precondition.out' : 'precondition.out') };
    }
    if (name === opts.failProfile) return { exitCode: 1, stdout: fx('job-error.out'), stderr: fx('job-error.err') };
    return { stdout: fx(file.startsWith('/dev/') && name === 'rand4k-qd1-read' ? 'scratch-rand4k-qd1-read.out' : `${name}.out`) };
  };
  // A batch (fioBatchArgv: several --name= jobs in one process): one JSON whose `jobs` are each job's
  // captured job, in order (the shape of the captured batch-stonewall.out), exit 1 when a job failed.
  r.on(
    (a) => a[0] === 'fio' && a.some((x) => x.startsWith('--name=')),
    (a) => {
      const starts = a.flatMap((x, i) => (x.startsWith('--name=') ? [i] : []));
      if (starts.length === 1) return one(a);
      const outs = starts.map((s, k) => one(['fio', ...a.slice(s, starts[k + 1] ?? a.length)]));
      const docs = outs.map((o) => JSON.parse(o.stdout.slice(o.stdout.indexOf('{'))) as { jobs: unknown[] });
      const stdout = JSON.stringify({ ...docs[0], jobs: docs.flatMap((d) => d.jobs) }, null, 2);
      const failed = outs.find((o) => o.exitCode);
      return failed ? { exitCode: failed.exitCode, stdout, stderr: failed.stderr } : { stdout };
    },
  );
  return r;
}

