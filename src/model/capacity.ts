// CONTRACT STUB (owner: model/lint helper). Exact LVM arithmetic: see issue 2.
import type { Plan } from './plan-schema.js';
import type { HostState, DriveInfo } from './host-state.js';
import type { Finding } from './actions.js';

export interface VolumeLayout {
  name: string;
  vg: string;
  extents: number;
  sizeBytes: number;
  thinPool?: string;
  /** For thin volumes: virtual size, not drawn from VG extents. */
  virtualSizeBytes?: number;
}
export interface VgLayout {
  name: string;
  extentSizeBytes: number;
  dataAlignmentBytes: number;
  pvs: { driveId: string; path: string; sizeBytes: number; extents: number }[];
  totalExtents: number;
  reserveExtents: number;
  /** Extents of volumes (+ thin pools) */
  usedExtents: number;
  freeExtents: number;
  volumes: VolumeLayout[];
  thinPools: { name: string; extents: number; metadataExtents: number }[];
  /** Bytes missing to fit the plan, when it does not. */
  shortfallBytes: number;
}
export interface Layout {
  vgs: VgLayout[];
  /** Plan drive id → the probed/described drive it matched. */
  drives: Map<string, DriveInfo>;
  findings: Finding[];
}

export function resolveLayout(_plan: Plan, _state: HostState): Layout {
  throw new Error('not implemented');
}
