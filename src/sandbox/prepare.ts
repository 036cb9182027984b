import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Runner } from '../core/runner.js';
import { ExecRunner } from '../core/exec-runner.js';
import { cpioNewc, type CpioEntry } from './cpio.js';
import { initScript } from './guest-scripts.js';
import { mergeModuleOrder, parseDeb822, parseModulesDevname, parseShowDepends, pickKernelPackage } from './kernel-meta.js';
import { extractVmlinux, stripModuleSignature } from './kernel-image.js';

export { parseModulesDevname, parseDeb822, pickKernelPackage, parseShowDepends, mergeModuleOrder } from './kernel-meta.js';
export { bzImagePayload, stripModuleSignature } from './kernel-image.js';

/**
 * The sandbox's kernel and initramfs, built once per kernel version into
 * `${XDG_CACHE_HOME:-~/.cache}/jts-storage/`:
 *  - Debian's generic kernel (the versioned package linux-image-amd64 depends on), fetched with
 *    `apt-get download` and unpacked with `dpkg-deb -x` (installing it would run the host's
 *    initramfs and boot-loader hooks; the cloud flavour lacks 9p);
 *  - an initramfs of busybox-static + the modules to mount the root and reach the disks, in the
 *    order `modprobe --show-depends` gives them.
 * Commands go through the Runner (apt, dpkg-deb, depmod, modprobe); file writes are the cache's own.
 */

/** Bumped when the initramfs layout changes, so caches built by an older jts-storage are rebuilt. */
const INITRD_FORMAT = 6;

/**
 * Loaded by /init from the initramfs, in `modprobe --show-depends` order: what mounts the root (virtio,
 * 9p, overlay), the drives (nvme, virtio-blk, virtio-scsi) and device-mapper's core. Everything else
 * (ext4, xfs, dm-snapshot, dm-thin-pool, loop…) loads on first use, as on a Debian host: the guest's
 * modprobe sees the kernel's whole module tree (mount's filesystem autoload, LVM's and the kernel's
 * dm-target loading), and the initramfs carries the on-demand device nodes of modules.devname
 * (/dev/loop-control, /dev/mapper/control…). Each module loaded at boot costs every boot a second or
 * more of emulated CPU on a busy host.
 */
export const INITRD_MODULES = ['virtio_pci', 'virtio_rng', '9pnet_virtio', '9p', 'overlay', 'nvme', 'virtio_blk', 'virtio_scsi', 'ahci', 'sd_mod', 'dm_mod'];

export const KERNEL_META_PACKAGE = 'linux-image-amd64';
export const BUSYBOX = '/bin/busybox';

export interface PreparedKernel {
  kernelVersion: string;
  kernelPath: string;
  initrdPath: string;
  /**
   * What QEMU boots: the uncompressed vmlinux (PVH entry) when it could be extracted, else kernelPath.
   * Decompressing the 8 MB xz bzImage costs the emulated CPU about 5 s of every boot; this does it once.
   */
  bootKernelPath?: string;
  /** The unpacked /lib/modules/<version> tree (bind-mounted in the guest for modprobe). */
  moduleDir: string;
  package: string;
  packageVersion: string;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'jts-storage');
}

function manifestPath(root: string): string {
  return path.join(root, 'sandbox-kernel.json');
}

/** The prepared kernel if its files are all there (no network, no apt): what each run uses. */
export async function readPreparedKernel(root = cacheRoot()): Promise<PreparedKernel | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(manifestPath(root), 'utf8')) as PreparedKernel;
    if (m.kernelVersion && existsSync(m.kernelPath) && existsSync(m.initrdPath) && existsSync(m.moduleDir)) return m;
  } catch {
    /* missing or unreadable: not prepared */
  }
  return undefined;
}

function safeDirName(s: string): string {
  return s.replace(/[^A-Za-z0-9.+_-]/g, '_');
}

async function must(runner: Runner, argv: string[], what: string, opts: { cwd?: string } = {}): Promise<string> {
  const r = await runner.run(argv, opts);
  if (r.notFound) throw new Error(`${what}: ${argv[0]} is not installed (apt-get install -y ${installHint(argv[0]!)})`);
  if (r.exitCode !== 0) throw new Error(`${what}: \`${argv.join(' ')}\` exited ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(-800)}`);
  return r.stdout;
}

function installHint(cmd: string): string {
  const base = path.basename(cmd);
  if (base === 'depmod' || base === 'modprobe') return 'kmod';
  if (base.startsWith('apt') || base.startsWith('dpkg')) return 'apt dpkg';
  if (base === 'busybox') return 'busybox-static';
  return base;
}

