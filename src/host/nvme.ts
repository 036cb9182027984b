/**
 * The nvme-cli reader: what an NVMe drive says about its own health.
 *
 *   nvme smart-log <dev> -o json      SMART / Health Information log page (02h), health's first choice
 *
 * Run through host/env.ts (LC_ALL=C: nvme-cli formats its 128-bit counters with the locale's digit
 * grouping in some versions; under C there is none). nvme-cli 2.x prints the 128-bit counters as
 * strings ("media_errors":"0") and the others as numbers; `-H` prints some as {"value": N}: all read.
 * A figure not printed, or not a C-locale number, is undefined (unknown), never NaN. The drive health
 * shape (`DriveHealth`) is shared with the smartctl reader (host/smartctl.ts): same units (°C, counts).
 */
import type { Runner, RunResult } from '../core/runner.js';
import { HostReadError, runTool } from './env.js';
import { asRecord, num as plainNum, parseToolJson } from './json.js';

/** `nvme smart-log DEV -o json` (nvme-cli(1), nvme-smart-log(1)). */
export function nvmeSmartLogArgv(device: string): string[] {
  return ['nvme', 'smart-log', device, '-o', 'json'];
}

/** Run `nvme smart-log` on one device (read-only, TOOL_ENV). The caller reads the result's failure. */
export function runNvmeSmartLog(runner: Runner, device: string, timeoutMs: number): Promise<RunResult> {
  return runTool(runner, nvmeSmartLogArgv(device), { timeoutMs });
}

/** What a drive says about itself, from nvme smart-log or smartctl; fields absent when not reported. */
export interface DriveHealth {
  criticalWarning?: number;
  /** Decoded critical warning bits, human-readable. */
  criticalWarnings: string[];
  temperatureC?: number;
  /** 0..255 (NVMe: may exceed 100 once rated endurance is used up). */
  percentageUsed?: number;
  availableSpare?: number;
  availableSpareThreshold?: number;
  mediaErrors?: number;
  unsafeShutdowns?: number;
  powerOnHours?: number;
  errorLogEntries?: number;
  /** smartctl's overall verdict, when it gave one. */
  smartPassed?: boolean;
}

/**
 * A SMART figure: a JSON number, a C-locale numeric string, or nvme-cli -H's {"value": N}; else
 * undefined ("1,234" or "31,48" is not read: the figure is unknown, never a guessed one).
 */
export function smartNum(v: unknown): number | undefined {
  if (v && typeof v === 'object' && 'value' in v) return smartNum((v as { value: unknown }).value);
  return plainNum(v);
}

/** NVMe SMART / Health log (page 02h), byte 0: Critical Warning bits (NVM Express Base Spec, 5.16.1.3). */
export const CRITICAL_WARNING_BITS: { bit: number; text: string; severity: 'warning' | 'critical' }[] = [
  { bit: 0, text: 'available spare below threshold', severity: 'critical' },
  // The drive crossed one of its own temperature thresholds: throttling, not (yet) data at risk.
  { bit: 1, text: 'temperature outside the drive thresholds', severity: 'warning' },
  { bit: 2, text: 'NVM subsystem reliability degraded (media or internal errors)', severity: 'critical' },
  { bit: 3, text: 'media placed in read-only mode', severity: 'critical' },
  { bit: 4, text: 'volatile memory backup device failed', severity: 'critical' },
  { bit: 5, text: 'persistent memory region read-only or unreliable', severity: 'critical' },
];

export function decodeCriticalWarning(value: number): { text: string; severity: 'warning' | 'critical' }[] {
  const out: { text: string; severity: 'warning' | 'critical' }[] = [];
  for (const b of CRITICAL_WARNING_BITS) if (value & (1 << b.bit)) out.push({ text: b.text, severity: b.severity });
  // Bits 6-7 are reserved today; a drive setting them is still telling us something.
  if (value & 0xc0) out.push({ text: `reserved critical warning bits 0x${(value & 0xc0).toString(16)}`, severity: 'critical' });
  return out;
}

/**
 * nvme-cli reports the composite temperature as the NVMe log page holds it: in Kelvin (an integer;
 * 0 means "not reported"). Some builds print a string with a unit ("323 K", "50 °C"): both are read.
 */
export function nvmeTemperatureC(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const m = /^\s*(-?\d+(?:\.\d+)?)\s*(°?\s*C|Celsius|K|Kelvin)?\b/i.exec(v);
    if (!m) return undefined;
    const n = Number(m[1]);
    const unit = (m[2] ?? 'K').replace(/[°\s]/g, '').toUpperCase();
    return unit.startsWith('C') ? n : kelvinToC(n);
  }
  const n = smartNum(v);
  return n === undefined ? undefined : kelvinToC(n);
}

function kelvinToC(k: number): number | undefined {
  if (k <= 0) return undefined;
  return Math.round(k - 273.15);
}

/** `nvme smart-log DEV -o json` → DriveHealth. */
export function parseNvmeSmartLog(text: string): DriveHealth {
  const j = asRecord(parseToolJson(text, 'nvme smart-log'));
  const cw = smartNum(j['critical_warning']);
  if (cw === undefined && j['temperature'] === undefined && j['percent_used'] === undefined) {
    throw new HostReadError('nvme smart-log: no SMART fields in JSON');
  }
  return {
    criticalWarning: cw,
    criticalWarnings: cw === undefined ? [] : decodeCriticalWarning(cw).map((d) => d.text),
    temperatureC: nvmeTemperatureC(j['temperature']),
    percentageUsed: smartNum(j['percent_used'] ?? j['percentage_used']),
    availableSpare: smartNum(j['avail_spare'] ?? j['available_spare']),
    availableSpareThreshold: smartNum(j['spare_thresh'] ?? j['available_spare_threshold']),
    mediaErrors: smartNum(j['media_errors']),
    unsafeShutdowns: smartNum(j['unsafe_shutdowns']),
    powerOnHours: smartNum(j['power_on_hours']),
    errorLogEntries: smartNum(j['num_err_log_entries']),
  };
}
