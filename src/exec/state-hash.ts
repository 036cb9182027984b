import { createHash } from 'node:crypto';
import type { HostState } from '../model/host-state.js';

/** sha256 of the probed facts a plan depends on (not of volatile ones such as fs usage). */
export function stateHashOf(state: HostState): string {
  const s = state as HostState & { paths?: unknown };
  const facts = {
    drives: state.drives.map((d) => [d.path, d.serial, d.sizeBytes, d.partitions, d.signatures, d.mountpoints]),
    pvs: state.pvs.map((p) => [p.name, p.vgName, p.sizeBytes]),
    vgs: state.vgs.map((v) => [v.name, v.extentCount, v.freeExtentCount]),
    lvs: state.lvs.map((l) => [l.vgName, l.name, l.sizeBytes, l.attr.slice(0, 1), l.readAheadSectors]),
    filesystems: state.filesystems.map((f) => [f.device, f.type, f.uuid, f.label]),
    mounts: state.mounts.map((m) => [m.target, m.source, m.fstype, m.options]),
    fstab: state.fstab,
    users: state.users,
    groups: state.groups,
    paths: s.paths,
  };
  return createHash('sha256').update(JSON.stringify(facts)).digest('hex');
}