export interface PrepareOptions {
  onProgress?: (msg: string) => void;
  runner?: Runner;
  cacheDir?: string;
  /** Rebuild the initramfs even if a matching one is cached. */
  force?: boolean;
}

/**
 * Ensures the kernel + initramfs are in the cache: idempotent, quick when cached. Asks apt which
 * kernel is current (a newer security update makes the cache stale and it is rebuilt); without apt's
 * answer (offline) an existing cache is used as is.
 */
export async function prepareSandbox(opts: PrepareOptions = {}): Promise<PreparedKernel> {
  const runner = opts.runner ?? new ExecRunner();
  const progress = opts.onProgress ?? (() => {});
  const root = opts.cacheDir ?? cacheRoot();
  await fs.mkdir(root, { recursive: true });
  const cached = await readPreparedKernel(root);

  const arch = (await runner.run(['dpkg', '--print-architecture'])).stdout.trim();
  if (arch && arch !== 'amd64') throw new Error(`sandbox: only amd64 hosts are supported (this one is ${arch})`);

  // 1. Which kernel package is current?
  let pkg: string | undefined;
  let pkgVersion: string | undefined;
  const showMeta = async () => runner.run(['apt-cache', 'show', '--no-all-versions', KERNEL_META_PACKAGE]);
  let meta = await showMeta();
  if (meta.exitCode !== 0 || !meta.stdout.trim()) {
    progress('apt does not know linux-image-amd64 yet: apt-get update');
    await runner.run(['apt-get', 'update', '-q'], { mutating: true });
    meta = await showMeta();
  }
  if (meta.exitCode === 0 && meta.stdout.trim()) {
    pkg = pickKernelPackage(parseDeb822(meta.stdout)['Depends'] ?? '');
    if (pkg) {
      const show = await runner.run(['apt-cache', 'show', '--no-all-versions', pkg]);
      pkgVersion = parseDeb822(show.stdout)['Version'];
    }
  }
  if (!pkg || !pkgVersion) {
    if (cached) {
      progress(`apt cannot name the current kernel package; using the cached kernel ${cached.kernelVersion}`);
      return finishInitrd(runner, root, cached, progress, opts.force);
    }
    throw new Error(
      `sandbox: cannot find the kernel package: \`apt-cache show ${KERNEL_META_PACKAGE}\` gave no versioned linux-image dependency. ` +
        'Check the apt sources (Debian bookworm main), then run: apt-get update && node bin/jts-storage.js sandbox --prepare',
    );
  }

  // 2. Fetch and unpack it (once per package version).
  const kdir = path.join(root, 'kernels', safeDirName(`${pkg}_${pkgVersion}`));
  const treeDir = path.join(kdir, 'root');
  const unpackedMark = path.join(kdir, '.unpacked');
  if (!existsSync(unpackedMark)) {
    await fs.rm(kdir, { recursive: true, force: true });
    const dl = path.join(kdir, 'download');
    await fs.mkdir(dl, { recursive: true });
    // apt's unprivileged download user must be able to write here (else it warns and downloads as root).
    await fs.chmod(dl, 0o777).catch(() => {});
    progress(`downloading ${pkg} ${pkgVersion} (apt-get download)…`);
    await must(runner, ['apt-get', 'download', '-q', `${pkg}=${pkgVersion}`], 'downloading the kernel', { cwd: dl });
    const debs = (await fs.readdir(dl)).filter((f) => f.endsWith('.deb'));
    if (debs.length !== 1) throw new Error(`sandbox: expected one .deb in ${dl}, found ${debs.length}`);
    progress(`unpacking ${debs[0]} (dpkg-deb -x)…`);
    await must(runner, ['dpkg-deb', '-x', path.join(dl, debs[0]!), treeDir], 'unpacking the kernel');
    await fs.rm(dl, { recursive: true, force: true }); // 70 MB we no longer need
    await fs.writeFile(unpackedMark, `${pkg} ${pkgVersion}\n`);
  } else {
    progress(`kernel ${pkg} ${pkgVersion} already unpacked`);
  }
  const versions = await fs.readdir(path.join(treeDir, 'lib', 'modules'));
  const kernelVersion = versions.find((v) => existsSync(path.join(treeDir, 'boot', `vmlinuz-${v}`)));
  if (!kernelVersion) throw new Error(`sandbox: no vmlinuz in ${treeDir}/boot matching ${versions.join(', ')}`);
  const prepared: PreparedKernel = {
    kernelVersion,
    kernelPath: path.join(treeDir, 'boot', `vmlinuz-${kernelVersion}`),
    initrdPath: '',
    moduleDir: path.join(treeDir, 'lib', 'modules', kernelVersion),
    package: pkg,
    packageVersion: pkgVersion,
  };
  const result = await finishInitrd(runner, root, prepared, progress, opts.force);

  // 3. Older kernels are dead weight (400 MB each).
  const kernelsDir = path.join(root, 'kernels');
  for (const d of await fs.readdir(kernelsDir)) {
    if (path.join(kernelsDir, d) !== kdir) {
      progress(`removing the older cached kernel ${d}`);
      await fs.rm(path.join(kernelsDir, d), { recursive: true, force: true });
    }
  }
  return result;
}

