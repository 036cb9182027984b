/**
 * The blkid reader (util-linux): signatures read from the superblocks themselves, so it sees a
 * filesystem even where udev's database (which lsblk reads) is missing or stale.
 *
 *   blkid -o export              the probe: every device with a signature (exit 2: none found, not a failure)
 *   blkid -p -o export <dev>     one device, low-level probe bypassing the cache (snapshot mount)
 *
 * Export format: KEY=value lines, records separated by a blank line; special characters of values are
 * escaped with a backslash (a label "my data" is printed `LABEL=my\ data`). blkid(8).
 */
export const BLKID_ARGV = ['blkid', '-o', 'export'];

export function blkidProbeArgv(device: string): string[] {
  return ['blkid', '-p', '-o', 'export', device];
}

export interface BlkidRecord {
  /** DEVNAME; undefined in `-p <dev>` output, which has no DEVNAME line on older util-linux. */
  device: string;
  type?: string;
  ptType?: string;
  uuid?: string;
  label?: string;
  version?: string;
  /** Every key of the record, as printed. */
  raw: Record<string, string>;
}

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/** `blkid -o export` text → records. `device` fills DEVNAME when the output has none (`-p <dev>`). */
export function parseBlkidExport(text: string, device?: string): BlkidRecord[] {
  const out: BlkidRecord[] = [];
  for (const chunk of text.split(/\n\s*\n/)) {
    const raw: Record<string, string> = {};
    for (const line of chunk.split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) raw[m[1]!] = unescape(m[2]!);
    }
    const dev = raw['DEVNAME'] ?? (Object.keys(raw).length ? device : undefined);
    if (!dev) continue;
    out.push({ device: dev, type: raw['TYPE'], ptType: raw['PTTYPE'], uuid: raw['UUID'], label: raw['LABEL'], version: raw['VERSION'], raw });
  }
  return out;
}
