/**
 * Which planned volumes fstab marks `nofail` + `x-systemd.device-timeout=` (render/fstab-format.ts writes
 * the line, lint/lint.ts words JTS-NOFAIL/JTS-DEVICE-TIMEOUT from the same functions, so a message always
 * matches the line written). Source: systemd.mount(5) "nofail", "x-systemd.device-timeout="; systemd
 * issue 5836 (a missing data drive drops the host into emergency mode).
 */
import type { Volume } from '../model/plan-schema.js';

/**
 * Default device timeout for data volumes. systemd's default is 90 s per device: with a dead data
 * drive the boot would stall 90 s per volume before `nofail` lets it go on. 30 s is still far above
 * what an NVMe/SATA device needs to appear.
 */
export const DEFAULT_DEVICE_TIMEOUT = '30s';

/**
 * Every volume of a plan sits on a data drive (the product refuses a drive holding / or /boot), so every
 * one gets `nofail` and a device timeout in fstab: a missing data drive must not drop the host into
 * emergency mode (systemd.mount(5) "nofail"; systemd issue 5836). The workload does not matter — a
 * `system` volume (Docker's data) is on the same data drive. The plan opts a volume out only with an
 * override and its reason: `JTS-NOFAIL` → neither option is added; `JTS-DEVICE-TIMEOUT` → no timeout.
 * lint.ts words its JTS-NOFAIL/JTS-DEVICE-TIMEOUT messages from the same two functions.
 */
export function isDataVolume(v: Pick<Volume, 'overrides'>): boolean {
  return !(v.overrides ?? []).some((o) => o.rule === 'JTS-NOFAIL');
}

/** Whether fstab gets x-systemd.device-timeout= added for this volume (when the plan has none). */
export function addsDeviceTimeout(v: Pick<Volume, 'overrides'>): boolean {
  return isDataVolume(v) && !(v.overrides ?? []).some((o) => o.rule === 'JTS-DEVICE-TIMEOUT');
}

