import { readFileSync } from 'node:fs';
import { FakeRunner } from '../support/fake-runner.js';
import { loadPlanText, DEFAULT_PLAN_PATH, type LoadedPlan } from '../../src/model/load-plan.js';
import { LVS_ARGV, FINDMNT_ARGV } from '../../src/tune/facts.js';
import type { Runner } from '../../src/core/runner.js';
import { UDEV_EXPORT_DB_ARGV } from '../../src/host/udev.js';
import { capture } from '../host/fixtures.js';

/**
 * `udevadm info --export-db` captured in the sandbox (test/tune/fixtures/README.md): whole disks nvme0n1 and
 * nvme0n2 (two namespaces of controller JTS-NVME-0), nvme1n1 (JTS-NVME-1), sda (SCSI JTS-SCSI-0), vda
 * (virtio VIRT1), sdb (SATA JTS-SATA-0).
 */
export const UDEV_DB = capture('tune/fixtures/udevadm-export-db.txt');

/** nvme0n1's namespace-specific by-id link in UDEV_DB: the plan drive smallPlan() declares. */
export const NVME0N1_BY_ID = '/dev/disk/by-id/nvme-QEMU_NVMe_Ctrl_JTS-NVME-0_1';

/**
 * A udev database of n NVMe disks nvme{i}n1 made from the captured nvme1n1 block (its serial JTS-NVME-1 and
 * wwid turned into per-disk ones): the shape of a real host with many controllers, for counting reads.
 */
export function udevDbOfNvme(n: number): string {
  const block = UDEV_DB.split(/\n\n/).find((b) => /^M: nvme1n1$/m.test(b))!;
  const wwid = /^E: ID_WWN=(.*)$/m.exec(block)![1]!;
  return Array.from({ length: n }, (_, i) =>
    block
      .replaceAll('nvme1n1', `nvme${i}n1`)
      .replaceAll('nvme/nvme1/', `nvme/nvme${i}/`)
      .replaceAll('JTS-NVME-1', `JTS-NVME-${i}`)
      .replaceAll(wwid, wwid.replace(/-00000001$/, `-${String(i + 1).padStart(8, '0')}`)),
  ).join('\n\n') + '\n';
}

/** The embedded default plan, loaded as the CLI loads it. */
export function defaultPlan(): LoadedPlan {
  return loadPlanText(readFileSync(DEFAULT_PLAN_PATH, 'utf8'), DEFAULT_PLAN_PATH);
}

/** A small plan (one NVMe drive: nvme0n1 of UDEV_DB, by its namespace link; volumes given) in YAML, with an optional tuning section. */
export function smallPlan(opts: { tuning?: string; volumes?: string; file?: string; drives?: string[]; vgDrives?: string } = {}): LoadedPlan {
  const text = [
    'version: 1',
    'name: t',
    'drives:',
    ...(opts.drives ?? [`  - { id: d0, byId: ${NVME0N1_BY_ID}, kind: nvme }`]),
    'volumeGroups:',
    `  - { name: vg0, drives: [${opts.vgDrives ?? 'd0'}] }`,
    'volumes:',
    opts.volumes ??
      [
        '  - { name: lv_mongo, vg: vg0, size: 10GiB, workload: mongodb, filesystem: { type: xfs } }',
        '  - { name: lv_ch, vg: vg0, size: 10GiB, workload: clickhouse }',
        '  - { name: lv_pg, vg: vg0, size: 10GiB, workload: postgresql, readAhead: 64 }',
      ].join('\n'),
    opts.tuning ?? '',
  ].join('\n');
  return loadPlanText(text + '\n', opts.file ?? '/plans/t.yaml');
}

export interface FakeDisk {
  name: string;
  rotational?: '0' | '1';
  scheduler?: string; // file text, e.g. "[none] mq-deadline"
  writeCache?: string;
  discardMaxBytes?: string;
}

export function lvsJson(lvs: { vg: string; name: string; ra: string; kra?: string; minor?: number; attr?: string }[]): string {
  return JSON.stringify({
    report: [
      {
        lv: lvs.map((l) => ({
          vg_name: l.vg,
          lv_name: l.name,
          lv_attr: l.attr ?? '-wi-ao----',
          lv_read_ahead: l.ra,
          lv_kernel_read_ahead: l.kra ?? '131072',
          lv_kernel_major: '253',
          lv_kernel_minor: String(l.minor ?? 0),
        })),
      },
    ],
  });
}

/** A FakeRunner shaped like a host: /sys/block, lvs, findmnt, systemd or not. */
export function fakeHost(o: {
  disks: FakeDisk[];
  others?: string[];
  lvs?: string;
  findmnt?: string;
  systemd?: boolean;
  systemctlShow?: string;
  files?: Record<string, string>;
  fstrimTimer?: boolean;
  /** `udevadm info --export-db` output (default UDEV_DB, the sandbox capture). */
  udevDb?: string;
}): FakeRunner {
  const r = new FakeRunner();
  for (const d of o.disks) {
    const q = `/sys/block/${d.name}/queue`;
    r.files.set(`${q}/rotational`, (d.rotational ?? '0') + '\n');
    r.files.set(`${q}/scheduler`, (d.scheduler ?? '[none] mq-deadline') + '\n');
    r.files.set(`${q}/write_cache`, (d.writeCache ?? 'write back') + '\n');
    r.files.set(`${q}/discard_max_bytes`, (d.discardMaxBytes ?? '2199023255040') + '\n');
  }
  for (const n of o.others ?? []) r.dirs.add(`/sys/block/${n}`);
  r.files.set('/proc/1/comm', o.systemd ? 'systemd\n' : 'init\n');
  if (o.systemd) r.dirs.add('/run/systemd/system');
  if (o.fstrimTimer !== false) r.files.set('/usr/lib/systemd/system/fstrim.timer', '[Timer]\nOnCalendar=weekly\n');
  r.dirs.add('/usr/sbin/fstrim');
  for (const [k, v] of Object.entries(o.files ?? {})) r.files.set(k, v);
  r.on(LVS_ARGV, { stdout: o.lvs ?? lvsJson([]) });
  r.on(FINDMNT_ARGV, { stdout: o.findmnt ?? JSON.stringify({ filesystems: [] }) });
  r.on(['getconf', 'PAGESIZE'], { stdout: '4096\n' });
  r.on(UDEV_EXPORT_DB_ARGV, { stdout: o.udevDb ?? UDEV_DB });
  r.on(['systemctl', 'show'], { stdout: o.systemctlShow ?? '' });
  return r;
}

/** Counts file reads per path (the Runner's readFile/readFileIfExists), on top of FakeRunner's call log. */
export function countReads(r: FakeRunner): Map<string, number> {
  const counts = new Map<string, number>();
  const inc = (p: string) => counts.set(p, (counts.get(p) ?? 0) + 1);
  const rf = r.readFile.bind(r);
  const rfe = r.readFileIfExists.bind(r);
  (r as Runner).readFile = async (p: string) => (inc(p), rf(p));
  (r as Runner).readFileIfExists = async (p: string) => (inc(p), rfe(p));
  return counts;
}
