/**
 * The one door to the outside world. Every side effect of jts-storage (child processes, files,
 * the clock) goes through a Runner, so the core (model, lint, diff, health math, retention…) is
 * tested with FakeRunner and no disk, and the real ExecRunner is exercised on the VM test bed.
 *
 * Arguments are always arrays: no shell string is ever built.
 */
export interface RunOptions {
  /** Text written to the child's stdin. */
  input?: string;
  /** Kill the child after this many milliseconds (exit code 124 is reported). */
  timeoutMs?: number;
  /** True for commands that change the host (pvcreate, mkfs…); used by audit logs and dry runs. */
  mutating?: boolean;
  /** Extra environment variables (merged over the process environment). */
  env?: Record<string, string>;
  /** Called with each chunk of stdout/stderr as it arrives (progress of long steps). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  cwd?: string;
}

export interface RunResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Set when the program could not be started at all (ENOENT: not installed). */
  notFound?: boolean;
  timedOut?: boolean;
}

export interface Runner {
  /** Run argv[0] with argv[1..]. Never throws for a non-zero exit: callers read exitCode. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  readFile(path: string): Promise<string>;
  /** The file's bytes, undecoded (plan files are decoded strictly as UTF-8 by the loader). Optional: test runners may lack it. */
  readFileBytes?(path: string): Promise<Uint8Array>;
  /** Undefined when the file does not exist. */
  readFileIfExists(path: string): Promise<string | undefined>;
  writeFile(path: string, data: string, opts?: { mode?: number }): Promise<void>;
  /** Atomic replace: write temp file in the same directory, fsync, rename over path. */
  writeFileAtomic(path: string, data: string, opts?: { mode?: number }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** lstat-like facts: undefined when missing. */
  stat(path: string): Promise<{ uid: number; gid: number; mode: number; isDirectory: boolean; size: number } | undefined>;
  /** statfs(2) of a mounted path: bytes and inodes (health). */
  statfs(path: string): Promise<{ totalBytes: number; freeBytes: number; availBytes: number; totalInodes: number; freeInodes: number }>;
  now(): Date;
  /**
   * Append to a file, creating it (audit logs: one JSON line per command, nothing lost when the
   * process is killed between two lines). Optional: callers fall back to read + write.
   */
  appendFile?(path: string, data: string, opts?: { mode?: number }): Promise<void>;
  /**
   * Create a file only if it does not exist (O_CREAT|O_EXCL), fsynced: the apply lock.
   * Resolves false when the file already exists. Optional: callers fall back to exists + write.
   */
  createExclusive?(path: string, data: string, opts?: { mode?: number }): Promise<boolean>;
}

/** True when a run succeeded (started, exited 0, not timed out). */
export function ok(r: RunResult): boolean {
  return !r.notFound && !r.timedOut && r.exitCode === 0;
}
