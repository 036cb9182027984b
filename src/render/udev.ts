/**
 * udev rule that sets the I/O scheduler of the plan's drives, and of no other disk.
 *
 * What the spec wrote (`KERNEL=="nvme0n1", ATTR{queue/scheduler}="none"` plus a `RUN+="/sbin/fstrim -v /"`)
 * is wrong twice: it names one unstable kernel name, and it trims `/` from inside a udev event (udev
 * kills RUN programs after a timeout and TRIM of a large filesystem takes minutes; TRIM is the job of
 * util-linux's fstrim.timer). A rule by kernel-name pattern alone (every nvme/sd/vd disk) is wrong too:
 * it changes the root disk and every disk the plan does not declare (issue 14). So each rule line matches
 * ONE plan drive by a stable udev property read from the host's udev database (src/tune/drive-scope.ts):
 * ENV{ID_WWN} (NVMe: the namespace's wwid), ENV{ID_SERIAL_SHORT} or ENV{ID_SERIAL}, together with the
 * drive class's kernel-name glob and rotational flag (src/facts/drive-classes.ts). It never runs a program.
 *
 * Rule syntax: udev(7). `ATTR{queue/scheduler}="x"` writes the sysfs attribute when the event is
 * processed (add at boot or hot-plug, change on `udevadm trigger`). ENV{} matches properties set by the
 * rules read before this file: ID_WWN/ID_SERIAL_SHORT/ID_SERIAL come from systemd's
 * 60-persistent-storage.rules, and udev reads rule files in lexical order of their names (udev(7) "Rules
 * Files"), so this file is 61-…: named 60-jts-… it sorted before 60-persistent-storage.rules and its ENV
 * matches would see no ID_* property yet.
 */
import type { Plan } from '../model/plan-schema.js';
import { CLASS_MATCHES, desiredScheduler, SCHEDULER_NAME_RE, type DriveClass } from '../facts/drive-classes.js';
import { commentSafe, managedHeader, type RenderedFile } from './types.js';
import { assertSame, parseUdevRules, RenderError, udevRuleLine, type UdevPair } from './parse-back.js';

export const UDEV_RULE_PATH = '/etc/udev/rules.d/61-jts-storage-scheduler.rules';
/** Where releases before issue 14 wrote the rule (one line per drive class, every disk of the host). apply removes it. */
export const LEGACY_UDEV_RULE_PATHS = ['/etc/udev/rules.d/60-jts-storage-scheduler.rules'];

/** udev properties that name a drive, in order of preference (namespace-specific first for NVMe). */
export const UDEV_IDENTITY_KEYS = ['ID_WWN', 'ID_SERIAL_SHORT', 'ID_SERIAL'] as const;
export type UdevIdentityKey = (typeof UDEV_IDENTITY_KEYS)[number];

/** One plan drive as the rule matches it: its class and the one udev property naming it on this host. */
export interface UdevDriveMatch {
  /** The plan's drive id (a plan name), written in a comment. */
  driveId: string;
  cls: DriveClass;
  key: UdevIdentityKey;
  value: string;
}

/**
 * Why a property value cannot be matched literally in a udev rule, or undefined. A match value is an
 * fnmatch(3) pattern in which '|' separates alternatives (udev(7) "Operators"), and a rule value cannot
 * carry '"', '\' or a control character: such a value would match other devices, or none.
 */
export function udevLiteralError(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (/[*?[\]|]/.test(value)) return 'holds a glob or alternative character (* ? [ ] |) udev would read as a pattern';
  if (value !== value.trim()) return 'has leading or trailing whitespace';
  if (/["\\]/.test(value) || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u.test(value)) return 'holds a quote, a backslash or a control character';
  return undefined;
}

const goto = { key: 'GOTO', op: '=', value: 'jts_storage_scheduler_end' };
/** The guard rules: only add/change events of whole block disks reach the scheduler rules. */
const GUARDS: UdevPair[][] = [
  [{ key: 'ACTION', op: '!=', value: 'add|change' }, goto],
  [{ key: 'SUBSYSTEM', op: '!=', value: 'block' }, goto],
  [{ key: 'ENV{DEVTYPE}', op: '!=', value: 'disk' }, goto],
];
const END_LABEL: UdevPair[] = [{ key: 'LABEL', op: '=', value: 'jts_storage_scheduler_end' }];

/**
 * The rule file for the plan's drives found on the host (`drives`, from src/tune/drive-scope.ts); plan
 * drives not in `drives` get a comment line only. Every value goes through the udev serializer and the file
 * is parsed back; a property value udev cannot match literally is refused (RenderError), never written.
 */
export function renderUdevRules(plan: Plan, drives: UdevDriveMatch[], planFile?: string, notFound: string[] = []): RenderedFile {
  const lines: string[] = [
    managedHeader(plan.name, planFile, 'I/O scheduler of the plan\'s drives'),
    '# Whole disks only (DEVTYPE "disk", never partitions), each plan drive matched by a stable udev property',
    '# (set by 60-persistent-storage.rules, read before this file); no other disk is touched. No RUN+= here.',
    ...GUARDS.map(udevRuleLine),
    '',
  ];
  const intended: UdevPair[][] = [...GUARDS];
  let n = 0;
  const seen = new Set<string>();
  for (const d of drives) {
    const m = CLASS_MATCHES.find((c) => c.cls === d.cls);
    if (!m) throw new RenderError(`udev rule: drive ${d.driveId} has no drive class`);
    const s = desiredScheduler(plan.tuning, d.cls);
    if (s === undefined) {
      lines.push(`# ${commentSafe(`drive ${d.driveId} (${d.cls}): not managed by this plan (scheduler "keep")`)}`, '');
      continue;
    }
    // Validated by the tune validator; checked again here because this text becomes a rule file.
    if (!SCHEDULER_NAME_RE.test(s)) throw new RenderError(`udev rule: invalid scheduler name ${JSON.stringify(s)}`);
    if (!(UDEV_IDENTITY_KEYS as readonly string[]).includes(d.key)) throw new RenderError(`udev rule: ${JSON.stringify(d.key)} is not an identity property`);
    const why = udevLiteralError(d.value);
    if (why) throw new RenderError(`udev rule: drive ${d.driveId}: ${d.key} ${JSON.stringify(d.value)} ${why}`);
    const k = `${d.key}=${d.value}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const rule: UdevPair[] = [{ key: 'KERNEL', op: '==', value: m.kernel }];
    if (m.rotational !== undefined) rule.push({ key: 'ATTR{queue/rotational}', op: '==', value: m.rotational });
    rule.push({ key: `ENV{${d.key}}`, op: '==', value: d.value });
    rule.push({ key: 'ATTR{queue/scheduler}', op: '=', value: s });
    intended.push(rule);
    n++;
    lines.push(`# ${commentSafe(`drive ${d.driveId} (${d.cls}), matched by its ${d.key}`)}`, udevRuleLine(rule), '');
  }
  for (const id of notFound) lines.push(`# ${commentSafe(`drive ${id}: not found on this host when the rule was rendered, no rule line`)}`, '');
  intended.push(END_LABEL);
  lines.push(udevRuleLine(END_LABEL), '');
  const content = lines.join('\n');
  // Read back: exactly the intended rules, key by key (a value that ended the line or added a key differs).
  assertSame(UDEV_RULE_PATH, intended, parseUdevRules(content));
  return {
    path: UDEV_RULE_PATH,
    content,
    mode: 0o644,
    summary: n ? `udev rule: I/O scheduler of ${n} plan drive(s), matched by stable identity, at every boot and hot-plug` : 'udev rule: no plan drive managed (all "keep" or not found)',
  };
}
