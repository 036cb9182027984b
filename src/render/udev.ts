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
import { commentSafe, managedHeader, type RenderedFile } from './types.js';
import { assertSame, parseUdevRules, udevRuleLine, type UdevPair } from './parse-back.js';

export const UDEV_RULE_PATH = '/etc/udev/rules.d/60-jts-storage-scheduler.rules';

const goto = { key: 'GOTO', op: '=', value: 'jts_storage_scheduler_end' };
/** The guard rules: only add/change events of whole block disks reach the scheduler rules. */
const GUARDS: UdevPair[][] = [
  [{ key: 'ACTION', op: '!=', value: 'add|change' }, goto],
  [{ key: 'SUBSYSTEM', op: '!=', value: 'block' }, goto],
  [{ key: 'ENV{DEVTYPE}', op: '!=', value: 'disk' }, goto],
];
const END_LABEL: UdevPair[] = [{ key: 'LABEL', op: '=', value: 'jts_storage_scheduler_end' }];

export function renderUdevRules(plan: Plan, planFile?: string): RenderedFile {
  const lines: string[] = [
    managedHeader(plan.name, planFile, 'I/O scheduler per drive class'),
    '# Whole disks only (DEVTYPE "disk", never partitions), matched by kind, never by one kernel name.',
    '# No RUN+= here: TRIM is done by fstrim.timer, not from a udev event.',
    ...GUARDS.map(udevRuleLine),
    '',
  ];
  const intended: UdevPair[][] = [...GUARDS];
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
    const rule: UdevPair[] = [{ key: 'KERNEL', op: '==', value: m.kernel }];
    if (m.rotational !== undefined) rule.push({ key: 'ATTR{queue/rotational}', op: '==', value: String(m.rotational) });
    rule.push({ key: 'ATTR{queue/scheduler}', op: '=', value: s });
    intended.push(rule);
    lines.push(`# ${commentSafe(`${m.cls}: ${m.comment}`)}`, udevRuleLine(rule), '');
  }
  intended.push(END_LABEL);
  lines.push(udevRuleLine(END_LABEL), '');
  const content = lines.join('\n');
  // Read back: exactly the intended rules, key by key (a value that ended the line or added a key differs).
  assertSame(UDEV_RULE_PATH, intended, parseUdevRules(content));
  return {
    path: UDEV_RULE_PATH,
    content,
    mode: 0o644,
    summary: any ? 'udev rule: I/O scheduler per drive class at every boot and hot-plug' : 'udev rule: no class managed (all "keep")',
  };
}
