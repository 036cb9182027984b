import type { Plan } from '../model/plan-schema.js';
import type { BenchTarget, PlanSummary } from './results.js';
import { UserError } from '../core/exit-codes.js';
import { parseFindmntJson } from '../host/findmnt.js';

/**
 * Which filesystems a bench runs on: the plan's mounted volumes (hot tier on NVMe, warm tier on the
 * plan's warm drives), its mounted network mounts (cold tier), and any `--dir`. Pure: the mount table
 * comes in as data (findmnt -J).
 */
export interface MountRow {
  target: string;
  source: string;
  fstype: string;
  options: string[];
}

/** `findmnt -J -l -o TARGET,SOURCE,FSTYPE,OPTIONS[,MAJ:MIN]` (host/findmnt.ts) → rows. */
export function parseFindmntList(json: string): MountRow[] {
  return parseFindmntJson(json).map(({ target, source, fstype, options }) => ({ target, source, fstype, options }));
}

/** The mount a path lives on: the longest mount target that is a prefix of it (the last one mounted wins). */
export function mountOf(p: string, mounts: readonly MountRow[]): MountRow | undefined {
  let best: MountRow | undefined;
  for (const m of mounts) {
    const t = m.target.endsWith('/') ? m.target : m.target + '/';
    if (p === m.target || p.startsWith(t) || m.target === '/') {
      if (!best || m.target.length >= best.target.length) best = m;
    }
  }
  return best;
}

export function deviceOfSource(source: string): string {
  const i = source.indexOf('[');
  return i > 0 ? source.slice(0, i) : source;
}

export interface TargetSelection {
  targets: BenchTarget[];
  /** Plan entries not benchmarked, and why (not mounted, no mount point). */
  skipped: { id: string; why: string }[];
}

export function selectTargets(
  plan: Plan | undefined,
  mounts: readonly MountRow[],
  opts: { volumes?: string[]; dirs?: string[] } = {},
): TargetSelection {
  const targets: BenchTarget[] = [];
  const skipped: { id: string; why: string }[] = [];
  const wantVolumes = opts.volumes && opts.volumes.length ? new Set(opts.volumes) : undefined;
  if (wantVolumes && !plan) throw new UserError('--volume needs --plan (volume names come from the plan)');
  if (plan) {
    if (wantVolumes) {
      const known = new Set([...plan.volumes.map((v) => v.name), ...plan.networkMounts.map((n) => n.path)]);
      for (const w of wantVolumes) {
        if (!known.has(w)) throw new UserError(`--volume ${w}: not in the plan (volumes: ${plan.volumes.map((v) => v.name).join(', ') || 'none'})`);
      }
    }
    for (const v of plan.volumes) {
      if (wantVolumes && !wantVolumes.has(v.name)) continue;
      if (!v.mount || v.filesystem.type === 'none' || v.filesystem.type === 'swap') {
        skipped.push({ id: v.name, why: 'no mounted filesystem in the plan' });
        continue;
      }
      const m = mounts.find((r) => r.target === v.mount!.path);
      if (!m) {
        skipped.push({ id: v.name, why: `not mounted at ${v.mount.path}` });
        continue;
      }
      const vg = plan.volumeGroups.find((g) => g.name === v.vg);
      const drive = vg ? plan.drives.find((d) => d.id === vg.drives[0]) : undefined;
      targets.push({
        id: v.name,
        kind: 'volume',
        label: `${v.name} (${v.mount.path})`,
        tier: drive?.tier ?? 'hot',
        workload: v.workload,
        mountPath: v.mount.path,
        device: deviceOfSource(m.source),
        fstype: m.fstype,
        mountOptions: m.options,
      });
    }
    for (const n of plan.networkMounts) {
      if (wantVolumes && !wantVolumes.has(n.path)) continue;
      const m = mounts.find((r) => r.target === n.path);
      if (!m) {
        skipped.push({ id: `net:${n.path}`, why: `not mounted at ${n.path}` });
        continue;
      }
      targets.push({
        id: `net:${n.path}`,
        kind: 'network',
        label: `${n.source} (${n.path})`,
        tier: n.tier,
        mountPath: n.path,
        fstype: m.fstype,
        mountOptions: m.options,
      });
    }
  }
  for (const d of opts.dirs ?? []) {
    if (!d.startsWith('/')) throw new UserError(`--dir ${d}: give an absolute path`);
    const p = d.length > 1 ? d.replace(/\/+$/, '') : d;
    const m = mountOf(p, mounts);
    targets.push({
      id: `dir:${p}`,
      kind: 'dir',
      label: p,
      tier: 'hot',
      mountPath: p,
      device: m ? deviceOfSource(m.source) : undefined,
      fstype: m?.fstype,
      mountOptions: m?.options,
    });
  }
  return { targets, skipped };
}

