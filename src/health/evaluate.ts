/**
 * Health evaluation: pure. What was gathered (lvm/findmnt/lsblk reports, statfs of each mounted
 * volume, each drive's SMART log) + the plan (optional) → checks with a status each, and the report.
 * No Runner here: collect.ts gathers, this decides.
 */
import type { Plan, SnapshotPolicy } from '../model/plan-schema.js';
import { DEFAULT_SNAPSHOT_POLICY } from './defaults.js';
import { trySize } from '../model/units.js';
import { classify, fmtBytes, pct } from './thresholds.js';
import { mountOptionDrift } from './drift.js';
import { decodeCriticalWarning } from '../host/nvme.js';
import type { SmartctlHealth } from '../host/smartctl.js';
import { lvmIntegrityChecks, lvPartial } from './lvm-integrity.js';
import { driveKind, lvType, snapshotInvalid } from './sources.js';
import {
  STATUS_CODE,
  worst,
  type Check,
  type CheckKind,
  type DriveReport,
  type HealthReport,
  type SnapshotReport,
  type Status,
  type ThinPoolReport,
  type VgReport,
  type VolumeReport,
} from './types.js';

import { buildScope, thresholdsOf, type HealthInputs } from './scope.js';
export { buildScope, mountIsLv, scopePvs, scopeVgNames, smartTool, thresholdsOf } from './scope.js';
export type { Got, HealthInputs, HealthThresholds, HostReports, Scope, SmartValue, StatfsValue } from './scope.js';

function reserveBytes(reserve: string | undefined, vgSize: number, extent: number | undefined): number | { error: string } {
  if (reserve === undefined) return 0;
  const t = String(reserve).trim();
  if (t === '' || /^0+(\.0+)?\s*[A-Za-z%]*$/.test(t)) return 0;
  const s = trySize(t);
  if (!s.ok) return { error: s.message };
  if (s.size.kind === 'bytes') return s.size.bytes;
  if (s.size.kind === 'percent') {
    // A share of the VG's extents, rounded up to a whole extent as the layout does.
    const raw = (vgSize * s.size.percent) / 100;
    return extent ? Math.ceil(raw / extent) * extent : Math.ceil(raw);
  }
  return 0;
}

