import type { Runner, RunOptions, RunResult } from '../../src/core/runner.js';

/**
 * A Runner for tests: answers commands from a table (exact argv joined by spaces, or a predicate),
 * serves files from an in-memory map, and records every call so tests can assert "no command run".
 */
export interface FakeReply {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  notFound?: boolean;
}

export class FakeRunner implements Runner {
  calls: { argv: string[]; opts?: RunOptions }[] = [];
  files = new Map<string, string>();
  dirs = new Set<string>();
  private replies: { match: (argv: string[]) => boolean; reply: FakeReply | ((argv: string[]) => FakeReply) }[] = [];
  clock: Date;

  constructor(opts: { now?: Date; files?: Record<string, string> } = {}) {
    this.clock = opts.now ?? new Date('2026-11-21T12:00:00Z');
    for (const [k, v] of Object.entries(opts.files ?? {})) this.files.set(k, v);
  }

  /** Reply to argv that starts with the given words (prefix match) or satisfies the predicate. */
  on(match: string[] | ((argv: string[]) => boolean), reply: FakeReply | ((argv: string[]) => FakeReply)): this {
    const m = Array.isArray(match) ? (argv: string[]) => match.every((w, i) => argv[i] === w) : match;
    this.replies.push({ match: m, reply });
    return this;
  }

  get mutatingCalls() {
    return this.calls.filter((c) => c.opts?.mutating);
  }

  async run(argv: string[], opts?: RunOptions): Promise<RunResult> {
    this.calls.push({ argv, opts });
    // Last registered wins, so a test can override a default.
    for (let i = this.replies.length - 1; i >= 0; i--) {
      const r = this.replies[i]!;
      if (r.match(argv)) {
        const rep = typeof r.reply === 'function' ? r.reply(argv) : r.reply;
        return { argv, exitCode: rep.exitCode ?? 0, stdout: rep.stdout ?? '', stderr: rep.stderr ?? '', durationMs: 1, notFound: rep.notFound };
      }
    }
    return { argv, exitCode: 127, stdout: '', stderr: `FakeRunner: no reply for ${argv.join(' ')}`, durationMs: 0, notFound: true };
  }
  async readFile(p: string): Promise<string> {
    const v = this.files.get(p);
    if (v === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return v;
  }
  async readFileIfExists(p: string) {
    return this.files.get(p);
  }
  async writeFile(p: string, data: string) {
    this.files.set(p, data);
  }
  async writeFileAtomic(p: string, data: string) {
    this.files.set(p, data);
  }
  async rename(a: string, b: string) {
    const v = this.files.get(a);
    if (v === undefined) throw new Error(`ENOENT: ${a}`);
    this.files.set(b, v);
    this.files.delete(a);
  }
  async unlink(p: string) {
    this.files.delete(p);
  }
  async mkdir(p: string) {
    this.dirs.add(p);
  }
  async readdir(p: string) {
    const prefix = p.endsWith('/') ? p : p + '/';
    const names = new Set<string>();
    for (const k of [...this.files.keys(), ...this.dirs]) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
    return [...names];
  }
  async exists(p: string) {
    return this.files.has(p) || this.dirs.has(p);
  }
  async stat(p: string) {
    if (this.dirs.has(p)) return { uid: 0, gid: 0, mode: 0o755, isDirectory: true, size: 0 };
    const f = this.files.get(p);
    return f === undefined ? undefined : { uid: 0, gid: 0, mode: 0o644, isDirectory: false, size: f.length };
  }
  statfsTable = new Map<string, { totalBytes: number; freeBytes: number; availBytes: number; totalInodes: number; freeInodes: number }>();
  async statfs(p: string) {
    const v = this.statfsTable.get(p);
    if (!v) throw Object.assign(new Error(`ENOENT: statfs ${p}`), { code: 'ENOENT' });
    return v;
  }
  now() {
    return this.clock;
  }
  async appendFile(p: string, data: string) {
    this.files.set(p, (this.files.get(p) ?? '') + data);
  }
  async createExclusive(p: string, data: string) {
    if (this.files.has(p)) return false;
    this.files.set(p, data);
    return true;
  }
}