export function summarizePlan(plan: Plan, file?: string): PlanSummary {
  return {
    name: plan.name,
    file,
    volumes: plan.volumes.map((v) => {
      const vg = plan.volumeGroups.find((g) => g.name === v.vg);
      const drive = vg ? plan.drives.find((d) => d.id === vg.drives[0]) : undefined;
      return {
        name: v.name,
        vg: v.vg,
        size: v.size,
        workload: v.workload,
        fstype: v.filesystem.type,
        mountPath: v.mount?.path,
        mountOptions: v.mount?.options,
        thinPool: v.thinPool,
        tier: drive?.tier,
      };
    }),
    networkMounts: plan.networkMounts.map((n) => ({ path: n.path, type: n.type, source: n.source, tier: n.tier })),
  };
}

/**
 * Mount options that do not change how a preallocated file is read and written with O_DIRECT (access-time
 * bookkeeping, device/setuid/exec permissions, the read-write flag): two volumes whose options differ
 * only in these share an I/O path. Anything else (data=, barrier, sync, dax, journal or log options…)
 * keeps them apart. Source: mount(8) "FILESYSTEM-INDEPENDENT MOUNT OPTIONS".
 */
const NOT_IO_OPTIONS = new Set(['rw', 'defaults', 'noatime', 'relatime', 'nodiratime', 'strictatime', 'nodev', 'dev', 'nosuid', 'suid', 'noexec', 'exec']);

/**
 * The I/O path of a plan volume as bench's fio jobs meet it: its volume group (so its drives), thin pool or
 * linear LV, filesystem with its mkfs options (not its label), and the mounted options that are not in
 * NOT_IO_OPTIONS. A readable description and a key (equal keys = the same path).
 */
export function ioPath(plan: Plan, t: BenchTarget): { key: string; what: string } | undefined {
  const v = plan.volumes.find((x) => x.name === t.id);
  if (t.kind !== 'volume' || !v) return undefined;
  const fsOpts = Object.entries(v.filesystem)
    .filter(([k, x]) => k !== 'label' && !(Array.isArray(x) && x.length === 0) && x !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  const mountOpts = (t.mountOptions ?? []).filter((o) => !NOT_IO_OPTIONS.has(o)).sort();
  const lv = v.thinPool ? `a thin LV of ${v.vg}/${v.thinPool}` : `a linear LV of ${v.vg}`;
  const what = `${t.fstype ?? v.filesystem.type} on ${lv}${mountOpts.length ? `, mounted ${mountOpts.join(',')}` : ''}`;
  return { key: JSON.stringify([v.vg, v.thinPool ?? '', fsOpts, t.fstype ?? '', mountOpts]), what };
}

/**
 * `bench --one-per-path`: of the plan volumes that share an I/O path (ioPath), only the first in plan order
 * is measured; network mounts, directories and the raw side are kept. `paths` says, per measured volume,
 * its path and the volumes it stands for.
 */
export function onePerIoPath(plan: Plan, targets: BenchTarget[]): { targets: BenchTarget[]; paths: { target: string; path: string; standsFor: string[] }[] } {
  const kept: BenchTarget[] = [];
  const paths: { target: string; path: string; standsFor: string[]; key: string }[] = [];
  for (const t of targets) {
    const p = ioPath(plan, t);
    if (!p) {
      kept.push(t);
      continue;
    }
    const same = paths.find((x) => x.key === p.key);
    if (same) same.standsFor.push(t.id);
    else {
      kept.push(t);
      paths.push({ target: t.id, path: p.what, standsFor: [], key: p.key });
    }
  }
  return { targets: kept, paths: paths.map(({ key: _k, ...x }) => x) };
}
