/**
 * File errors as one line for people: `cannot write F: no such directory` instead of a stack trace
 * or a raw `EISDIR`. The node:fs Runner methods throw FileError (a UserError: the CLI prints
 * `error: <message>` and exits 1); it keeps the errno `code` and `path`, so callers that test
 * `e.code === 'ENOENT'` work as before.
 */
import { UserError } from './exit-codes.js';

/** What went wrong, in words, from the errno code (errno(3); node's fs errors carry the code). */
export function fsReason(e: unknown, op: 'read' | 'write' = 'read'): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return op === 'write' ? 'its directory does not exist' : 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return (e as Error)?.message ?? String(e);
  }
}

export class FileError extends UserError {
  readonly code: string | undefined;
  readonly path: string;
  constructor(
    public readonly op: 'read' | 'write',
    path: string,
    public readonly fsError: unknown,
  ) {
    super(`cannot ${op} ${path}: ${fsReason(fsError, op)}`, { file: path, code: (fsError as NodeJS.ErrnoException)?.code });
    this.name = 'FileError';
    this.code = (fsError as NodeJS.ErrnoException)?.code;
    this.path = path;
  }
}

/** Runs `fn`; an errno error becomes a FileError for `path` (anything else is rethrown as it is). */
export async function fileOp<T>(op: 'read' | 'write', path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FileError) throw e;
    if (typeof (e as NodeJS.ErrnoException)?.code === 'string' && (e as NodeJS.ErrnoException).syscall) throw new FileError(op, path, e);
    throw e;
  }
}
