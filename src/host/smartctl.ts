/**
 * The smartctl reader (smartmontools): what an NVMe, ATA (SATA) or SCSI drive says about its health.
 *
 *   smartctl -j -a <dev>      every SMART figure as JSON (smartctl(8) --json), health's fallback and its
 *                              only source for SATA/SCSI drives
 *
 * Run through host/env.ts (LC_ALL=C). The exit status is a bit mask (smartctlFatal); a report still
 * comes with most non-zero statuses. smartctl already converts temperatures to Celsius. A figure the
 * drive does not report is left out and `unknown` says why, so a report never shows a made-up 0.
 */
import type { Runner, RunResult } from '../core/runner.js';
import { HostReadError, runTool } from './env.js';
import { asRecord, parseToolJson } from './json.js';
import { decodeCriticalWarning, smartNum as num, type DriveHealth } from './nvme.js';

/** `smartctl -j -a DEV`. */
export function smartctlArgv(device: string): string[] {
  return ['smartctl', '-j', '-a', device];
}

/** Run `smartctl -j -a` on one device (read-only, TOOL_ENV). */
export function runSmartctl(runner: Runner, device: string, timeoutMs: number): Promise<RunResult> {
  return runTool(runner, smartctlArgv(device), { timeoutMs });
}

/** The messages smartctl put in its JSON ("smartctl.messages[].string"), joined by "; "; else stderr. */
export function smartctlMessages(stdout: string, stderr = ''): string {
  try {
    const msgs = asRecord(asRecord(parseToolJson(stdout, 'smartctl'))['smartctl'])['messages'];
    if (Array.isArray(msgs)) return msgs.map((m) => asRecord(m)['string']).filter((s): s is string => typeof s === 'string' && s !== '').join('; ');
    return '';
  } catch {
    return stderr.trim();
  }
}

/**
 * smartctl's exit status is a bit mask (smartctl(8), "RETURN VALUES"): bit 0 = command line did not
 * parse, bit 1 = device open failed. With either, there is no health data; the other bits describe the
 * drive (failing, errors logged) and come with a full JSON report.
 */
export function smartctlFatal(exitCode: number): string | undefined {
  if (exitCode & 1) return 'smartctl: command line did not parse';
  if (exitCode & 2) return 'smartctl: device open failed (or device in low-power mode)';
  return undefined;
}

/**
 * What smartctl adds to DriveHealth. For ATA drives most fields are optional SMART attributes whose
 * presence and meaning vary by vendor: a field the drive does not report is left out and `unknown`
 * says why, so a report never shows a made-up 0.
 */
export interface SmartctlHealth extends DriveHealth {
  model?: string;
  serial?: string;
  /** smartctl's device.protocol: "NVMe", "ATA", "SCSI". */
  protocol?: string;
  /** Nominal rotation in rpm; 0 = solid state (smartctl's convention for ATA word 217 = 1); absent = not reported. */
  rotationRate?: number;
  /** ATA attribute 5 Reallocated_Sector_Ct (or device statistics "Number of Reallocated Logical Sectors"); SCSI grown defect list. */
  reallocatedSectors?: number;
  /** ATA attribute 197 Current_Pending_Sector (or device statistics "Number of Realloc. Candidate Logical Sectors"). */
  pendingSectors?: number;
  /** ATA attribute 198 Offline_Uncorrectable. */
  offlineUncorrectable?: number;
  /** ATA attribute 187 Reported_Uncorrect (or device statistics "Number of Reported Uncorrectable Errors"). */
  reportedUncorrectable?: number;
  /** Where percentageUsed came from (ATA: device statistics or which wear attribute). */
  wearSource?: string;
  /** ATA attributes at or below their threshold, now or in the past ("5 Reallocated_Sector_Ct: 30 <= 36 (now)"). */
  failingAttributes?: string[];
  /** Field name → why the drive's answer has no value for it. */
  unknown: Record<string, string>;
}

interface AtaAttr {
  id: number;
  name?: string;
  value?: number;
  worst?: number;
  thresh?: number;
  when_failed?: string;
  raw?: { value?: number; string?: string };
}

interface DevStatEntry {
  name?: string;
  value?: number;
  flags?: { valid?: boolean };
}

/**
 * An attribute's raw count as smartctl shows it: the leading number of raw.string, which follows the drive
 * database's raw format (e.g. "0 (2000 0)" for a raw16 with extra fields), else the 48-bit raw.value.
 */
function attrRaw(a: AtaAttr | undefined): number | undefined {
  if (!a) return undefined;
  const m = /^\s*(\d+)/.exec(a.raw?.string ?? '');
  if (m) return Number(m[1]);
  return num(a.raw?.value);
}

/**
 * ATA attributes whose normalised value is the share of rated life left (100 when new, falling to 0-1): the ones
 * smartmontools' drive database names this way. Matched by id AND name, because ids mean different things on
 * different drives (231 is a temperature on some HDDs).
 */
