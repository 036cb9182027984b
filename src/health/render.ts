/**
 * Renderers of a HealthReport: a terminal table (first line in the Nagios plugin style), JSON, and
 * the Prometheus text exposition format as node_exporter's textfile collector reads it.
 */
import { fmtBytes, pct } from './thresholds.js';
import { STATUS_CODE, type Check, type HealthReport, type Status } from './types.js';

const ORDER: Status[] = ['critical', 'warning', 'unknown', 'ok'];

export function counts(r: HealthReport): Record<Status, number> {
  const c: Record<Status, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
  for (const k of r.checks) c[k.status]++;
  return c;
}

/** "JTS-STORAGE CRITICAL - 1 critical, 2 warning, 0 unknown, 27 ok": the line a Nagios/Icinga check shows. */
export function statusLine(r: HealthReport): string {
  const c = counts(r);
  const first = r.checks.find((k) => k.status === r.status && k.status !== 'ok');
  return `JTS-STORAGE ${r.status.toUpperCase()} - ${c.critical} critical, ${c.warning} warning, ${c.unknown} unknown, ${c.ok} ok${first ? ` | ${first.subject}: ${first.message}` : ''}`;
}

function table(rows: string[][]): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => (w[i] = Math.max(w[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd()).join('\n');
}

function worstFor(r: HealthReport, pred: (c: Check) => boolean): string {
  let s: Status | undefined;
  for (const c of r.checks.filter(pred)) if (!s || ORDER.indexOf(c.status) < ORDER.indexOf(s)) s = c.status;
  return s ? s.toUpperCase() : '-';
}

export function renderTable(r: HealthReport): string {
  const out: string[] = [statusLine(r), ''];
  if (r.vgs.length) {
    out.push(
      table([
        ['VG', 'SIZE', 'FREE', 'RESERVE', 'SNAPSHOTS', 'STATUS'],
        ...r.vgs.map((v) => [v.name, fmtBytes(v.sizeBytes), fmtBytes(v.freeBytes), v.reserveBytes ? `${fmtBytes(v.reserveBytes)}${v.reserveIntact ? '' : ' (broken)'}` : '-', fmtBytes(v.snapshotBytes), worstFor(r, (c) => c.kind === 'vg_free' && c.labels['vg'] === v.name)]),
      ]),
      '',
    );
  }
  if (r.volumes.length) {
    out.push(
      table([
        ['VOLUME', 'MOUNT', 'LV SIZE', 'FS SIZE', 'USED', 'INODES', 'STATUS'],
        ...r.volumes.map((v) => [
          `${v.vg}/${v.lv}`,
          v.mount ?? '-',
          fmtBytes(v.lvSizeBytes),
          fmtBytes(v.fsSizeBytes),
          v.usedRatio === undefined ? '-' : pct(v.usedRatio),
          v.inodesUsedRatio === undefined ? '-' : pct(v.inodesUsedRatio),
          worstFor(r, (c) => c.labels['vg'] === v.vg && c.labels['lv'] === v.lv),
        ]),
      ]),
      '',
    );
  }
  if (r.snapshots.length || r.thinPools.length) {
    out.push(
      table([
        ['SNAPSHOT / POOL', 'ORIGIN', 'TYPE', 'SIZE', 'FILL', 'STATUS'],
        ...r.snapshots.map((s) => [
          `${s.vg}/${s.lv}`,
          s.origin,
          s.type,
          fmtBytes(s.sizeBytes),
          s.invalid ? 'LOST (invalid)' : s.fillRatio === undefined ? (s.type === 'thin' ? 'in pool' : '-') : pct(s.fillRatio),
          worstFor(r, (c) => c.kind === 'snapshot_fill' && c.labels['vg'] === s.vg && c.labels['lv'] === s.lv),
        ]),
        ...r.thinPools.map((p) => [
          `${p.vg}/${p.lv}`,
          '-',
          'thin pool',
          fmtBytes(p.sizeBytes),
          `data ${p.dataRatio === undefined ? '-' : pct(p.dataRatio)}, meta ${p.metadataRatio === undefined ? '-' : pct(p.metadataRatio)}`,
          worstFor(r, (c) => c.kind.startsWith('thinpool') && c.labels['vg'] === p.vg && c.labels['lv'] === p.lv),
        ]),
      ]),
      '',
    );
  }
  if (r.drives.length) {
    out.push(
      table([
        ['DRIVE', 'SERIAL', 'TEMP', 'WEAR', 'SPARE', 'MEDIA ERR', 'UNSAFE SHUTDOWNS', 'SCHED', 'STATUS'],
        ...r.drives.map((d) => {
          const h = d.health;
          return [
            d.drive,
            d.serial ?? '-',
            h?.temperatureC === undefined ? '-' : `${h.temperatureC} °C`,
            h?.percentageUsed === undefined ? '-' : `${h.percentageUsed} %`,
            h?.availableSpare === undefined ? '-' : `${h.availableSpare} % (min ${h.availableSpareThreshold ?? '?'} %)`,
            h?.mediaErrors === undefined ? '-' : String(h.mediaErrors),
            h?.unsafeShutdowns === undefined ? '-' : String(h.unsafeShutdowns),
            d.scheduler ?? '-',
            worstFor(r, (c) => c.labels['drive'] === d.drive),
          ];
        }),
      ]),
      '',
    );
  }
  const bad = r.checks.filter((c) => c.status !== 'ok').sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
  if (bad.length) {
    out.push('Problems:');
    for (const c of bad) out.push(`  ${c.status.toUpperCase().padEnd(8)} ${c.kind.padEnd(17)} ${c.subject}: ${c.message}`);
  } else out.push(`All ${r.checks.length} checks OK.`);
  return out.join('\n') + '\n';
}

export function renderJson(r: HealthReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}

// ---------------------------------------------------------------- Prometheus

/** Label value escaping of the text exposition format: backslash, double quote, newline. */
export function escapeLabel(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function fmtValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** `k1="v1",k2="v2"` of the labels that have a value (empty ones are left out). */
function labelText(labels: Record<string, string | undefined>): string {
  let out = '';
  for (const k in labels) {
    const v = labels[k];
    if (v === undefined || v === '') continue;
    out += `${out ? ',' : ''}${k}="${escapeLabel(v)}"`;
  }
  return out;
}

class Families {
  private fams = new Map<string, { help: string; type: 'gauge' | 'counter'; samples: string[] }>();
  /** labels: a record, or its labelText (computed once for the many samples of one volume). */
  add(name: string, type: 'gauge' | 'counter', help: string, labels: Record<string, string | undefined> | string, value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) return;
    let f = this.fams.get(name);
    if (!f) this.fams.set(name, (f = { help, type, samples: [] }));
    const ls = typeof labels === 'string' ? labels : labelText(labels);
    f.samples.push(`${name}${ls ? `{${ls}}` : ''} ${fmtValue(value)}`);
  }
  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.fams) {
      out.push(`# HELP ${name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${f.type}`, ...f.samples);
    }
    return out.join('\n') + '\n';
  }
}

