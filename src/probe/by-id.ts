/**
 * Stable names of drives: the links in /dev/disk/by-id, listed with ONE process for all drives:
 * `find /dev/disk/by-id -mindepth 1 -maxdepth 1 -type l -printf '%f\t%l\n'` (name, tab, link target
 * such as ../../nvme0n1). udev builds these names without whitespace, so the tab split is exact.
 * (The Runner has no readlink; one `find` keeps the probe at one call per tool.)
 */
export const BY_ID_DIR = '/dev/disk/by-id';
export const BY_ID_ARGV = ['find', BY_ID_DIR, '-mindepth', '1', '-maxdepth', '1', '-type', 'l', '-printf', '%f\\t%l\\n'];

/** → kernel name (nvme0n1, nvme0n1p1) → by-id paths, sorted (deterministic). */
export function parseByIdLinks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [name, target] = line.split('\t');
    if (!name || !target) continue;
    const kname = target.trim().split('/').pop()!;
    if (!kname) continue;
    const list = out.get(kname) ?? [];
    list.push(`${BY_ID_DIR}/${name.trim()}`);
    out.set(kname, list);
  }
  for (const l of out.values()) l.sort(preferredByIdOrder);
  return out;
}

/**
 * Order of preference among a drive's links: the model+serial names (nvme-…, ata-…, scsi-…) before
 * the WWN/EUI ones, the plain names before the "_1" namespace duplicates, and content-derived links
 * (lvm-pv-uuid-…, which pvcreate changes) last. The first is the one
 * printed in commands; all are accepted when matching a plan.
 */
export function preferredByIdOrder(a: string, b: string): number {
  const rank = (p: string) => {
    const n = p.split('/').pop()!;
    // Links named after what is ON the drive (a PV UUID, a dm name) change when it is re-created: last.
    if (/^(lvm-pv-uuid-|dm-|md-uuid-|md-name-)/.test(n)) return 3;
    if (/^(wwn-|nvme-eui\.|nvme-nvme\.|nvme-uuid\.)/.test(n)) return 2;
    if (/_\d+$/.test(n)) return 1;
    return 0;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}
