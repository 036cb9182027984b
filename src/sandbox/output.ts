import { exitMarkerPrefix, startMarker } from './guest-scripts.js';

/**
 * Splits the command's serial stream: set-up noise before the start marker is dropped, the command's
 * output is passed on as it arrives, and the exit marker ends it with the exit code. A tail that could
 * be the start of the exit marker is held back until the next chunk decides. Pure: unit-tested.
 */
export class OutputDemux {
  state: 'boot' | 'run' | 'done' = 'boot';
  output = '';
  exitCode: number | undefined;
  private buf = '';
  private readonly start: string;
  private readonly exitPrefix: string;

  constructor(
    nonce: string,
    private readonly onStart: () => void = () => {},
    private readonly onOutput: (chunk: string) => void = () => {},
  ) {
    this.start = startMarker(nonce);
    this.exitPrefix = exitMarkerPrefix(nonce);
  }

  push(chunk: string): void {
    if (this.state === 'done') return;
    this.buf += chunk;
    if (this.state === 'boot') {
      const i = this.buf.indexOf(this.start);
      if (i < 0) {
        // Keep only what could still be the start of the marker.
        this.buf = this.buf.slice(-this.start.length);
        return;
      }
      this.buf = this.buf.slice(i + this.start.length);
      this.state = 'run';
      this.onStart();
    }
    const j = this.buf.indexOf(this.exitPrefix);
    if (j >= 0) {
      const rest = this.buf.slice(j + this.exitPrefix.length);
      const m = /^(\d+)@@/.exec(rest);
      if (m) {
        this.emit(this.buf.slice(0, j));
        this.exitCode = Number(m[1]);
        this.state = 'done';
        this.buf = '';
        return;
      }
      if (/^\d*(@)?$/.test(rest)) {
        // The marker is still arriving.
        this.emit(this.buf.slice(0, j));
        this.buf = this.buf.slice(j);
        return;
      }
    }
    // Hold back the longest suffix that is a prefix of the exit marker.
    let keep = 0;
    for (let n = Math.min(this.exitPrefix.length, this.buf.length); n > 0; n--) {
      if (this.exitPrefix.startsWith(this.buf.slice(-n))) {
        keep = n;
        break;
      }
    }
    this.emit(this.buf.slice(0, this.buf.length - keep));
    this.buf = this.buf.slice(this.buf.length - keep);
  }

  /** At the end of the stream (VM gone): whatever was held back is output too. */
  end(): void {
    if (this.state === 'run') this.emit(this.buf);
    this.buf = '';
  }

  private emit(s: string): void {
    if (!s) return;
    this.output += s;
    this.onOutput(s);
  }
}