/**
 * Prometheus text format, node_exporter textfile-collector conventions: one file, base units in
 * names (_bytes, _ratio 0..1, _celsius, _seconds), counters end in _total, labels vg/lv/mount/drive.
 * No timestamps on samples (the collector refuses them); the run time is its own gauge.
 */
export function renderPrometheus(r: HealthReport): string {
  const f = new Families();
  const P = 'jts_storage_';
  f.add(P + 'status', 'gauge', 'Overall storage health: 0 ok, 1 warning, 2 critical, 3 unknown (Nagios plugin codes).', {}, STATUS_CODE[r.status]);
  f.add(P + 'last_run_timestamp_seconds', 'gauge', 'Unix time when jts-storage health gathered these figures.', {}, Date.parse(r.time) / 1000);
  for (const c of r.checks)
    f.add(P + 'check_status', 'gauge', 'Status of one health check: 0 ok, 1 warning, 2 critical, 3 unknown.', { check: c.kind, subject: c.subject, ...c.labels }, STATUS_CODE[c.status]);
  for (const v of r.vgs) {
    f.add(P + 'vg_size_bytes', 'gauge', 'Volume group size.', { vg: v.name }, v.sizeBytes);
    f.add(P + 'vg_free_bytes', 'gauge', 'Volume group unallocated space.', { vg: v.name }, v.freeBytes);
    f.add(P + 'vg_reserve_bytes', 'gauge', "The plan's snapshot reserve in this volume group.", { vg: v.name }, v.reserveBytes);
    f.add(P + 'vg_snapshot_bytes', 'gauge', 'Space held by classic snapshots (COW areas) in this volume group.', { vg: v.name }, v.snapshotBytes);
    f.add(P + 'vg_reserve_intact', 'gauge', '1 when free space plus snapshot COW space still covers the plan reserve.', { vg: v.name }, v.reserveIntact ? 1 : 0);
    f.add(P + 'vg_missing_pvs', 'gauge', 'PVs of the volume group that no device carries (pv_missing); above 0 the VG is partial.', { vg: v.name }, v.missingPvs);
    f.add(P + 'vg_partial', 'gauge', '1 when the volume group is partial (vg_attr p: a PV is missing).', { vg: v.name }, v.partial === undefined ? undefined : v.partial ? 1 : 0);
  }
  for (const v of r.volumes) {
    const l = labelText({ vg: v.vg, lv: v.lv, mount: v.mount });
    f.add(P + 'lv_size_bytes', 'gauge', 'Logical volume size.', l, v.lvSizeBytes);
    f.add(P + 'lv_partial', 'gauge', '1 when the logical volume is partial (lv_attr p): I/O to its extents on a missing PV fails.', l, v.partial === undefined ? undefined : v.partial ? 1 : 0);
    f.add(P + 'volume_size_bytes', 'gauge', 'Filesystem size (statfs).', l, v.fsSizeBytes);
    f.add(P + 'volume_used_bytes', 'gauge', 'Filesystem bytes used (size - free).', l, v.usedBytes);
    f.add(P + 'volume_avail_bytes', 'gauge', 'Filesystem bytes available to unprivileged writers.', l, v.availBytes);
    f.add(P + 'volume_used_ratio', 'gauge', 'Filesystem fill as df shows it: used / (used + available), 0..1.', l, v.usedRatio);
    f.add(P + 'volume_inodes', 'gauge', 'Filesystem inode count.', l, v.inodesTotal);
    f.add(P + 'volume_inodes_used', 'gauge', 'Filesystem inodes in use.', l, v.inodesUsed);
    f.add(P + 'volume_inodes_used_ratio', 'gauge', 'Filesystem inodes in use, 0..1.', l, v.inodesUsedRatio);
  }
  for (const s of r.snapshots) {
    const l = labelText({ vg: s.vg, lv: s.lv, origin: s.origin, type: s.type });
    f.add(P + 'snapshot_size_bytes', 'gauge', 'Snapshot size (COW area of a classic snapshot, virtual size of a thin one).', l, s.sizeBytes);
    f.add(P + 'snapshot_fill_ratio', 'gauge', 'Classic snapshot COW fill, 0..1 (1 = invalidated).', l, s.fillRatio);
    f.add(P + 'snapshot_invalid', 'gauge', '1 when LVM invalidated the snapshot (COW space overflowed): its content is lost.', l, s.type === 'classic' ? (s.invalid ? 1 : 0) : undefined);
  }
  for (const p of r.thinPools) {
    const l = { vg: p.vg, lv: p.lv };
    f.add(P + 'thinpool_size_bytes', 'gauge', 'Thin pool data size.', l, p.sizeBytes);
    f.add(P + 'thinpool_data_ratio', 'gauge', 'Thin pool data fill, 0..1.', l, p.dataRatio);
    f.add(P + 'thinpool_metadata_ratio', 'gauge', 'Thin pool metadata fill, 0..1.', l, p.metadataRatio);
  }
  for (const d of r.drives) {
    const l = { drive: d.drive };
    f.add(P + 'drive_info', 'gauge', 'Drive identity (value always 1).', { drive: d.drive, device: d.device, serial: d.serial, model: d.model, scheduler: d.scheduler }, 1);
    const h = d.health;
    if (!h) continue;
    f.add(P + 'drive_temperature_celsius', 'gauge', 'Drive composite temperature.', l, h.temperatureC);
    f.add(P + 'drive_percentage_used_ratio', 'gauge', 'Share of the rated endurance used (NVMe Percentage Used / 100; may exceed 1).', l, h.percentageUsed === undefined ? undefined : h.percentageUsed / 100);
    f.add(P + 'drive_available_spare_ratio', 'gauge', 'Remaining spare capacity, 0..1.', l, h.availableSpare === undefined ? undefined : h.availableSpare / 100);
    f.add(P + 'drive_available_spare_threshold_ratio', 'gauge', 'Spare level below which the drive raises a critical warning, 0..1.', l, h.availableSpareThreshold === undefined ? undefined : h.availableSpareThreshold / 100);
    f.add(P + 'drive_critical_warning', 'gauge', 'NVMe critical warning bit field (0 = none).', l, h.criticalWarning);
    f.add(P + 'drive_media_errors_total', 'counter', 'Unrecovered data integrity errors reported by the drive.', l, h.mediaErrors);
    f.add(P + 'drive_unsafe_shutdowns_total', 'counter', 'Power losses without a clean shutdown notification.', l, h.unsafeShutdowns);
    f.add(P + 'drive_power_on_seconds_total', 'counter', 'Power-on time reported by the drive.', l, h.powerOnHours === undefined ? undefined : h.powerOnHours * 3600);
    f.add(P + 'drive_smart_passed', 'gauge', "1 when the drive's overall SMART self-assessment passed.", l, h.smartPassed === undefined ? undefined : h.smartPassed ? 1 : 0);
  }
  return f.text();
}

export const TEXTFILE_NAME = 'jts_storage.prom';
