import { readFileSync } from 'node:fs';
import { FakeRunner } from '../support/fake-runner.js';
import { loadPlanText, DEFAULT_PLAN_PATH, type LoadedPlan } from '../../src/model/load-plan.js';
import { LVS_ARGV, FINDMNT_ARGV } from '../../src/tune/facts.js';
import type { Runner } from '../../src/core/runner.js';

/** The embedded default plan, loaded as the CLI loads it. */
export function defaultPlan(): LoadedPlan {
  return loadPlanText(readFileSync(DEFAULT_PLAN_PATH, 'utf8'), DEFAULT_PLAN_PATH);
}

/** A small plan (one NVMe drive, volumes given) in YAML, with an optional tuning section. */
export function smallPlan(opts: { tuning?: string; volumes?: string; file?: string } = {}): LoadedPlan {
  const text = [
    'version: 1',
    'name: t',
    'drives:',
    '  - { id: d0, serial: S0, kind: nvme }',
    'volumeGroups:',
    '  - { name: vg0, drives: [d0] }',
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
