/**
 * `findmnt -J -b` → the mount table as a flat list. findmnt prints a tree (children under their
 * parent mount); the order of the flattened list is the tree's pre-order, i.e. mount order.
 */
import type { MountInfo } from '../model/host-state.js';
import { asArray, asRecord, parseToolJson, str } from './json-values.js';

export function parseFindmnt(json: string): MountInfo[] {
  const doc = asRecord(parseToolJson(json, 'findmnt'));
  const out: MountInfo[] = [];
  const visit = (raw: unknown) => {
    const r = asRecord(raw);
    const target = str(r['target']);
    if (target) {
      out.push({
        target,
        source: str(r['source']) ?? '',
        fstype: str(r['fstype']) ?? '',
        options: (str(r['options']) ?? '').split(',').filter((o) => o !== ''),
      });
    }
    for (const c of asArray(r['children'])) visit(c);
  };
  for (const fs of asArray(doc['filesystems'])) visit(fs);
  return out;
}

/**
 * findmnt shows a bind mount or subvolume as "/dev/x[/sub]": the device is the part before "[".
 */
export function mountDevice(source: string): string {
  const i = source.indexOf('[');
  return i > 0 ? source.slice(0, i) : source;
}
