// CONTRACT STUB (owner: model/lint helper). `--drives FILE`: described drives → HostState (offline).
import type { HostState } from './host-state.js';

export function parseDrivesFile(_text: string, _file: string): HostState {
  throw new Error('not implemented');
}
