/**
 * The probe's mount table: host/findmnt.ts's entries (`findmnt -J -b`, a tree flattened in mount
 * order) as host-state.ts's MountInfo.
 */
import type { MountInfo } from '../model/host-state.js';
import { parseFindmntJson } from '../host/findmnt.js';

export { mountDevice } from '../host/findmnt.js';

export function parseFindmnt(json: string): MountInfo[] {
  return parseFindmntJson(json).map(({ target, source, fstype, options }) => ({ target, source, fstype, options }));
}