export function evaluateHealth(plan: Plan | undefined, inputs: HealthInputs, meta: { time: string; planFile?: string; toolCalls?: string[] } = { time: new Date(0).toISOString() }): HealthReport {
  const th = thresholdsOf(plan);
  const scope = buildScope(plan, inputs);
  const checks: Check[] = [];
  const add = (kind: CheckKind, subject: string, status: Status, message: string, labels: Record<string, string>, extra: Partial<Check> = {}) =>
    checks.push({ kind, subject, status, message, labels, ...extra });
  const band = `warning ≥ ${th.warningPercent} %, critical ≥ ${th.criticalPercent} %`;

  const lvm = inputs.lvm.ok ? inputs.lvm.value : undefined;
  if (!inputs.lvm.ok) add('collect', 'lvm', 'unknown', `LVM state unknown: ${inputs.lvm.reason}`, { tool: 'lvm' });
  else if (inputs.lvm.note) add('collect', 'lvm', 'unknown', `LVM state partial: ${inputs.lvm.note}`, { tool: 'lvm' });
  if (!inputs.mounts.ok) add('collect', 'findmnt', 'unknown', `mount table unknown: ${inputs.mounts.reason}`, { tool: 'findmnt' });
  if (!inputs.blocks.ok) add('collect', 'lsblk', 'unknown', `drives unknown: ${inputs.blocks.reason}`, { tool: 'lsblk' });
  else if (inputs.blocks.note) add('collect', 'lsblk', 'unknown', `drives partial: ${inputs.blocks.note}`, { tool: 'lsblk' });

  // ---- volume groups
  const vgs: VgReport[] = [];
  for (const name of scope.vgNames) {
    const labels = { vg: name };
    if (!lvm) continue; // covered by the collect check
    const vg = lvm.vgs.find((v) => v.name === name);
    if (!vg) {
      add('vg_free', name, 'critical', `VG ${name} not found`, labels);
      continue;
    }
    const planned = plan?.volumeGroups.find((v) => v.name === name);
    const res = reserveBytes(planned?.reserve, vg.sizeBytes, vg.extentSizeBytes);
    const snapshotBytes = lvm.lvs.filter((l) => l.vg === name && lvType(l) === 'snapshot').reduce((a, l) => a + l.sizeBytes, 0);
    if (typeof res !== 'number') {
      add('vg_free', name, 'unknown', `plan reserve "${planned?.reserve}" unreadable: ${res.error}`, labels);
      vgs.push({ name, sizeBytes: vg.sizeBytes, freeBytes: vg.freeBytes, reserveBytes: 0, snapshotBytes, reserveIntact: true });
      continue;
    }
    // The reserve is there for snapshots: space their COW areas took from it is the reserve doing its job.
    const intact = vg.freeBytes + snapshotBytes >= res;
    vgs.push({ name, sizeBytes: vg.sizeBytes, freeBytes: vg.freeBytes, reserveBytes: res, snapshotBytes, reserveIntact: intact });
    const base = `${fmtBytes(vg.freeBytes)} free of ${fmtBytes(vg.sizeBytes)}`;
    if (res === 0) add('vg_free', name, 'ok', `${base}; no snapshot reserve planned`, labels);
    else if (intact)
      add('vg_free', name, 'ok', `${base}; snapshot reserve ${fmtBytes(res)} intact${snapshotBytes ? ` (${fmtBytes(snapshotBytes)} of it held by snapshots)` : ''}`, labels);
    else
      add(
        'vg_free',
        name,
        'warning',
        `${base}: below the plan's snapshot reserve ${fmtBytes(res)} (snapshots hold ${fmtBytes(snapshotBytes)}); ${fmtBytes(res - vg.freeBytes - snapshotBytes)} of it went to volumes — new snapshots or their autoextend may not fit`,
        labels,
      );
  }

  // ---- LVM integrity: missing PVs, partial VGs and LVs, exported VGs, absent plan drives
  const integrity = lvm ? lvmIntegrityChecks(plan, lvm, inputs.blocks.ok ? inputs.blocks.value : undefined, scope.vgNames) : undefined;
  for (const c of integrity?.checks ?? []) checks.push(c);
  for (const v of vgs) {
    const i = integrity?.byVg.get(v.name);
    if (i) Object.assign(v, { missingPvs: i.missingPvs, partial: i.partial });
  }

  // ---- volumes
  const volumes: VolumeReport[] = [];
  for (const s of scope.volumes) {
    const subject = `${s.vg}/${s.lv}`;
    const fsType = s.planned?.filesystem.type;
    const wantPath = s.planned?.mount?.path;
    const rep: VolumeReport = { vg: s.vg, lv: s.lv, workload: s.planned?.workload, lvSizeBytes: s.info?.sizeBytes, mount: s.mount?.target ?? wantPath, fsType: s.mount?.fstype ?? fsType };
    if (s.info) rep.partial = lvPartial(s.info);
    volumes.push(rep);
    const labels = { vg: s.vg, lv: s.lv, mount: rep.mount ?? '' };
    if (lvm && !s.info) {
      add('lv_present', subject, 'critical', `LV ${subject} not found`, labels);
      continue;
    }
    if (s.planned && s.info) add('lv_present', subject, 'ok', `LV ${subject} present, ${fmtBytes(s.info.sizeBytes)}`, labels);
    const hasFs = fsType !== 'swap' && fsType !== 'none';
    if (s.planned && s.info && hasFs && wantPath) {
      if (!inputs.mounts.ok) add('mount', subject, 'unknown', `mount table unknown: ${inputs.mounts.reason}`, labels);
      else if (s.intruder)
        add('mount', subject, 'critical', `${wantPath} is mounted from ${s.intruder.source}, not ${subject}: data written there misses the volume`, labels);
      else if (!s.mount) add('mount', subject, 'critical', `${subject} is not mounted (plan: ${wantPath})`, labels);
      else if (s.mount.target !== wantPath) add('mount', subject, 'critical', `${subject} is mounted at ${s.mount.target}, plan says ${wantPath}`, labels);
      else add('mount', subject, 'ok', `mounted at ${wantPath}`, labels);
      if (s.mount && s.mount.target === wantPath) {
        const bad = mountOptionDrift(s.planned.mount!.options, s.mount.fstype, s.mount.options);
        add('mount_options', subject, bad.length ? 'warning' : 'ok', bad.length ? `mount options drifted from the plan: ${bad.join(', ')}` : 'mount options as planned', labels);
      }
    }
    if (!s.mount) continue;
    const sf = inputs.statfs.get(s.mount.target);
    if (!sf) continue;
    if (!sf.ok) {
      add('volume_used', subject, 'unknown', `statfs ${s.mount.target}: ${sf.reason}`, labels);
      continue;
    }
    const f = sf.value;
    const used = f.totalBytes - f.freeBytes;
    // df's Use%: used / (used + available) — the root-reserved blocks count as full, as a
    // database running as its own user sees them.
    const denom = used + f.availBytes;
    const ratio = denom > 0 ? used / denom : 0;
    Object.assign(rep, { fsSizeBytes: f.totalBytes, usedBytes: used, availBytes: f.availBytes, usedRatio: ratio });
    const st = classify(ratio * 100, th.warningPercent, th.criticalPercent);
    add('volume_used', subject, st, `${pct(ratio)} used (${fmtBytes(used)}, ${fmtBytes(f.availBytes)} available) at ${s.mount.target}; ${band}`, labels, {
      value: ratio * 100,
      warn: th.warningPercent,
      crit: th.criticalPercent,
    });
    if (f.totalInodes > 0) {
      const iu = f.totalInodes - f.freeInodes;
      const ir = iu / f.totalInodes;
      Object.assign(rep, { inodesTotal: f.totalInodes, inodesUsed: iu, inodesUsedRatio: ir });
      add('volume_inodes', subject, classify(ir * 100, th.warningPercent, th.criticalPercent), `${pct(ir)} of inodes used (${iu} of ${f.totalInodes}); ${band}`, labels, {
        value: ir * 100,
        warn: th.warningPercent,
        crit: th.criticalPercent,
      });
    }
  }

  // ---- snapshots and thin pools
  const snapshots: SnapshotReport[] = [];
  const thinPools: ThinPoolReport[] = [];
  const vgSet = new Set(scope.vgNames);
  const policyOf = new Map<string, SnapshotPolicy | undefined>();
  for (const v of plan?.volumes ?? []) if (!policyOf.has(`${v.vg}/${v.name}`)) policyOf.set(`${v.vg}/${v.name}`, v.snapshot);
  for (const l of lvm?.lvs ?? []) {
    if (!vgSet.has(l.vg)) continue;
    const t = lvType(l);
    if (t === 'snapshot' || t === 'thin-snapshot') {
      const labels = { vg: l.vg, lv: l.name, origin: l.origin ?? '' };
      const subject = `${l.vg}/${l.name}`;
      if (t === 'thin-snapshot') {
        snapshots.push({ vg: l.vg, lv: l.name, origin: l.origin ?? '', type: 'thin', sizeBytes: l.sizeBytes, invalid: false });
        continue;
      }
      const invalid = snapshotInvalid(l);
      const fill = l.dataPercent === undefined ? undefined : l.dataPercent / 100;
      snapshots.push({ vg: l.vg, lv: l.name, origin: l.origin ?? '', type: 'classic', sizeBytes: l.sizeBytes, fillRatio: invalid ? 1 : fill, invalid });
      const pol = policyOf.get(`${l.vg}/${l.origin}`) ?? DEFAULT_SNAPSHOT_POLICY;
      if (invalid) {
        add('snapshot_fill', subject, 'critical', `snapshot of ${l.origin ?? '?'} lost: its COW space (${fmtBytes(l.sizeBytes)}) filled and LVM invalidated it; it holds nothing usable — remove it`, labels, {
          value: 100,
          warn: pol.warnFillPercent,
          crit: pol.critFillPercent,
        });
      } else if (fill === undefined) {
        add('snapshot_fill', subject, 'unknown', `snapshot of ${l.origin ?? '?'}: fill not reported (inactive?)`, labels);
      } else {
        const st = classify(fill * 100, pol.warnFillPercent, pol.critFillPercent);
        add(
          'snapshot_fill',
          subject,
          st,
          `snapshot of ${l.origin ?? '?'} ${pct(fill)} full (COW ${fmtBytes(l.sizeBytes)}); warning ≥ ${pol.warnFillPercent} %, critical ≥ ${pol.critFillPercent} % — at 100 % it is invalidated`,
          labels,
          { value: fill * 100, warn: pol.warnFillPercent, crit: pol.critFillPercent },
        );
      }
    } else if (t === 'thin-pool') {
      const labels = { vg: l.vg, lv: l.name };
      const subject = `${l.vg}/${l.name}`;
      const d = l.dataPercent === undefined ? undefined : l.dataPercent / 100;
      const m = l.metadataPercent === undefined ? undefined : l.metadataPercent / 100;
      thinPools.push({ vg: l.vg, lv: l.name, sizeBytes: l.sizeBytes, dataRatio: d, metadataRatio: m });
      for (const [kind, v, what] of [
        ['thinpool_data', d, 'data'],
        ['thinpool_metadata', m, 'metadata'],
      ] as const) {
        if (v === undefined) add(kind, subject, 'unknown', `thin pool ${what} fill not reported (pool inactive?)`, labels);
        else
          add(kind, subject, classify(v * 100, th.warningPercent, th.criticalPercent), `thin pool ${what} ${pct(v)} full; ${band} — a full pool stops writes to every thin volume in it`, labels, {
            value: v * 100,
            warn: th.warningPercent,
            crit: th.criticalPercent,
          });
      }
    }
  }

  // ---- drives
  const drives: DriveReport[] = [];
  for (const b of scope.drives) {
    const labels = { drive: b.name };
    const rep: DriveReport = { drive: b.name, device: b.path, serial: b.serial, model: b.model, scheduler: b.sched };
    drives.push(rep);
    const kind = driveKind(b);
    if (plan) {
      const want = (plan.tuning.schedulers as Record<string, string>)[kind];
      if (want) {
        if (!b.sched) add('scheduler', b.name, 'unknown', `scheduler not reported for ${b.path}`, labels);
        else add('scheduler', b.name, b.sched === want ? 'ok' : 'warning', b.sched === want ? `scheduler ${b.sched} as planned` : `scheduler ${b.sched}, plan says ${want} for ${kind} drives`, labels);
      }
    }
    const sm = inputs.smart.get(b.path);
    if (!sm) continue;
    if (!sm.ok) {
      add('drive_smart', b.name, 'unknown', `${b.path}: ${sm.reason}`, labels);
      continue;
    }
    const h = sm.value.health;
    rep.health = h;
    rep.source = sm.value.source;
    const problems: { s: Status; t: string }[] = [];
    for (const d of h.criticalWarning !== undefined ? decodeCriticalWarning(h.criticalWarning) : []) problems.push({ s: d.severity, t: `critical warning: ${d.text}` });
    if (h.availableSpare !== undefined && h.availableSpareThreshold !== undefined && h.availableSpare < h.availableSpareThreshold)
      problems.push({ s: 'critical', t: `available spare ${h.availableSpare} % below the drive's threshold ${h.availableSpareThreshold} %` });
    if (h.smartPassed === false) problems.push({ s: 'critical', t: 'SMART overall health self-assessment FAILED' });
    if (h.mediaErrors !== undefined && h.mediaErrors > 0) problems.push({ s: 'warning', t: `${h.mediaErrors} media/data integrity errors` });
    // ATA/SCSI (smartctl): sectors the drive could not read or had to remap. Any non-zero count is a
    // warning: in large fleets (Backblaze's drive stats) drives with reallocated or pending sectors
    // fail many times more often, and a pending sector is data the drive cannot read now.
    const a = h as SmartctlHealth;
    const counts: [number | undefined, string][] = [
      [a.pendingSectors, 'sectors pending reallocation (unreadable now)'],
      [a.offlineUncorrectable, 'offline-uncorrectable sectors'],
      [a.reportedUncorrectable, 'reported uncorrectable errors'],
      [a.reallocatedSectors, 'reallocated sectors'],
    ];
    for (const [n, what] of counts) if (n !== undefined && n > 0) problems.push({ s: 'warning', t: `${n} ${what}` });
    // An attribute at or below its vendor threshold now is the drive's own failure prediction.
    for (const f of a.failingAttributes ?? []) problems.push({ s: /\(now\)/.test(f) ? 'critical' : 'warning', t: `SMART attribute ${f}` });
    const facts = [
      h.availableSpare !== undefined ? `spare ${h.availableSpare} % (threshold ${h.availableSpareThreshold ?? '?'} %)` : undefined,
      h.mediaErrors !== undefined ? `${h.mediaErrors} media errors` : undefined,
      h.unsafeShutdowns !== undefined ? `${h.unsafeShutdowns} unsafe shutdowns` : undefined,
    ].filter(Boolean);
    add(
      'drive_smart',
      b.name,
      worst(...problems.map((p) => p.s)),
      problems.length ? problems.map((p) => p.t).join('; ') : `no critical warning; ${facts.join(', ')}`,
      labels,
    );
    if (h.percentageUsed !== undefined)
      add('drive_wear', b.name, classify(h.percentageUsed, th.warningPercent, th.criticalPercent), `${h.percentageUsed} % of rated endurance used; ${band}`, labels, {
        value: h.percentageUsed,
        warn: th.warningPercent,
        crit: th.criticalPercent,
      });
    if (h.temperatureC !== undefined)
      add(
        'drive_temperature',
        b.name,
        classify(h.temperatureC, th.temperatureWarnC, th.temperatureCritC),
        `${h.temperatureC} °C; warning ≥ ${th.temperatureWarnC} °C, critical ≥ ${th.temperatureCritC} °C`,
        labels,
        { value: h.temperatureC, warn: th.temperatureWarnC, crit: th.temperatureCritC },
      );
  }

  if (checks.length === 0)
    add('collect', 'scope', 'unknown', plan ? 'nothing to check in the plan' : 'nothing to check: no volume group on this host (give --plan to say what should be here)', {});
  const status = worst(...checks.map((c) => c.status));
  return {
    status,
    exitCode: STATUS_CODE[status],
    time: meta.time,
    planFile: meta.planFile,
    checks,
    vgs,
    volumes,
    snapshots,
    thinPools,
    drives,
    toolCalls: meta.toolCalls ?? [],
  };
}
