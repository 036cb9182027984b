import type { DriveHealth } from './types.js';

/**
 * Parsers of what a drive says about its own health: `nvme smart-log DEV -o json` (nvme-cli) and
 * `smartctl -j -a DEV` (smartmontools). Both return DriveHealth with the same units (°C, counts).
 */

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

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.replace(/,/g, '')))) return Number(v.replace(/,/g, ''));
  // nvme-cli -H prints some fields as objects ({"value": N, ...}).
  if (v && typeof v === 'object' && 'value' in v) return num((v as { value: unknown }).value);
  return undefined;
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
  const n = num(v);
  return n === undefined ? undefined : kelvinToC(n);
}

function kelvinToC(k: number): number | undefined {
  if (k <= 0) return undefined;
  return Math.round(k - 273.15);
}

function parseJson(text: string, what: string): Record<string, unknown> {
  // Tools sometimes print a warning line before the JSON: start at the first '{'.
  const i = text.indexOf('{');
  if (i < 0) throw new Error(`${what}: no JSON in output`);
  const v: unknown = JSON.parse(text.slice(i));
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what}: JSON is not an object`);
  return v as Record<string, unknown>;
}

/** `nvme smart-log DEV -o json` → DriveHealth. */
export function parseNvmeSmartLog(text: string): DriveHealth {
  const j = parseJson(text, 'nvme smart-log');
  const cw = num(j['critical_warning']);
  if (cw === undefined && j['temperature'] === undefined && j['percent_used'] === undefined) {
    throw new Error('nvme smart-log: no SMART fields in JSON');
  }
  return {
    criticalWarning: cw,
    criticalWarnings: cw === undefined ? [] : decodeCriticalWarning(cw).map((d) => d.text),
    temperatureC: nvmeTemperatureC(j['temperature']),
    percentageUsed: num(j['percent_used'] ?? j['percentage_used']),
    availableSpare: num(j['avail_spare'] ?? j['available_spare']),
    availableSpareThreshold: num(j['spare_thresh'] ?? j['available_spare_threshold']),
    mediaErrors: num(j['media_errors']),
    unsafeShutdowns: num(j['unsafe_shutdowns']),
    powerOnHours: num(j['power_on_hours']),
    errorLogEntries: num(j['num_err_log_entries']),
  };
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

/** `smartctl -j -a DEV` → DriveHealth (NVMe and ATA). */
export function parseSmartctl(text: string): DriveHealth & { model?: string; serial?: string } {
  const j = parseJson(text, 'smartctl');
  const messages = ((j['smartctl'] as { messages?: { string?: string; severity?: string }[] } | undefined)?.messages ?? [])
    .filter((m) => m.severity === 'error')
    .map((m) => m.string)
    .filter(Boolean);
  const nv = j['nvme_smart_health_information_log'] as Record<string, unknown> | undefined;
  const status = j['smart_status'] as { passed?: boolean } | undefined;
  // smartctl prints "current": 0 when the device reports no temperature.
  const temp = num((j['temperature'] as { current?: unknown } | undefined)?.current) || undefined;
  if ((j['smart_support'] as { available?: boolean } | undefined)?.available === false) {
    throw new Error('smartctl: SMART is not available on this device');
  }
  const poh = num((j['power_on_time'] as { hours?: unknown } | undefined)?.hours);
  const base = { model: typeof j['model_name'] === 'string' ? j['model_name'] : undefined, serial: typeof j['serial_number'] === 'string' ? j['serial_number'] : undefined };
  if (nv) {
    const cw = num(nv['critical_warning']);
    return {
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
    };
  }
  const table = ((j['ata_smart_attributes'] as { table?: { id: number; raw?: { value?: number } }[] } | undefined)?.table ?? []);
  if (!status && !table.length && temp === undefined) {
    throw new Error(`smartctl: no health data${messages.length ? ': ' + messages.join('; ') : ''}`);
  }
  const raw = (id: number) => table.find((a) => a.id === id)?.raw?.value;
  // ATA: uncorrectable errors the drive reported (187) and found offline (198) stand in for NVMe media errors.
  const unc = [raw(187), raw(198)].filter((v): v is number => typeof v === 'number');
  const endurance = num((j['endurance_used'] as { current_percent?: unknown } | undefined)?.current_percent);
  return {
    ...base,
    criticalWarnings: [],
    temperatureC: temp,
    percentageUsed: endurance,
    mediaErrors: unc.length ? unc.reduce((a, b) => a + b, 0) : undefined,
    unsafeShutdowns: raw(192),
    powerOnHours: poh,
    smartPassed: status?.passed,
  };
}
