/**
 * Checks of the plan's tuning section (and each volume's readAhead), before anything is written.
 * Pure checks need only the plan; with host facts it also checks each scheduler against the list the
 * device itself offers in /sys/block/X/queue/scheduler. Every problem is a Finding with file:line
 * and field; any error stops tune with exit 1 and no command run.
 */
import type { LoadedPlan } from '../model/load-plan.js';
import { formatInputError, type Finding } from '../model/actions.js';
import { UserError } from '../core/exit-codes.js';
import { CLASS_MATCHES, desiredScheduler, KEEP, SCHEDULER_NAME_RE } from '../facts/drive-classes.js';
import { readAheadRangeError } from '../facts/readahead-defaults.js';
import { calendarError, parseTimespan } from './systemd-time.js';
import { SYSCTL_KEY_RE } from '../render/sysctl.js';
import type { TuneFacts } from './facts.js';

/** Single-queue scheduler names from old guides (and the specs' sources), gone since Linux 5.0. */
const LEGACY: Record<string, string> = {
  noop: 'was the single-queue scheduler removed in Linux 5.0; its blk-mq equivalent is "none"',
  cfq: 'was removed in Linux 5.0; its blk-mq successor is "bfq"',
  deadline: 'is the old name of "mq-deadline"; write "mq-deadline"',
};

export class TuneError extends UserError {
  constructor(public readonly findings: Finding[]) {
    super(findings.map(formatInputError).join('\n'), { code: 'TUNE_INVALID' });
  }
}

function at(loaded: LoadedPlan, path: (string | number)[]): { file: string; line?: number; col?: number; field: string } {
  let loc: { line: number; col: number } | undefined;
  try {
    loc = loaded.locate(path);
  } catch {
    loc = undefined;
  }
  const field = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  return { file: loaded.file, line: loc?.line, col: loc?.col, field };
}

export function validateTuning(loaded: LoadedPlan, facts?: Pick<TuneFacts, 'disks' | 'pageSizeBytes'> & Partial<Pick<TuneFacts, 'loadableSchedulers'>>): Finding[] {
  const { plan } = loaded;
  const t = plan.tuning;
  const out: Finding[] = [];
  const err = (path: (string | number)[], rule: string, message: string, source?: string) =>
    out.push({ rule, severity: 'error', message, source, ...at(loaded, path) });

  for (const m of CLASS_MATCHES) {
    const s = t.schedulers[m.cls];
    if (s === KEEP || s === '') continue;
    if (!SCHEDULER_NAME_RE.test(s)) {
      err(['tuning', 'schedulers', m.cls], 'JTS-TUNE-SCHED-NAME', `scheduler ${JSON.stringify(s)} is not a scheduler name (lower-case word such as none, mq-deadline, kyber, bfq; or "keep" to leave this class alone)`);
      continue;
    }
    if (!facts) continue;
    for (const d of facts.disks) {
      if (d.cls !== m.cls || desiredScheduler(t, d.cls) === undefined) continue;
      if (!d.schedulers.includes(s) && !(facts.loadableSchedulers ?? []).includes(s))
        err(
          ['tuning', 'schedulers', m.cls],
          'JTS-TUNE-SCHED-UNKNOWN',
          `scheduler "${s}" is not offered by /dev/${d.name} (${m.cls}): /sys/block/${d.name}/queue/scheduler lists ${d.schedulers.length ? d.schedulers.join(', ') : 'nothing'}` +
            ` and this kernel has no module ${s}-iosched to load (modprobe --dry-run ${s}-iosched failed): choose one of the listed, or "keep"` +
            (LEGACY[s] ? `; "${s}" ${LEGACY[s]}` : ''),
          'Documentation/block/switching-sched.rst: only schedulers registered with the kernel can be selected',
        );
    }
  }

  plan.volumes.forEach((v, i) => {
    if (v.readAhead === 'auto') return;
    const e = readAheadRangeError(v.readAhead, facts?.pageSizeBytes ?? 4096);
    if (e) err(['volumes', i, 'readAhead'], 'JTS-TUNE-READAHEAD-RANGE', e, 'lvchange(8) --readahead; lvm2 tools/lvchange.c rounds to the page size');
  });

  const span = parseTimespan(t.healthInterval);
  if ('error' in span) err(['tuning', 'healthInterval'], 'JTS-TUNE-TIMESPAN', span.error, 'systemd.time(7)');
  else if (span.usec < 1e6) err(['tuning', 'healthInterval'], 'JTS-TUNE-TIMESPAN', `health interval ${t.healthInterval} is under one second`);

  const cal = calendarError(t.snapshotSchedule);
  if (cal) err(['tuning', 'snapshotSchedule'], 'JTS-TUNE-CALENDAR', cal, 'systemd.time(7)');
  if (t.trim.mode === 'timer') {
    const c2 = calendarError(t.trim.schedule);
    if (c2) err(['tuning', 'trim', 'schedule'], 'JTS-TUNE-CALENDAR', c2, 'systemd.time(7)');
  }

  const seen = new Set<string>();
  t.sysctl.forEach((s, i) => {
    if (!SYSCTL_KEY_RE.test(s.key)) err(['tuning', 'sysctl', i, 'key'], 'JTS-TUNE-SYSCTL-KEY', `${JSON.stringify(s.key)} is not a sysctl key (dotted, like vm.dirty_background_bytes)`);
    else if (seen.has(s.key)) err(['tuning', 'sysctl', i, 'key'], 'JTS-TUNE-SYSCTL-DUP', `sysctl key ${s.key} is set twice`);
    seen.add(s.key);
    if (/[\n\r]/.test(s.value) || s.value.trim() === '') err(['tuning', 'sysctl', i, 'value'], 'JTS-TUNE-SYSCTL-VALUE', `sysctl value must be one non-empty line`);
  });

  if (!plan.health.textfileDir.startsWith('/') || /[\n\r]/.test(plan.health.textfileDir))
    err(['health', 'textfileDir'], 'JTS-TUNE-PATH', `textfile directory must be an absolute path, got ${JSON.stringify(plan.health.textfileDir)}`);
  return out;
}
