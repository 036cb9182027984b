/**
 * udev rule that sets the I/O scheduler per drive class, on whole disks only.
 *
 * What the spec wrote (`KERNEL=="nvme0n1", ATTR{queue/scheduler}="none"` plus a `RUN+="/sbin/fstrim -v /"`)
 * is wrong twice: it names one unstable kernel name, and it trims `/` from inside a udev event (udev
 * kills RUN programs after a timeout and TRIM of a large filesystem takes minutes; TRIM is the job of
 * util-linux's fstrim.timer). This rule matches by kernel name pattern + device type + rotational flag
 * (src/facts/drive-classes.ts), and never runs a program.
 *
 * Rule syntax: udev(7). `ATTR{queue/scheduler}="x"` writes the sysfs attribute when the event is
 * processed (add at boot or hot-plug, change on `udevadm trigger`).
 */
import type { Plan } from '../model/plan-schema.js';
import { CLASS_MATCHES, desiredScheduler, SCHEDULER_NAME_RE } from '../facts/drive-classes.js';
import { managedHeader, type RenderedFile } from './types.js';

export const UDEV_RULE_PATH = '/etc/udev/rules.d/60-jts-storage-scheduler.rules';

export function renderUdevRules(plan: Plan, planFile?: string): RenderedFile {
  const lines: string[] = [
    managedHeader(plan.name, planFile, 'I/O scheduler per drive class'),
    '# Whole disks only (DEVTYPE "disk", never partitions), matched by kind, never by one kernel name.',
    '# No RUN+= here: TRIM is done by fstrim.timer, not from a udev event.',
    'ACTION!="add|change", GOTO="jts_storage_scheduler_end"',
    'SUBSYSTEM!="block", GOTO="jts_storage_scheduler_end"',
    'ENV{DEVTYPE}!="disk", GOTO="jts_storage_scheduler_end"',
    '',
  ];
  let any = false;
  for (const m of CLASS_MATCHES) {
    const s = desiredScheduler(plan.tuning, m.cls);
    if (s === undefined) {
      lines.push(`# ${m.cls}: not managed by this plan (scheduler "keep")`, '');
      continue;
    }
    // Validated by the tune validator; checked again here because this text becomes a rule file.
    if (!SCHEDULER_NAME_RE.test(s)) throw new Error(`renderUdevRules: invalid scheduler name ${JSON.stringify(s)}`);
    any = true;
    const match = [`KERNEL=="${m.kernel}"`];
    if (m.rotational !== undefined) match.push(`ATTR{queue/rotational}=="${m.rotational}"`);
    lines.push(`# ${m.cls}: ${m.comment}`, `${match.join(', ')}, ATTR{queue/scheduler}="${s}"`, '');
  }
  lines.push('LABEL="jts_storage_scheduler_end"', '');
  return {
    path: UDEV_RULE_PATH,
    content: lines.join('\n'),
    mode: 0o644,
    summary: any ? 'udev rule: I/O scheduler per drive class at every boot and hot-plug' : 'udev rule: no class managed (all "keep")',
  };
}
