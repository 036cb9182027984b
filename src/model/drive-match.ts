/**
 * Which probed/described drive a plan drive is: by its stable identity (by-id link, serial, WWN,
 * kernel path). Every identity field given must point at the same drive, and each must point at exactly
 * one: an NVMe controller's serial (and its legacy by-id link) is shared by all of its namespaces
 * (nvme0n1, nvme0n2…), and a WWN can be shared too, so an identity that several devices carry is an error
 * listing them (a namespace-specific id: nvme-eui.*, nvme-<model>_<serial>_<nsid>, wwn-*).
 */
import type { Drive } from './plan-schema.js';
import type { DriveInfo } from './host-state.js';

function normWwn(w: string): string {
  return w
    .trim()
    .toLowerCase()
    .replace(/^(wwn-|eui\.|naa\.|0x)/, '')
    .replace(/^0x/, '');
}

export interface DriveMatch {
  drive?: DriveInfo;
  by?: 'byId' | 'serial' | 'wwn' | 'path';
  /** Identity fields that point at different drives, or at none, or at several. */
  problem?: string;
  /** Set when one identity field matches several devices: every device it matches. */
  candidates?: DriveInfo[];
}

/**
 * The by-id links that name one namespace (not the whole controller): udev's nvme-eui.* / nvme-nvme.*
 * (EUI-64/NGUID of the namespace), nvme-<model>_<serial>_<nsid> (systemd 252+), wwn-* and scsi-*.
 * Source: systemd rules.d/60-persistent-storage.rules (ID_WWN, ID_SERIAL with the namespace id appended).
 */
export function namespaceIds(d: DriveInfo): string[] {
  return d.byIds.filter((b) => /\/(nvme-eui\.|nvme-nvme\.|wwn-|scsi-3)/.test(b) || /\/nvme-.*_\d+$/.test(b));
}

function describe(d: DriveInfo): string {
  const ns = namespaceIds(d);
  const ids = ns.length ? ns : d.byIds;
  return `${d.path}${d.sizeBytes ? ` (${d.sizeBytes} bytes)` : ''}${ids.length ? `: byId ${ids.join(' or ')}` : d.wwn ? `: wwn ${d.wwn}` : ''}`;
}

/** Match a plan drive to a probed/described one by stable identity. All identity fields given must agree, each on one device. */
export function matchDrive(d: Drive, drives: DriveInfo[]): DriveMatch {
  const hits: { by: NonNullable<DriveMatch['by']>; drives: DriveInfo[]; value: string }[] = [];
  if (d.byId) {
    // udev points a controller-wide link (nvme-<model>_<serial>, no namespace suffix) at ONE namespace, the
    // last one probed (captured: test/fixtures/identity/by-id.txt): it names all of the controller's namespaces.
    let byId = drives.filter((x) => x.byIds.includes(d.byId!));
    const one = byId.length === 1 ? byId[0]! : undefined;
    if (one?.serial !== undefined && !namespaceIds(one).includes(d.byId)) {
      const siblings = drives.filter((x) => x.serial !== undefined && x.serial.trim() === one.serial!.trim());
      if (siblings.length > 1) byId = siblings;
    }
    hits.push({ by: 'byId', value: d.byId, drives: byId });
  }
  if (d.serial) hits.push({ by: 'serial', value: d.serial, drives: drives.filter((x) => x.serial !== undefined && x.serial.trim() === d.serial!.trim()) });
  if (d.wwn) hits.push({ by: 'wwn', value: d.wwn, drives: drives.filter((x) => x.wwn !== undefined && normWwn(x.wwn) === normWwn(d.wwn!)) });
  if (d.path) hits.push({ by: 'path', value: d.path, drives: drives.filter((x) => x.path === d.path) });
  const found = hits.filter((h) => h.drives.length > 0);
  if (found.length === 0) {
    return { problem: `no drive has ${hits.map((h) => `${h.by} ${h.value}`).join(' or ')}` };
  }
  // An identity several devices carry: the other fields may narrow it to one, else it is an error.
  const narrowed = found.reduce<DriveInfo[] | undefined>((acc, h) => (acc ? acc.filter((x) => h.drives.includes(x)) : [...h.drives]), undefined)!;
  const many = found.filter((h) => h.drives.length > 1);
  if (many.length && narrowed.length !== 1) {
    const h = many[0]!;
    const cands = narrowed.length > 1 ? narrowed : h.drives;
    return {
      candidates: cands,
      problem:
        `${h.by} ${h.value} matches ${cands.length} devices: ${cands.map(describe).join('; ')}. ` +
        `An NVMe controller's serial and its legacy by-id link are shared by all of its namespaces: name exactly one with a namespace-specific id ` +
        `(byId: /dev/disk/by-id/nvme-eui.… or nvme-<model>_<serial>_<namespace>, or the namespace's wwn)`,
    };
  }
  const one = found.map((h) => ({ by: h.by, value: h.value, drive: h.drives.length === 1 ? h.drives[0]! : narrowed[0]! }));
  const distinct = new Set(one.map((h) => h.drive.path));
  if (distinct.size > 1) {
    return { problem: `identity fields point at different drives: ${one.map((h) => `${h.by} ${h.value} → ${h.drive.path}`).join(', ')}` };
  }
  const missing = hits.filter((h) => h.drives.length === 0 && h.by !== 'path');
  if (missing.length) {
    return {
      drive: one[0]!.drive,
      by: one[0]!.by,
      problem: `${one[0]!.by} matches ${one[0]!.drive.path} but ${missing.map((h) => `${h.by} ${h.value}`).join(', ')} does not: wrong drive?`,
    };
  }
  // Prefer the most stable identity for reporting.
  const order = ['byId', 'wwn', 'serial', 'path'] as const;
  const best = order.map((o) => one.find((h) => h.by === o)).find(Boolean)!;
  return { drive: best.drive, by: best.by };
}
