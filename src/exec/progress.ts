// Progress of apply's steps on stderr (stdout stays clean for --json): "step k/n" with elapsed
// time, and the phases of mkfs as it prints them. A TTY gets one live line, anything else gets
// plain lines (CI logs, the sandbox console) with the phases rate-limited.
import type { Action, Step } from '../model/actions.js';

export interface Progress {
  stepStart(k: number, n: number, action: Action, step: Step): void;
  /** A chunk of the running step's output (mkfs). */
  output(chunk: string): void;
  stepEnd(k: number, n: number, ok: boolean, ms: number): void;
  done(): void;
}

export const silentProgress: Progress = { stepStart() {}, output() {}, stepEnd() {}, done() {} };

export function describeStep(step: Step): string {
  switch (step.type) {
    case 'exec':
      return step.argv.map(shellQuote).join(' ');
    case 'write-file':
      return `write ${step.path} (${Buffer.byteLength(step.content)} bytes${step.verifyArgv ? ', checked by ' + step.verifyArgv[0] : ''}${step.backup ? ', old file backed up' : ''})`;
    case 'mkdir':
      return `mkdir ${step.path} (mode ${step.mode.toString(8).padStart(4, '0')})`;
    case 'write-sysfs':
      return `echo ${shellQuote(step.value)} > ${step.path}`;
  }
}

/** Display-only quoting, so a printed command can be pasted; never used to run anything. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./^-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The last phase mkfs printed ("Writing inode tables: 120/14904") from its raw output. */
export class MkfsPhase {
  private buf = '';
  phase = '';
  fraction?: { done: number; total: number };
  feed(chunk: string): void {
    // mke2fs redraws numbers with backspaces; keep only the tail that matters.
    this.buf = (this.buf + chunk).replace(/[\b]+/g, ' ').slice(-400);
    const lines = this.buf.split(/[\r\n]/).filter((l) => l.trim());
    const last = lines[lines.length - 1] ?? '';
    const m = /^\s*([A-Za-z][^:]{2,60}):\s*(.*)$/.exec(last);
    if (m) {
      this.phase = m[1]!.trim();
      const nums = [...m[2]!.matchAll(/(\d+)\/(\d+)/g)].pop();
      this.fraction = nums ? { done: Number(nums[1]), total: Number(nums[2]) } : undefined;
      if (/done\s*$/.test(m[2]!)) this.fraction = undefined;
    }
  }
  text(): string {
    if (!this.phase) return '';
    return this.fraction ? `${this.phase} ${this.fraction.done}/${this.fraction.total}` : this.phase;
  }
}

function secs(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/** Plain lines: start and end of each step; mkfs phases at most every 5 s. */
export class LineProgress implements Progress {
  private start = 0;
  private lastPhaseAt = 0;
  private lastPhase = '';
  private mkfs = new MkfsPhase();
  constructor(
    private readonly write: (s: string) => void,
    private readonly clock: () => number = () => performance.now(),
  ) {}
  stepStart(k: number, n: number, action: Action, step: Step): void {
    this.start = this.clock();
    this.lastPhaseAt = this.start;
    this.mkfs = new MkfsPhase();
    this.write(`[${k}/${n}] ${action.resource}: ${describeStep(step)}\n`);
  }
  output(chunk: string): void {
    this.mkfs.feed(chunk);
    const now = this.clock();
    const p = this.mkfs.phase;
    if (p && (p !== this.lastPhase || now - this.lastPhaseAt >= 5000)) {
      this.write(`      ${this.mkfs.text()} (${secs(now - this.start)})\n`);
      this.lastPhase = p;
      this.lastPhaseAt = now;
    }
  }
  stepEnd(k: number, n: number, ok: boolean, ms: number): void {
    if (!ok || ms >= 2000) this.write(`      ${ok ? 'done' : 'FAILED'} in ${secs(ms)}\n`);
  }
  done(): void {}
}

/** One live line on a terminal, redrawn each second with the elapsed time and the mkfs phase. */
export class TtyProgress implements Progress {
  private timer: NodeJS.Timeout | undefined;
  private start = 0;
  private label = '';
  private mkfs = new MkfsPhase();
  constructor(private readonly stream: NodeJS.WriteStream) {}
  private draw(): void {
    const cols = this.stream.columns || 100;
    const extra = this.mkfs.text();
    const line = `${this.label}  ${secs(performance.now() - this.start)}${extra ? '  ' + extra : ''}`;
    this.stream.write('\r\x1b[K' + line.slice(0, cols - 1));
  }
  stepStart(k: number, n: number, action: Action, step: Step): void {
    this.start = performance.now();
    this.mkfs = new MkfsPhase();
    this.label = `[${k}/${n}] ${action.resource}: ${describeStep(step)}`;
    this.draw();
    this.timer ??= setInterval(() => this.draw(), 1000);
    this.timer.unref();
  }
  output(chunk: string): void {
    this.mkfs.feed(chunk);
  }
  stepEnd(k: number, n: number, ok: boolean, ms: number): void {
    this.stream.write('\r\x1b[K' + `${ok ? '✓' : '✗'} ${this.label.slice(0, (this.stream.columns || 100) - 12)}  ${secs(ms)}\n`);
  }
  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export function progressFor(stream: NodeJS.WriteStream): Progress {
  return stream.isTTY ? new TtyProgress(stream) : new LineProgress((s) => stream.write(s));
}