/** The initramfs's cache key: what goes into it (init script, module list, busybox, kernel version). */
export function expectedInitrdPath(k: Pick<PreparedKernel, 'kernelVersion' | 'moduleDir'>): string {
  if (!existsSync(BUSYBOX)) throw new Error(`sandbox: ${BUSYBOX} is missing: apt-get install -y busybox-static`);
  const bb = statSync(BUSYBOX);
  const key = createHash('sha256')
    .update(JSON.stringify({ INITRD_FORMAT, init: initScript(), mods: INITRD_MODULES, kv: k.kernelVersion, bb: [bb.size, bb.mtimeMs] }))
    .digest('hex')
    .slice(0, 12);
  const kdir = path.dirname(path.dirname(path.dirname(path.dirname(k.moduleDir))));
  return path.join(kdir, `initrd-${key}.cpio`);
}

/**
 * What a run uses: the cached kernel without asking apt (fast, works offline). An initramfs made by an
 * older init script or module list is rebuilt here (seconds); a missing kernel is fetched.
 */
export async function ensurePrepared(opts: PrepareOptions = {}): Promise<PreparedKernel> {
  const root = opts.cacheDir ?? cacheRoot();
  const m = await readManifest(root);
  if (m && existsSync(m.kernelPath) && existsSync(m.moduleDir)) {
    // The expected initramfs may exist even if the manifest names another (a run of another version
    // of this code wrote it): use it as is, without rewriting anything.
    const expected = expectedInitrdPath(m);
    if (existsSync(expected) && (!m.bootKernelPath || existsSync(m.bootKernelPath))) return { ...m, initrdPath: expected };
    opts.onProgress?.('the initramfs is stale (older init script or module list): rebuilding it');
    return finishInitrd(opts.runner ?? new ExecRunner(), root, m, opts.onProgress ?? (() => {}), false);
  }
  opts.onProgress?.('the sandbox kernel is not prepared yet: preparing it now (once)…');
  return prepareSandbox(opts);
}

async function readManifest(root: string): Promise<PreparedKernel | undefined> {
  try {
    return JSON.parse(await fs.readFile(manifestPath(root), 'utf8')) as PreparedKernel;
  } catch {
    return undefined;
  }
}

