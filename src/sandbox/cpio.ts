/**
 * A writer for the "newc" cpio format the kernel unpacks as an initramfs. Written here (40 lines)
 * rather than calling cpio(1): it needs no extra package, and it can add the /dev/console device
 * node without root (the kernel opens it for /init's stdin/stdout before anything is mounted).
 */
export type CpioEntry =
  | { type: 'dir'; name: string; mode?: number }
  | { type: 'file'; name: string; data: Buffer; mode?: number }
  | { type: 'symlink'; name: string; target: string }
  | { type: 'chardev'; name: string; major: number; minor: number; mode?: number }
  | { type: 'blockdev'; name: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
function pad4(len: number): Buffer {
  return Buffer.alloc((4 - (len % 4)) % 4);
}

export function cpioNewc(entries: CpioEntry[], mtime = 0): Buffer {
  const chunks: Buffer[] = [];
  let ino = 1;
  const push = (name: string, mode: number, data: Buffer, rdevMajor = 0, rdevMinor = 0, nlink = 1) => {
    const nameBuf = Buffer.from(name + '\0');
    const header =
      '070701' +
      [ino++, mode, 0, 0, nlink, mtime, data.length, 0, 0, rdevMajor, rdevMinor, nameBuf.length, 0].map(hex8).join('');
    chunks.push(Buffer.from(header, 'ascii'), nameBuf, pad4(110 + nameBuf.length), data, pad4(data.length));
  };
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, '');
    if (!name) throw new Error('cpio: empty entry name');
    switch (e.type) {
      case 'dir':
        push(name, S_IFDIR | (e.mode ?? 0o755), Buffer.alloc(0), 0, 0, 2);
        break;
      case 'file':
        push(name, S_IFREG | (e.mode ?? 0o644), e.data);
        break;
      case 'symlink':
        push(name, S_IFLNK | 0o777, Buffer.from(e.target));
        break;
      case 'chardev':
        push(name, S_IFCHR | (e.mode ?? 0o600), Buffer.alloc(0), e.major, e.minor);
        break;
      case 'blockdev':
        push(name, S_IFBLK | (e.mode ?? 0o600), Buffer.alloc(0), e.major, e.minor);
        break;
    }
  }
  push('TRAILER!!!', 0, Buffer.alloc(0), 0, 0, 1);
  return Buffer.concat(chunks);
}
