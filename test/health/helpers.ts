import { readFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { FakeRunner, type FakeReply } from '../support/fake-runner.js';
import { PlanSchema, type Plan } from '../../src/model/plan-schema.js';

/** Outputs captured in the sandbox guest by test/health/capture-guest.sh (see fixtures/README.md). */
const FIX = new URL('../../../test/health/fixtures/', import.meta.url);
export function fixture(name: string): string {
  return readFileSync(new URL(name, FIX), 'utf8');
}

export const STATFS_DEFAULT = { totalBytes: 1_000_000_000, freeBytes: 900_000_000, availBytes: 900_000_000, totalInodes: 65536, freeInodes: 65000 };

/**
 * A FakeRunner answering health's calls with the guest captures: VG vg_h on nvme0n1 with lv_data
 * (ext4, /mnt/data), lv_logs (XFS, /mnt/logs), a classic snapshot per volume (lv_logs_snap invalid),
 * a thin pool with lv_thin and a thin snapshot, and a SCSI disk outside LVM.
 */
export function guestRunner(over: { nvme?: FakeReply; smartctl?: FakeReply; lvm?: FakeReply; findmnt?: FakeReply; lsblk?: FakeReply; lsblkPvs?: FakeReply } = {}): FakeRunner {
  const r = new FakeRunner();
  r.on(['lvm', 'fullreport'], over.lvm ?? { stdout: fixture('lvm-fullreport.json') });
  r.on(['findmnt'], over.findmnt ?? { stdout: fixture('findmnt.json') });
  // Every device (health's fallback without LVM), and the PVs with what they sit on (lsblk -s, the usual call).
  r.on(['lsblk'], over.lsblk ?? { stdout: fixture('lsblk.json') });
  r.on((argv) => argv[0] === 'lsblk' && argv.includes('-s'), over.lsblkPvs ?? over.lsblk ?? { stdout: fixture('lsblk-pvs.json') });
  r.on(['nvme', 'smart-log'], over.nvme ?? { stdout: fixture('nvme-smart-log.json') });
  r.on(['smartctl'], over.smartctl ?? { stdout: fixture('smartctl-nvme.json') });
  r.statfsTable.set('/mnt/data', { ...STATFS_DEFAULT });
  r.statfsTable.set('/mnt/logs', { ...STATFS_DEFAULT });
  return r;
}

/** statfs figures for a filesystem `usedPercent` full as df counts it (used / (used + avail)). */
export function statfsAt(usedPercent: number, total = 1_000_000_000) {
  const used = Math.round((total * usedPercent) / 100);
  return { totalBytes: total, freeBytes: total - used, availBytes: total - used, totalInodes: 65536, freeInodes: 65000 };
}

/** A plan for the guest captures' layout. */
export function guestPlan(extra: Record<string, unknown> = {}): Plan {
  return PlanSchema.parse({
    version: 1,
    drives: [{ id: 'd0', serial: 'JTS-HEALTH-0' }],
    volumeGroups: [{ name: 'vg_h', drives: ['d0'], reserve: '1GiB' }],
    volumes: [
      { name: 'lv_data', vg: 'vg_h', size: '1GiB', workload: 'postgresql', mount: { path: '/mnt/data', options: ['noatime', 'nofail', 'x-systemd.device-timeout=30s'] }, snapshot: { warnFillPercent: 40, critFillPercent: 60 } },
      { name: 'lv_logs', vg: 'vg_h', size: '512MiB', workload: 'kafka', filesystem: { type: 'xfs' }, mount: { path: '/mnt/logs', options: ['noatime', 'logbufs=8'] }, snapshot: {} },
    ],
    ...extra,
  });
}

/** `promtool check metrics` on a text; undefined when promtool is not installed. */
export function promtoolCheck(text: string): { status: number | null; output: string } | undefined {
  if (spawnSync('promtool', ['--version']).error) return undefined;
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/**
 * Starts node_exporter on a loopback port with only the textfile collector, pointed at `dir`, scrapes
 * /metrics once (bounded wait: 100 × 100 ms), and always kills it. Undefined when not installed.
 */
export async function scrapeTextfileDir(dir: string): Promise<string | undefined> {
  const bin = ['prometheus-node-exporter', 'node_exporter'].find((b) => !spawnSync(b, ['--version']).error);
  if (!bin) return undefined;
  const port = await freePort();
  const child = spawn(bin, [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${dir}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) break;
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        if (res.ok) return await res.text();
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`node_exporter did not serve /metrics: ${stderr.slice(-2000)}`);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}
