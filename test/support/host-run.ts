import { HostRun } from '../../src/exec/host-run.js';
import type { Runner } from '../../src/core/runner.js';

/**
 * The ActionRunner the commands pass to subsystems, over a test runner: the changes run through the
 * real executor (so FakeRunner still sees each mutating argv); the audit goes to an in-memory list.
 */
export function actFor(runner: Runner, opts: { dryRun?: boolean } = {}): HostRun {
  return new HostRun({ runner, command: 'test', pid: 1, dryRun: opts.dryRun ?? false, auditLog: '/var/log/jts-storage/test-audit.jsonl' });
}

/** What runBench takes: reads through `runner`, changes through the executor over the same runner. */
export function benchIo(runner: Runner, opts: { dryRun?: boolean } = {}): { runner: Runner; act: HostRun } {
  return { runner, act: actFor(runner, opts) };
}
