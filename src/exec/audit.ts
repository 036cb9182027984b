// The audit log: one JSON line per command apply runs (and per file it writes), appended as it
// happens, so a killed apply still leaves the trail of what it did up to the kill.
import * as path from 'node:path';
import type { Runner, RunOptions, RunResult } from '../core/runner.js';

export const DEFAULT_AUDIT_LOG = '/var/log/jts-storage/audit.jsonl';
/** Bytes of stdout/stderr kept per record: enough for an error message, not a whole fullreport. */
export const TAIL_BYTES = 2000;

export interface AuditRecord {
  time: string; // ISO, UTC
  /** One id per apply/verify invocation: groups its records. */
  run: string;
  event: 'command' | 'write-file' | 'mkdir' | 'write-sysfs' | 'start' | 'end' | 'refused';
  actionId?: string;
  /** 1-based action number of the run, and the step number inside it. */
  action?: number;
  step?: number;
  argv?: string[];
  path?: string;
  exitCode?: number;
  durationMs?: number;
  mutating?: boolean;
  stdoutTail?: string;
  stderrTail?: string;
  ok?: boolean;
  message?: string;
  /** start/end: what the run was. */
  command?: string;
  planFile?: string;
  stateHash?: string;
  actions?: number;
  wallMs?: number;
  mutatingCommands?: number;
  dryRun?: boolean;
}

export function tail(s: string, n = TAIL_BYTES): string {
  return s.length <= n ? s : '…' + s.slice(s.length - n);
}

/** Append-only JSON-lines writer. `path` undefined: records are kept in memory only (tests, dry runs). */
export class AuditLog {
  readonly records: AuditRecord[] = [];
  private ready = false;
  constructor(
    private readonly runner: Runner,
    readonly file: string | undefined,
    readonly run: string,
  ) {}

  static runId(now: Date, pid: number): string {
    return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${pid}`;
  }

  /** Create the log's directory and prove the file is writable, before anything mutating runs. */
  async open(): Promise<void> {
    if (!this.file || this.ready) return;
    await this.runner.mkdir(path.dirname(this.file), { recursive: true, mode: 0o750 });
    await this.append('');
    this.ready = true;
  }

  private async append(line: string): Promise<void> {
    if (!this.file) return;
    if (this.runner.appendFile) await this.runner.appendFile(this.file, line, { mode: 0o640 });
    else await this.runner.writeFile(this.file, ((await this.runner.readFileIfExists(this.file)) ?? '') + line);
  }

  async write(rec: Omit<AuditRecord, 'time' | 'run'> & { time?: string }): Promise<AuditRecord> {
    const full: AuditRecord = { time: rec.time ?? this.runner.now().toISOString(), run: this.run, ...rec } as AuditRecord;
    this.records.push(full);
    await this.append(JSON.stringify(full) + '\n');
    return full;
  }

  get mutatingCount(): number {
    return this.records.filter((r) => r.mutating && r.event !== 'start' && r.event !== 'end').length;
  }
}

/** Where in the apply the next command belongs: set by the executor before each step. */
export interface AuditContext {
  actionId?: string;
  action?: number;
  step?: number;
}

/**
 * A Runner that records every command it runs in the audit log (probe, safety checks, steps and
 * verify alike): the audit shows everything apply looked at and did, and the overhead bench sums
 * all command time. File operations pass through; the executor logs its own file steps.
 */
export class AuditingRunner implements Runner {
  context: AuditContext = {};
  constructor(
    readonly inner: Runner,
    readonly audit: AuditLog,
  ) {
    if (inner.appendFile) this.appendFile = inner.appendFile.bind(inner);
    if (inner.createExclusive) this.createExclusive = inner.createExclusive.bind(inner);
  }
  appendFile?: Runner['appendFile'];
  createExclusive?: Runner['createExclusive'];

  async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    const startTime = this.inner.now().toISOString();
    const r = await this.inner.run(argv, opts);
    await this.audit.write({
      time: startTime,
      event: 'command',
      ...this.context,
      argv,
      exitCode: r.exitCode,
      durationMs: Math.round(r.durationMs * 10) / 10,
      mutating: opts?.mutating ?? false,
      stdoutTail: tail(r.stdout),
      stderrTail: tail(r.stderr),
    });
    return r;
  }
  readFile(p: string) {
    return this.inner.readFile(p);
  }
  readFileIfExists(p: string) {
    return this.inner.readFileIfExists(p);
  }
  writeFile(p: string, d: string, o?: { mode?: number }) {
    return this.inner.writeFile(p, d, o);
  }
  writeFileAtomic(p: string, d: string, o?: { mode?: number }) {
    return this.inner.writeFileAtomic(p, d, o);
  }
  rename(a: string, b: string) {
    return this.inner.rename(a, b);
  }
  unlink(p: string) {
    return this.inner.unlink(p);
  }
  mkdir(p: string, o?: { recursive?: boolean; mode?: number }) {
    return this.inner.mkdir(p, o);
  }
  readdir(p: string) {
    return this.inner.readdir(p);
  }
  exists(p: string) {
    return this.inner.exists(p);
  }
  stat(p: string) {
    return this.inner.stat(p);
  }
  statfs(p: string) {
    return this.inner.statfs(p);
  }
  now() {
    return this.inner.now();
  }
}

/** Parse an audit log (JSON lines); lines that are not JSON (a torn last line after a kill) are skipped. */
export function parseAuditLog(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as AuditRecord);
    } catch {
      /* torn line */
    }
  }
  return out;
}

/** Per run id: mutating commands/file steps, command time, wall time (from start/end records). */
export function summarizeRuns(records: AuditRecord[]): Map<string, { command?: string; mutating: number; commands: number; commandMs: number; wallMs?: number; ok?: boolean }> {
  const m = new Map<string, { command?: string; mutating: number; commands: number; commandMs: number; wallMs?: number; ok?: boolean }>();
  for (const r of records) {
    let s = m.get(r.run);
    if (!s) m.set(r.run, (s = { mutating: 0, commands: 0, commandMs: 0 }));
    if (r.event === 'start') s.command ??= r.command;
    else if (r.event === 'end') {
      s.wallMs = r.wallMs;
      s.ok = r.ok;
    } else if (r.event !== 'refused') {
      if (r.mutating) s.mutating++;
      if (r.event === 'command') {
        s.commands++;
        s.commandMs += r.durationMs ?? 0;
      }
    }
  }
  return m;
}

/**
 * Time during which at least one command of the run was running (the union of their intervals):
 * the probe starts its tools concurrently, so a plain sum counts overlapping time twice.
 */
export function commandBusyMs(records: AuditRecord[], run?: string): number {
  const iv = records
    .filter((r) => (run === undefined || r.run === run) && (r.event === 'command' || r.event === 'write-file' || r.event === 'mkdir' || r.event === 'write-sysfs') && r.durationMs !== undefined)
    .map((r) => {
      // command records carry their start time; file-step records are written when the step ends.
      const t = Date.parse(r.time);
      return r.event === 'command' ? [t, t + r.durationMs!] : [t - r.durationMs!, t];
    })
    .sort((a, b) => a[0]! - b[0]!);
  let busy = 0;
  let curS = -Infinity;
  let curE = -Infinity;
  for (const [s0, e0] of iv) {
    if (s0! > curE) {
      if (curE > curS) busy += curE - curS;
      curS = s0!;
      curE = e0!;
    } else curE = Math.max(curE, e0!);
  }
  if (curE > curS) busy += curE - curS;
  return busy;
}
