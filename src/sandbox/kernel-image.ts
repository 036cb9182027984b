/**
 * The sandbox kernel's files: the uncompressed vmlinux taken out of Debian's bzImage (faster emulated
 * boots through the PVH entry) and modules without their appended signatures.
 */
import * as fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Runner } from '../core/runner.js';

/** Where a bzImage's compressed kernel starts and how long it is (boot protocol >= 2.08 header). */
export function bzImagePayload(b: Buffer): { offset: number; length: number; format: 'xz' | 'gzip' | 'zstd' | 'other' } | undefined {
  if (b.length < 0x260 || b.toString('ascii', 0x202, 0x206) !== 'HdrS' || b.readUInt16LE(0x206) < 0x208) return undefined;
  const setupSects = b[0x1f1] || 4;
  const offset = (setupSects + 1) * 512 + b.readUInt32LE(0x248);
  const length = b.readUInt32LE(0x24c);
  if (offset + length > b.length) return undefined;
  const magic = b.subarray(offset, offset + 6);
  const format = magic.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))
    ? 'xz'
    : magic[0] === 0x1f && magic[1] === 0x8b
      ? 'gzip'
      : magic.readUInt32LE(0) === 0xfd2fb528
        ? 'zstd'
        : 'other';
  return { offset, length, format };
}

/**
 * The uncompressed ELF vmlinux, which QEMU boots through the PVH entry point (CONFIG_PVH=y). Any
 * failure means falling back to the bzImage: slower boots, same guest.
 */
export async function extractVmlinux(runner: Runner, k: { kernelVersion: string; kernelPath: string }, kdir: string, progress: (m: string) => void): Promise<string | undefined> {
  const out = path.join(kdir, `vmlinux-${k.kernelVersion}`);
  if (existsSync(out)) return out;
  try {
    const config = await fs.readFile(path.join(path.dirname(k.kernelPath), `config-${k.kernelVersion}`), 'utf8').catch(() => '');
    if (!/^CONFIG_PVH=y$/m.test(config)) {
      progress('the kernel has no PVH entry: booting the compressed bzImage (slower)');
      return undefined;
    }
    const b = await fs.readFile(k.kernelPath);
    const p = bzImagePayload(b);
    if (!p || (p.format !== 'xz' && p.format !== 'zstd')) {
      progress(`kernel payload ${p?.format ?? 'unknown'}: booting the compressed bzImage (slower)`);
      return undefined;
    }
    progress(`extracting the uncompressed kernel (${p.format}) for faster emulated boots…`);
    const tmpOut = `${out}.tmp-${process.pid}`;
    const packed = `${tmpOut}.${p.format === 'xz' ? 'xz' : 'zst'}`;
    await fs.writeFile(packed, b.subarray(p.offset, p.offset + p.length));
    // --single-stream: the payload is followed by its decompressed size (4 bytes), not another stream.
    const argv = p.format === 'xz' ? ['xz', '-d', '-q', '--single-stream', packed] : ['zstd', '-q', '-d', '--rm', packed];
    const r = await runner.run(argv);
    await fs.rm(packed, { force: true });
    const head = existsSync(tmpOut) ? (await fs.readFile(tmpOut)).subarray(0, 4) : Buffer.alloc(0);
    if (r.exitCode !== 0 || !head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      await fs.rm(tmpOut, { force: true });
      progress(`could not extract vmlinux (${argv[0]} exited ${r.exitCode}): booting the bzImage (slower)`);
      return undefined;
    }
    await fs.rename(tmpOut, out);
    return out;
  } catch (e) {
    progress(`could not extract vmlinux (${(e as Error).message}): booting the bzImage (slower)`);
    return undefined;
  }
}

const SIG_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * Drops a module's appended signature. The guest kernel does not enforce signatures (no secure boot
 * in QEMU) but it still hashes and verifies every signed module it loads: in the emulated CPU that is
 * seconds per boot for the initramfs's modules. Unsigned, they load at once (the kernel notes a taint).
 */
export function stripModuleSignature(ko: Buffer): Buffer {
  if (ko.length < SIG_MAGIC.length + 12 || !ko.subarray(ko.length - SIG_MAGIC.length).equals(SIG_MAGIC)) return ko;
  const info = ko.length - SIG_MAGIC.length - 12; // struct module_signature
  const signerLen = ko[info + 3]!;
  const keyIdLen = ko[info + 4]!;
  const sigLen = ko.readUInt32BE(info + 8);
  const start = info - sigLen - signerLen - keyIdLen;
  if (start <= 0) return ko;
  return ko.subarray(0, start);
}
