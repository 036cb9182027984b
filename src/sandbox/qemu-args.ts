import { rotationRate, type ResolvedDrive } from './drive-spec.js';
import { TAG_CTL, TAG_OUT, TAG_ROOT } from './guest-scripts.js';

/** Everything one boot needs; buildQemuArgs turns it into QEMU's argv (pure, unit-tested). */
export interface QemuBoot {
  kernelPath: string;
  initrdPath: string;
  memoryMiB: number;
  smp: number;
  accel: 'tcg' | 'kvm';
  drives: { drive: ResolvedDrive; imagePath: string }[];
  ctlDir: string;
  outDir?: string;
  consoleLog: string;
  /** Kernel messages beyond errors on the console (slower boot under TCG). */
  verboseKernel?: boolean;
  /** Extra kernel command-line words (debugging: initcall_debug, …). */
  kernelArgs?: string[];
}

/** Kernel command line. quiet: every console byte costs time under emulation; panics still print. */
export function kernelCmdline(b: Pick<QemuBoot, 'verboseKernel' | 'kernelArgs'>): string {
  return [
    'console=ttyS0',
    b.verboseKernel ? 'loglevel=7' : 'quiet loglevel=3',
    'panic=-1', // reboot at once on panic; with -no-reboot QEMU then exits and the host reports it
    'rdinit=/init',
    'mitigations=off', // nothing to protect inside a throwaway VM; saves emulated cycles
    'random.trust_cpu=on',
    'nokaslr',
    'tsc=reliable',
    'no_timer_check',
    // Boot-time work nobody here needs, each seconds of emulated CPU on a busy host: the crypto
    // self-tests, zswap, and hash tables sized for a server (TCP, dentry, inode).
    'cryptomgr.notests',
    'zswap.enabled=0',
    'thash_entries=4096',
    'uhash_entries=4096',
    'dhash_entries=8192',
    'ihash_entries=8192',
    ...(b.kernelArgs ?? []),
  ].join(' ');
}

export function buildQemuArgs(b: QemuBoot): string[] {
  const a: string[] = ['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot'];
  a.push('-machine', 'q35');
  if (b.accel === 'kvm') a.push('-accel', 'kvm', '-cpu', 'host');
  else a.push('-accel', 'tcg,thread=multi', '-cpu', 'max');
  // maxcpus 2 even with one vCPU: drivers size their queues by possible CPUs, and an NVMe drive with a single
  // queue would get mq-deadline by default instead of none, unlike any real NVMe host.
  a.push('-m', String(b.memoryMiB), '-smp', `${b.smp},maxcpus=${Math.max(2, b.smp)}`);
  a.push('-kernel', b.kernelPath, '-initrd', b.initrdPath, '-append', kernelCmdline(b));
  // ttyS0: kernel console and set-up log, to a file (the console tail on failure).
  // ttyS1: the command's output, on QEMU's stdout so it streams.
  a.push('-chardev', `file,id=con0,path=${qemuOptValue(b.consoleLog)}`, '-serial', 'chardev:con0');
  a.push('-chardev', 'stdio,id=out0,signal=off', '-serial', 'chardev:out0');
  a.push('-device', 'virtio-rng-pci');
  // The host's root, read-only. security_model=none: reads as the host sees it; never writes.
  a.push('-fsdev', `local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap`);
  a.push('-device', `virtio-9p-pci,fsdev=fsroot,mount_tag=${TAG_ROOT}`);
  a.push('-fsdev', `local,id=fsctl,path=${qemuOptValue(b.ctlDir)},security_model=none`);
  a.push('-device', `virtio-9p-pci,fsdev=fsctl,mount_tag=${TAG_CTL}`);
  if (b.outDir) {
    a.push('-fsdev', `local,id=fsout,path=${qemuOptValue(b.outDir)},security_model=none,multidevs=remap`);
    a.push('-device', `virtio-9p-pci,fsdev=fsout,mount_tag=${TAG_OUT}`);
  }
  let scsiBus = false;
  let sataPorts = 0;
  for (const { drive: d, imagePath } of b.drives) {
    const id = `d${d.index}`;
    a.push('-drive', `file=${qemuOptValue(imagePath)},if=none,id=${id},format=raw,discard=unmap,cache=writeback,aio=threads`);
    // A 4Kn drive: logical and physical block size 4096 (the guest's queue/logical_block_size).
    const lbs = d.lbs !== undefined && d.lbs !== 512 ? `,logical_block_size=${d.lbs},physical_block_size=${d.lbs}` : '';
    if (d.kind === 'nvme' && d.nsid !== undefined) {
      // A controller with several namespaces: nvme + one nvme-ns per namespace (the controller's own drive is nsid 1).
      const ctl = `nvmectl${d.controllerOf ?? d.index}`;
      if (d.controllerOf === undefined) a.push('-device', `nvme,id=${ctl},serial=${d.serial}`);
      a.push('-device', `nvme-ns,drive=${id},bus=${ctl},nsid=${d.nsid}${lbs}`);
    } else if (d.kind === 'nvme') {
      a.push('-device', `nvme,serial=${d.serial},drive=${id}${lbs}`);
    } else if (d.kind === 'virtio') {
      a.push('-device', `virtio-blk-pci,drive=${id},serial=${d.serial}${lbs}`);
    } else if (d.kind === 'sata') {
      // An AHCI controller (ICH9, as on Intel boards) per 6 ports; each ide-hd is one port's SATA disk.
      // QEMU's IDE answers SMART (read data, thresholds, return status) and TRIM; rotation_rate is
      // IDENTIFY word 217 (1 = solid state), which Linux turns into queue/rotational.
      const ctl = Math.floor(sataPorts / AHCI_PORTS);
      if (sataPorts % AHCI_PORTS === 0) a.push('-device', `ahci,id=ahci${ctl}`);
      const opts = [`ide-hd,bus=ahci${ctl}.${sataPorts % AHCI_PORTS}`, `drive=${id}`, `serial=${d.serial}`];
      if (d.model !== undefined) opts.push(`model=${qemuOptValue(d.model)}`);
      if (d.rotation !== undefined) opts.push(`rotation_rate=${rotationRate(d.rotation)}`);
      a.push('-device', opts.join(','));
      sataPorts++;
    } else {
      if (!scsiBus) {
        a.push('-device', 'virtio-scsi-pci,id=scsi0');
        scsiBus = true;
      }
      const rot = d.rotation !== undefined ? `,rotation_rate=${rotationRate(d.rotation)}` : '';
      a.push('-device', `scsi-hd,bus=scsi0.0,drive=${id},serial=${d.serial},vendor=JTS,product=${qemuOptValue(d.model ?? 'SANDBOX DISK')}${rot}${lbs}`);
    }
  }
  return a;
}

/** Ports of QEMU's ich9-ahci (buses ahciN.0 … ahciN.5). */
export const AHCI_PORTS = 6;

/** QEMU option values escape a comma by doubling it. */
export function qemuOptValue(v: string): string {
  return v.replace(/,/g, ',,');
}