async function finishInitrd(runner: Runner, root: string, k: PreparedKernel, progress: (m: string) => void, force?: boolean): Promise<PreparedKernel> {
  const treeDir = path.dirname(path.dirname(path.dirname(k.moduleDir)));
  const kdir = path.dirname(treeDir);
  if (!existsSync(path.join(k.moduleDir, 'modules.dep'))) {
    progress(`depmod -b ${treeDir} ${k.kernelVersion}`);
    await must(runner, ['depmod', '-b', treeDir, k.kernelVersion], 'depmod');
  }
  const initrdPath = expectedInitrdPath(k);
  if (force || !existsSync(initrdPath)) {
    progress(`resolving ${INITRD_MODULES.length} modules and their dependencies (modprobe --show-depends)…`);
    const lists: string[][] = [];
    for (const m of INITRD_MODULES) {
      const r = await runner.run(['modprobe', '-d', treeDir, '-S', k.kernelVersion, '--show-depends', m]);
      if (r.notFound) throw new Error('sandbox: modprobe is not installed: apt-get install -y kmod');
      if (r.exitCode !== 0) {
        progress(`  module ${m} not found in ${k.kernelVersion} (skipped)`);
        continue;
      }
      lists.push(parseShowDepends(r.stdout, k.moduleDir));
    }
    const order = mergeModuleOrder(lists);
    progress(`building the initramfs: busybox + ${order.length} modules…`);
    const entries: CpioEntry[] = [];
    for (const d of ['bin', 'dev', 'proc', 'sys', 'modules', 'lower', 'rw', 'newroot', 'ctl']) entries.push({ type: 'dir', name: d });
    entries.push({ type: 'chardev', name: 'dev/console', major: 5, minor: 1 });
    entries.push({ type: 'chardev', name: 'dev/null', major: 1, minor: 3, mode: 0o666 });
    entries.push({ type: 'file', name: 'bin/busybox', data: await fs.readFile(BUSYBOX), mode: 0o755 });
    for (const app of ['sh', 'mount', 'insmod', 'mkdir', 'switch_root', 'cat', 'sleep', 'echo', 'ls', 'dmesg', 'cp']) {
      entries.push({ type: 'symlink', name: `bin/${app}`, target: 'busybox' });
    }
    const names: string[] = [];
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'jts-initrd-'));
    try {
      for (const rel of order) {
        const abs = path.isAbsolute(rel) ? rel : path.join(k.moduleDir, rel);
        const data = stripModuleSignature(await readModule(runner, abs, tmp));
        const name = path.basename(abs).replace(/\.ko\.(xz|zst|gz)$/, '.ko');
        entries.push({ type: 'file', name: `modules/${name}`, data });
        names.push(name);
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    entries.push({ type: 'file', name: 'modules.list', data: Buffer.from(names.join('\n') + '\n') });
    // On-demand device nodes, copied into /dev by /init (what systemd's static-nodes does on a host).
    const devname = await fs.readFile(path.join(k.moduleDir, 'modules.devname'), 'utf8').catch(() => '');
    const dirs = new Set<string>(['devstatic']);
    for (const n of parseModulesDevname(devname)) {
      const parts = n.name.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(['devstatic', ...parts.slice(0, i)].join('/'));
    }
    for (const d of [...dirs].sort()) entries.push({ type: 'dir', name: d });
    for (const n of parseModulesDevname(devname)) {
      entries.push({ type: n.type === 'c' ? 'chardev' : 'blockdev', name: `devstatic/${n.name}`, major: n.major, minor: n.minor });
    }
    entries.push({ type: 'file', name: 'init', data: Buffer.from(initScript()), mode: 0o755 });
    const cpio = cpioNewc(entries);
    // Uncompressed: QEMU hands it over in memory and the emulated CPU skips a decompression.
    const tmpOut = `${initrdPath}.tmp-${process.pid}`; // two runs may rebuild at once: rename is atomic
    await fs.writeFile(tmpOut, cpio);
    await fs.rename(tmpOut, initrdPath);
    // Older initramfs files go after a day, not at once: a run started a moment ago may be about to boot one.
    for (const f of await fs.readdir(kdir)) {
      const p = path.join(kdir, f);
      if (f.startsWith('initrd-') && p !== initrdPath && Date.now() - (await fs.stat(p)).mtimeMs > 86_400_000) await fs.rm(p, { force: true });
    }
    progress(`initramfs ready: ${initrdPath} (${(cpio.length / 1e6).toFixed(1)} MB)`);
  } else {
    progress(`initramfs cached: ${initrdPath}`);
  }
  const result: PreparedKernel = { ...k, initrdPath };
  const vmlinux = await extractVmlinux(runner, k, kdir, progress);
  if (vmlinux) result.bootKernelPath = vmlinux;
  else delete result.bootKernelPath;
  const tmpManifest = `${manifestPath(root)}.tmp-${process.pid}`;
  await fs.writeFile(tmpManifest, JSON.stringify(result, null, 2) + '\n');
  await fs.rename(tmpManifest, manifestPath(root));
  return result;
}

/** A module file's bytes; compressed modules (.ko.xz/.zst/.gz) are decompressed with busybox/zstd. */
async function readModule(runner: Runner, abs: string, tmp: string): Promise<Buffer> {
  const m = /\.ko\.(xz|zst|gz)$/.exec(abs);
  if (!m) return fs.readFile(abs);
  const copy = path.join(tmp, path.basename(abs));
  await fs.copyFile(abs, copy);
  const argv = m[1] === 'xz' ? [BUSYBOX, 'unxz', copy] : m[1] === 'gz' ? [BUSYBOX, 'gunzip', copy] : ['zstd', '-q', '-d', '--rm', copy];
  await must(runner, argv, `decompressing ${path.basename(abs)}`);
  return fs.readFile(copy.replace(/\.(xz|zst|gz)$/, ''));
}