const LIFE_LEFT_ATTRS: { id: number; name: RegExp }[] = [
  { id: 231, name: /life_left|life_remain/i },
  { id: 233, name: /wearout|life/i },
  { id: 202, name: /lifetime_remain|life_remain|life_left/i },
  { id: 169, name: /remaining_lifetime|life/i },
  { id: 177, name: /wear_leveling/i },
  { id: 173, name: /wear_leveling|life/i },
];

/** `smartctl -j -a DEV` (or `-x`) → DriveHealth for NVMe, ATA (SATA) and SCSI drives. */
export function parseSmartctl(text: string): SmartctlHealth {
  const j = asRecord(parseToolJson(text, 'smartctl'));
  const messages = ((j['smartctl'] as { messages?: { string?: string; severity?: string }[] } | undefined)?.messages ?? [])
    .filter((m) => m.severity === 'error')
    .map((m) => m.string)
    .filter(Boolean);
  const nv = j['nvme_smart_health_information_log'] as Record<string, unknown> | undefined;
  const status = j['smart_status'] as { passed?: boolean } | undefined;
  // smartctl prints "current": 0 when the device reports no temperature.
  const temp = num((j['temperature'] as { current?: unknown } | undefined)?.current) || undefined;
  const support = j['smart_support'] as { available?: boolean; enabled?: boolean } | undefined;
  if (support?.available === false) {
    throw new HostReadError('smartctl: SMART is not available on this device');
  }
  const poh = num((j['power_on_time'] as { hours?: unknown } | undefined)?.hours);
  const device = j['device'] as { protocol?: unknown; name?: unknown } | undefined;
  const base = {
    model: typeof j['model_name'] === 'string' ? j['model_name'] : undefined,
    serial: typeof j['serial_number'] === 'string' ? j['serial_number'] : undefined,
    protocol: typeof device?.protocol === 'string' ? device.protocol : undefined,
  };
  if (nv) {
    const cw = num(nv['critical_warning']);
    const h: SmartctlHealth = {
      ...base,
      criticalWarning: cw,
      criticalWarnings: cw === undefined ? [] : decodeCriticalWarning(cw).map((d) => d.text),
      // smartctl already converts the NVMe temperature to Celsius.
      temperatureC: num(nv['temperature']) || temp,
      percentageUsed: num(nv['percentage_used']),
      availableSpare: num(nv['available_spare']),
      availableSpareThreshold: num(nv['available_spare_threshold']),
      mediaErrors: num(nv['media_errors']),
      unsafeShutdowns: num(nv['unsafe_shutdowns']),
      powerOnHours: num(nv['power_on_hours']) ?? poh,
      errorLogEntries: num(nv['num_err_log_entries']),
      smartPassed: status?.passed,
      rotationRate: 0,
      unknown: {},
    };
    for (const k of ['smartPassed', 'temperatureC', 'percentageUsed', 'mediaErrors', 'unsafeShutdowns', 'powerOnHours'] as const) {
      if (h[k] === undefined) h.unknown[k] = 'not in the NVMe SMART / Health log smartctl read';
    }
    return h;
  }

  const table = ((j['ata_smart_attributes'] as { table?: AtaAttr[] } | undefined)?.table ?? []).filter((a) => typeof a?.id === 'number');
  const devstat = new Map<string, number>();
  for (const page of (j['ata_device_statistics'] as { pages?: { table?: DevStatEntry[] }[] } | undefined)?.pages ?? []) {
    for (const e of page.table ?? []) {
      const v = num(e.value);
      if (e.name && v !== undefined && e.flags?.valid !== false) devstat.set(e.name, v);
    }
  }
  const scsiWear = num(j['scsi_percentage_used_endurance_indicator']);
  const scsiGrown = num(j['scsi_grown_defect_list']);
  if (!status && !table.length && temp === undefined && !devstat.size && scsiWear === undefined) {
    if (support?.enabled === false) throw new HostReadError('smartctl: SMART is disabled on this device (`smartctl -s on DEVICE` enables it)');
    throw new HostReadError(`smartctl: no health data${messages.length ? ': ' + messages.join('; ') : ''}`);
  }
  const attr = (id: number, name?: RegExp) => table.find((a) => a.id === id && (!name || name.test(a.name ?? '')));
  const rotationRate = num(j['rotation_rate']);
  const rotating = rotationRate !== undefined && rotationRate > 0;
  const unknown: Record<string, string> = {};
  const ata = base.protocol === 'ATA' || table.length > 0;

  // Wear: ATA device statistics page 7 (ACS-3, the standard indicator), smartctl's own endurance figure, the SCSI
  // Solid State Media log page, then the vendor life-left attributes.
  let percentageUsed: number | undefined;
  let wearSource: string | undefined;
  const dsUsed = devstat.get('Percentage Used Endurance Indicator');
  const endurance = num((j['endurance_used'] as { current_percent?: unknown } | undefined)?.current_percent);
  if (dsUsed !== undefined) {
    percentageUsed = dsUsed;
    wearSource = 'device statistics: Percentage Used Endurance Indicator';
  } else if (endurance !== undefined) {
    percentageUsed = endurance;
    wearSource = 'smartctl endurance_used';
  } else if (scsiWear !== undefined) {
    percentageUsed = scsiWear;
    wearSource = 'SCSI Solid State Media log: Percentage Used Endurance Indicator';
  } else {
    const usedAttr = table.find((a) => /percent(age)?_?(lifetime_)?used/i.test(a.name ?? ''));
    const usedRaw = attrRaw(usedAttr);
    if (usedAttr && usedRaw !== undefined && usedRaw <= 255) {
      percentageUsed = usedRaw;
      wearSource = `attribute ${usedAttr.id} ${usedAttr.name} (raw)`;
    } else {
      for (const w of LIFE_LEFT_ATTRS) {
        const a = attr(w.id, w.name);
        const v = num(a?.value);
        if (a && v !== undefined && v >= 0 && v <= 100) {
          percentageUsed = 100 - v;
          wearSource = `attribute ${a.id} ${a.name} (100 - normalised ${v})`;
          break;
        }
      }
    }
  }
  if (percentageUsed === undefined) {
    unknown['percentageUsed'] = rotating
      ? `a rotating disk (${rotationRate} rpm) has no endurance indicator`
      : 'the drive reports no wear indicator (no device statistics page 7, no life-left attribute 169/173/177/202/231/233)';
  }

  const realloc = attrRaw(attr(5, /realloc/i)) ?? devstat.get('Number of Reallocated Logical Sectors') ?? scsiGrown;
  const pending = attrRaw(attr(197, /pending/i)) ?? devstat.get('Number of Realloc. Candidate Logical Sectors');
  const offline = attrRaw(attr(198, /uncorrect/i));
  const reported = attrRaw(attr(187, /uncorrect/i)) ?? devstat.get('Number of Reported Uncorrectable Errors');
  // Uncorrectable errors the drive reported to a host (187) and found by its offline scan (198) stand in for
  // NVMe's media and data integrity errors.
  const unc = [reported, offline].filter((v): v is number => typeof v === 'number');
  // Power lost without the drive being told first: 174 on SSDs (Unexpect_Power_Loss_Ct), 192 elsewhere
  // (Power-Off_Retract_Count on HDDs: heads retracted by the emergency path; Unsafe_Shutdown_Count on SSDs).
  const unsafe = attrRaw(attr(174, /power_loss|unexpect|unsafe/i)) ?? attrRaw(attr(192, /unsafe|retract|power.?off/i));
  const errLog = j['ata_smart_error_log'] as { summary?: { count?: unknown }; extended?: { count?: unknown } } | undefined;
  const errorLogEntries = num(errLog?.extended?.count) ?? num(errLog?.summary?.count);

  if (ata) {
    const notIn = (what: string) => `the drive has no ${what} (not in its SMART attributes${devstat.size ? ' or device statistics' : ''})`;
    if (realloc === undefined) unknown['reallocatedSectors'] = notIn('attribute 5 Reallocated_Sector_Ct');
    if (pending === undefined) unknown['pendingSectors'] = notIn('attribute 197 Current_Pending_Sector');
    if (!unc.length) unknown['mediaErrors'] = notIn('attribute 187 Reported_Uncorrect or 198 Offline_Uncorrectable');
    if (unsafe === undefined) unknown['unsafeShutdowns'] = notIn('attribute 174 Unexpect_Power_Loss_Ct or 192 Power-Off_Retract_Count');
  } else {
    if (realloc === undefined) unknown['reallocatedSectors'] = 'no grown defect list in the answer';
    if (!unc.length) unknown['mediaErrors'] = 'no uncorrected error counters in the answer';
    unknown['unsafeShutdowns'] = 'not reported over SCSI';
  }
  if (temp === undefined) unknown['temperatureC'] = 'the drive reports no temperature (no attribute 190/194, no SCT status)';
  if (poh === undefined) unknown['powerOnHours'] = 'the drive reports no power-on time';
  if (status?.passed === undefined) {
    unknown['smartPassed'] = support?.enabled === false ? 'SMART is disabled on the drive (`smartctl -s on DEVICE` enables it)' : 'smartctl gave no overall verdict';
  }

  const failing = table
    .filter((a) => a.when_failed === 'now' || a.when_failed === 'past')
    .map((a) => `${a.id} ${a.name ?? '?'}: ${a.when_failed === 'now' ? `${a.value} <= ${a.thresh} (now)` : `worst ${a.worst} <= ${a.thresh} (in the past)`}`);

  const h: SmartctlHealth = {
    ...base,
    criticalWarnings: [],
    temperatureC: temp,
    percentageUsed,
    mediaErrors: unc.length ? unc.reduce((a, b) => a + b, 0) : undefined,
    unsafeShutdowns: unsafe,
    powerOnHours: poh,
    errorLogEntries,
    smartPassed: status?.passed,
    rotationRate,
    reallocatedSectors: realloc,
    pendingSectors: pending,
    offlineUncorrectable: offline,
    reportedUncorrectable: reported,
    wearSource,
    unknown,
  };
  if (failing.length) h.failingAttributes = failing;
  // Leave absent fields out, so `health --json` shows only what the drive said (and `unknown` why not the rest).
  for (const k of Object.keys(h) as (keyof SmartctlHealth)[]) if (h[k] === undefined) delete h[k];
  return h;
}
