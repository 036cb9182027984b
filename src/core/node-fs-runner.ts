import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Runner, RunOptions, RunResult } from './runner.js';
import { fileOp } from './file-error.js';

/**
 * Files, directories and the clock through node:fs, for the real Runners: ExecRunner (processes through
 * execa) and health's SpawnRunner (node's child_process, to keep execa out of health's start-up). Only
 * `run` differs between them. No process library is imported here.
 */
export abstract class NodeFsRunner implements Runner {
  abstract run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** File errors are FileError ("cannot read F: reason", errno code kept). */
  readFile(p: string): Promise<string> {
    return fileOp('read', p, () => fs.readFile(p, 'utf8'));
  }
  async readFileBytes(p: string): Promise<Uint8Array> {
    return fileOp('read', p, async () => new Uint8Array(await fs.readFile(p)));
  }
  async readFileIfExists(p: string): Promise<string | undefined> {
    try {
      return await fs.readFile(p, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      return fileOp('read', p, () => Promise.reject(e));
    }
  }
  async writeFile(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    await fileOp('write', p, () => fs.writeFile(p, data, { mode: opts.mode }));
  }
  /** Temp file, fsync, rename, fsync of the directory; a failure is a FileError naming `p`. */
  writeFileAtomic(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    return fileOp('write', p, () => this.writeAtomic(p, data, opts));
  }
  private async writeAtomic(p: string, data: string, opts: { mode?: number }): Promise<void> {
    const tmp = path.join(path.dirname(p), `.${path.basename(p)}.jts-tmp-${process.pid}`);
    const fh = await fs.open(tmp, 'w', opts.mode ?? 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, p);
    // fsync the directory so the rename itself survives a power cut.
    const dir = await fs.open(path.dirname(p), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
  rename(a: string, b: string): Promise<void> {
    return fs.rename(a, b);
  }
  unlink(p: string): Promise<void> {
    return fs.unlink(p);
  }
  async mkdir(p: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    await fileOp('write', p, () => fs.mkdir(p, opts));
  }
  readdir(p: string): Promise<string[]> {
    return fs.readdir(p);
  }
  async exists(p: string): Promise<boolean> {
    try {
      await fs.lstat(p);
      return true;
    } catch {
      return false;
    }
  }
  async stat(p: string) {
    try {
      const s = await fs.stat(p);
      return { uid: s.uid, gid: s.gid, mode: s.mode & 0o7777, isDirectory: s.isDirectory(), size: s.size };
    } catch {
      return undefined;
    }
  }
  async statfs(p: string) {
    const s = await fs.statfs(p);
    return {
      totalBytes: s.blocks * s.bsize,
      freeBytes: s.bfree * s.bsize,
      availBytes: s.bavail * s.bsize,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  }
  now(): Date {
    return new Date();
  }
  async appendFile(p: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    await fileOp('write', p, () => fs.appendFile(p, data, { mode: opts.mode ?? 0o640 }));
  }
  async createExclusive(p: string, data: string, opts: { mode?: number } = {}): Promise<boolean> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'wx', opts.mode ?? 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }
}
