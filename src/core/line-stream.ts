/**
 * Reading a process's output as it streams: chunks end anywhere, so each chunk is joined to the
 * incomplete line carried from the one before and split into complete lines plus a new carry.
 * Pure string work, shared by the readers of streamed tool output (host/postgresql.ts, host/redis.ts).
 */

/** `pending + chunk` → the complete lines (without "\n") and `rest`, the incomplete last line to carry. */
export function completeLines(pending: string, chunk: string): { lines: string[]; rest: string } {
  const lines = (pending + chunk).split('\n');
  const rest = lines.pop() ?? '';
  return { lines, rest };
}
