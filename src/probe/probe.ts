// CONTRACT STUB (owner: probe/diff helper). One call per tool, whatever the number of volumes.
import type { Runner } from '../core/runner.js';
import type { HostState } from '../model/host-state.js';

export async function probeHost(_runner: Runner): Promise<HostState> {
  throw new Error('not implemented');
}
