import type { RunResult } from '../core/runner.js';

/**
 * The plan's output and apply's only input: an ordered list of actions, each made of exact steps.
 * `plan` prints these steps verbatim; `apply` executes exactly these steps and nothing else.
 */
export type ActionKind = 'create' | 'change' | 'replace' | 'destroy';

export type Step =
  /** Run a program: argv exactly, no shell. */
  | {
      type: 'exec';
      argv: string[];
      mutating: boolean;
      timeoutMs?: number;
      progress?: 'mkfs' | 'none';
      /** working directory (tar -C is preferred; fio needs one) */ cwd?: string;
      /** Read-only argv run when the step fails; the tail of its output joins the error (a refused mount: `dmesg`, the kernel's own words). */
      explainArgv?: string[];
    }
  /** Replace a file atomically after a check command passes on the temp copy (fstab → findmnt --verify). */
  | {
      type: 'write-file';
      path: string;
      content: string;
      mode?: number;
      backup: boolean;
      /** argv run against the candidate file; "{file}" is replaced by the temp path. */
      verifyArgv?: string[];
    }
  | { type: 'mkdir'; path: string; mode: number }
  /** Write a value into a sysfs/procfs attribute (no temp file, no rename: the kernel applies it at once). */
  | { type: 'write-sysfs'; path: string; value: string };

export interface Action {
  /** Stable id, e.g. "lv:vg_jts/lv_postgres:create"; used by resume and the audit log. */
  id: string;
  kind: ActionKind;
  /** Resource address, e.g. "lv vg_jts/lv_postgres", "fs vg_jts/lv_postgres", "mount /var/lib/postgresql". */
  resource: string;
  /** One human line: what and why. */
  summary: string;
  steps: Step[];
  /** For replace/destroy: what forces it ("filesystem.type ext4 → xfs"). Destroys data. */
  destructive?: { forcedBy: string; loses: string };
  /** Ids of actions that must come first. */
  dependsOn: string[];
}

/** What running one action gave: each exec step's result, in order (none under --dry-run). */
export interface ActionRun {
  ok: boolean;
  /** Nothing ran: the action was only recorded (--dry-run). */
  dryRun: boolean;
  results: RunResult[];
  /** The failed step: command, exit code, stderr tail. */
  error?: string;
}

/**
 * The one door for changes to the host, as the subsystems see it (snapshot, bench): they build an
 * Action and hand it here; src/exec/host-run.ts implements it with the lock, the audit log and the
 * executor. Subsystems never run a mutating command themselves.
 */
export interface ActionRunner {
  readonly dryRun: boolean;
  run(action: Action): Promise<ActionRun>;
}

export interface Finding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The fact and its source (kernel doc, man page, vendor guide). */
  source?: string;
  file?: string;
  line?: number;
  col?: number;
  /** Dotted plan path, e.g. volumes[2].mount.options */
  field?: string;
  /** Set when the plan overrides this finding, with its stated reason. */
  overridden?: string;
}

/**
 * One bad-input finding as an error line: `file:line:col: field: message` (the place first, so editors
 * jump to it; "?" for an unknown line or column, nothing when there is no file). The one format of
 * bad-input errors (the tuning section's TuneError); findings shown as findings (plan, lint, health)
 * are formatted by src/ui/findings.ts.
 */
export function formatInputError(f: Pick<Finding, 'file' | 'line' | 'col' | 'field' | 'message'>): string {
  const where = f.file ? `${f.file}:${f.line ?? '?'}:${f.col ?? '?'}: ` : '';
  return `${where}${f.field ? f.field + ': ' : ''}${f.message}`;
}

export interface PlanResult {
  planFile: string;
  errors: Finding[];
  warnings: Finding[];
  infos: Finding[];
  actions: Action[];
  /** sha256 of the probed state, so a saved plan can be refused once the host changed. */
  stateHash: string;
  summary: { create: number; change: number; replace: number; destroy: number };
}
