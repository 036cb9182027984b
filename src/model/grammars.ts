/**
 * Field grammars of the plan file: what each string field may hold, chosen so that every value fits the
 * syntax of the file or command it ends up in (fstab(5), udev(7), systemd.syntax(7), sysctl.d(5), passwd(5),
 * lvm(8) argv). Each check returns an error message (the field is named by the caller) or undefined.
 * The schema (src/model/plan-schema.ts) attaches them to its fields; nothing else decides what a field may hold.
 *
 * One rule covers every string of the document: no control character (C0, DEL, C1), no Unicode line or
 * paragraph separator, no format character (bidi overrides, zero-width), no private-use or unassigned code
 * point and no U+FFFD: systemd-sysctl and udev end a line at '\r' as well as '\n', and invisible characters
 * make a reviewed plan say something else than it shows.
 */
import { posix } from 'node:path';
import { checkLvName, checkUserName, checkVgName } from './names.js';

const ODD_CHAR = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\uFFFD]/u;

function charName(c: string): string {
  const cp = c.codePointAt(0)!;
  const names: Record<number, string> = { 0: 'NUL', 9: 'tab', 10: 'line feed', 13: 'carriage return', 0x7f: 'DEL', 0x85: 'next line', 0x2028: 'line separator', 0x2029: 'paragraph separator', 0xfeff: 'zero-width no-break space', 0x200b: 'zero-width space', 0x202e: 'right-to-left override', 0xfffd: 'replacement character (invalid UTF-8?)' };
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${names[cp] ? ` (${names[cp]})` : ''}`;
}

/** Control/format/odd Unicode characters: the message names the first one and its position, or undefined. */
export function controlCharError(s: string): string | undefined {
  const m = ODD_CHAR.exec(s);
  if (!m) return undefined;
  const pos = [...s.slice(0, m.index)].length + 1;
  return `contains ${charName(m[0])} at character ${pos}; no control, format or invisible character is accepted in a plan (it would change the meaning of the fstab, udev, systemd or sysctl.d file it is written into)`;
}

const show = (s: string) => JSON.stringify(s);

/** Plan `name`: written into the header of every managed file and into metric labels. */
export const PLAN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
export function planNameError(s: string): string | undefined {
  return PLAN_NAME_RE.test(s) ? undefined : `plan name ${show(s)} must be 1-64 characters of A-Z a-z 0-9 . _ + - starting with a letter or digit (it is written into every managed file's header)`;
}

/** Plan-local identifiers (drive ids), snapshot set names (LVM tags, lvm(8) "VALID NAMES" for tags is wider). */
export const IDENT_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;
export function identError(s: string, what: string): string | undefined {
  return IDENT_RE.test(s) ? undefined : `${what} ${show(s)} must be 1-64 characters of A-Z a-z 0-9 _ . + - (not starting with . + -)`;
}

/**
 * Names lvm(8) refuses for a VG: "A VG cannot be called anything that exists in /dev/ at the time of creation".
 * The entries every Linux /dev has (devtmpfs + udev + systemd), and the kernel name patterns of block and
 * character devices. The host's own /dev is checked again before apply (src/lint/preflight.ts).
 */
export const DEV_ENTRY_NAMES = [
  'autofs', 'block', 'bsg', 'btrfs-control', 'bus', 'char', 'console', 'core', 'cpu', 'cpu_dma_latency', 'cuse', 'disk', 'dma_heap', 'dri', 'fb0', 'fd',
  'full', 'fuse', 'gpiochip0', 'hidraw0', 'hpet', 'hugepages', 'hwrng', 'initctl', 'input', 'kmsg', 'kvm', 'log', 'loop-control', 'lp0', 'mapper', 'mcelog', 'mem', 'mqueue',
  'net', 'null', 'nvram', 'port', 'ppp', 'ptmx', 'ptp0', 'pts', 'random', 'rfkill', 'rtc', 'serial', 'sg0', 'shm', 'snapshot', 'snd', 'stderr', 'stdin', 'stdout',
  'tpm0', 'tpmrm0', 'udmabuf', 'uhid', 'uinput', 'urandom', 'userfaultfd', 'userio', 'usb', 'vfio', 'vga_arbiter', 'vhci', 'vhost-net', 'vhost-vsock', 'watchdog', 'zero', 'zfs',
  'lvm', 'md', 'nvme-fabrics', 'vmci', 'vsock', 'xen', 'infiniband', 'iio', 'v4l', 'media0', 'video0', 'crash', 'mtd', 'ubi_ctrl', 'sev', 'sgx_enclave',
] as const;
const DEV_NAME_PATTERNS = /^(sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme[0-9].*|ng[0-9].*|loop[0-9]*|ram[0-9]+|dm-[0-9]+|md[0-9_].*|sr[0-9]+|sg[0-9]+|st[0-9]+|nst[0-9]+|tty.*|pty.*|zram[0-9]+|nbd[0-9]+|rbd[0-9]+|mmcblk[0-9].*|drbd[0-9]+|bcache[0-9]+|vcs.*|hidraw[0-9]+|i2c-[0-9]+|mtd[0-9].*|fd[0-9]+|pmem[0-9].*|dax[0-9].*|nullb[0-9]+|ublk.*|vport.*|rtc[0-9]+|watchdog[0-9]+|tpm.*|dasd.*|cciss|ida|rd|ataraid|mpath.*)$/;

/** VG name: lvm(8) VALID NAMES plus "no name that exists in /dev". */
export function vgNameError(s: string): string | undefined {
  const e = checkVgName(s);
  if (e) return e;
  if ((DEV_ENTRY_NAMES as readonly string[]).includes(s) || DEV_NAME_PATTERNS.test(s))
    return `VG name "${s}" is (or looks like) an entry of /dev (/dev/${s}); lvm(8): "A VG cannot be called anything that exists in /dev/ at the time of creation": vgcreate would fail after pvcreate ran`;
  return undefined;
}
export function lvNameError(s: string, what: 'LV' | 'thin pool' = 'LV'): string | undefined {
  return checkLvName(s, what);
}

/**
 * Paths (mount points, homes, shells, credentials, directories) carry only these characters: fstab(5) would
 * need octal escapes for whitespace and '\', '#' starts a comment, ',' splits mount options, ':' splits
 * passwd(5) fields, '%' is a systemd specifier, and quotes/'$' change systemd and shell command lines.
 */
const PATH_CHARS = /^[A-Za-z0-9._+@/-]+$/;

/** An absolute path in normal form with portable characters. `what` names it in the message. */
export function absPathError(p: string, what: string): string | undefined {
  if (!p.startsWith('/')) return `${what} ${show(p)} is relative; it must be absolute (start with /)`;
  if (!PATH_CHARS.test(p))
    return `${what} ${show(p)} contains ${[...new Set([...p].filter((c) => !/[A-Za-z0-9._+@/-]/.test(c)))].map((c) => (c === ' ' ? "' ' (space)" : show(c))).join(', ')}` +
      ' (a space, separator or shell metacharacter); only A-Z a-z 0-9 . _ + @ - / are accepted (fstab, passwd and systemd cannot carry the others unchanged)';
  if (p !== '/' && (p.endsWith('/') || p.includes('//') || p.split('/').some((s) => s === '.' || s === '..')))
    return `${what} ${show(p)} is not in normal form (no trailing '/', '//', '.' or '..'); write ${posix.normalize(p).replace(/\/$/, '') || '/'}`;
  if (p.length > 255) return `${what} is ${p.length} characters; at most 255 are accepted`;
  return undefined;
}

/**
 * Standard symlinks of a Debian/Ubuntu/RHEL root (merged /usr, FHS 3.0 /var/run and /var/lock): a mount path
 * through them is a mount path under their target.
 */
export const STANDARD_SYMLINKS: Record<string, string> = {
  '/bin': '/usr/bin',
  '/sbin': '/usr/sbin',
  '/lib': '/usr/lib',
  '/lib32': '/usr/lib32',
  '/lib64': '/usr/lib64',
  '/libx32': '/usr/libx32',
  '/var/run': '/run',
  '/var/lock': '/run/lock',
  '/etc/mtab': '/proc/self/mounts',
};

/** Resolve the standard symlinks of a normalized absolute path (repeatedly, at most a few hops). */
export function resolveStandardSymlinks(p: string): string {
  let cur = p;
  for (let hop = 0; hop < 4; hop++) {
    const link = Object.keys(STANDARD_SYMLINKS).find((l) => cur === l || cur.startsWith(l + '/'));
    if (!link) return cur;
    cur = STANDARD_SYMLINKS[link]! + cur.slice(link.length);
  }
  return cur;
}

/** Exact paths a data volume may not be mounted on (it would hide what the system keeps there). */
export const SYSTEM_MOUNT_PATHS = ['/', '/var', '/var/lib', '/var/log', '/var/cache', '/var/spool', '/var/tmp', '/var/mail', '/var/backups', '/var/local', '/var/opt', '/tmp', '/root'];
/** Whole trees a data volume may not be mounted on or under (the OS, kernel virtual filesystems, boot, package state). */
export const SYSTEM_MOUNT_TREES = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/lost+found',
  '/var/lib/dpkg', '/var/lib/apt', '/var/lib/rpm', '/var/lib/dnf', '/var/lib/yum', '/var/lib/systemd', '/var/lib/lvm', '/var/log/journal', '/var/cache/apt',
  '/var/lib/ucf', '/var/lib/polkit-1', '/var/lib/sss', '/root/.ssh',
];

/** Mount point grammar (volumes and network mounts). */
export function mountPathError(p: string): string | undefined {
  const e = absPathError(p, 'mount path');
  if (e) return e;
  const real = resolveStandardSymlinks(p);
  const via = real !== p ? ` (${p} is ${real} through the standard symlink ${Object.keys(STANDARD_SYMLINKS).find((l) => p === l || p.startsWith(l + '/'))})` : '';
  for (const t of SYSTEM_MOUNT_TREES) {
    if (real === t) return `mount path "${p}" is a system directory${via}, which belongs to the operating system, the kernel or the boot loader; mounting a volume there hides what the system keeps there`;
    if (real.startsWith(t + '/')) return `mount path "${p}" is under ${t}${via}, which belongs to the operating system, the kernel or the boot loader; mounting a volume there hides what the system keeps there`;
  }
  if (SYSTEM_MOUNT_PATHS.includes(real)) return `mount path "${p}" is a system directory${via}; mounting a volume there hides the running system's files (use a subdirectory, e.g. ${real === '/' ? '/srv/data' : real + '/<service>'})`;
  return undefined;
}

/** Owner or group of a mount point: a useradd name, or a numeric id in 0..4294967294 (uid_t; -1 is "no change"). */
export function ownerError(s: string, what: 'user' | 'group'): string | undefined {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    return n <= 4294967294 && !/^0[0-9]/.test(s) ? undefined : `numeric ${what} id ${s} is out of range (0..4294967294; 4294967295 is (uid_t)-1, "no change" to chown(2))`;
  }
  return checkUserName(s, what);
}

/** One mount option (fstab 4th field): no separators of fstab(5) or of the option list itself. */
export function mountOptionError(o: string): string | undefined {
  if (o === '') return 'mount option is empty';
  const secret = secretOptionError(o);
  if (secret) return secret;
  if (!/^[A-Za-z0-9_.:=+@/-]+$/.test(o))
    return `mount option ${show(o)} contains a character fstab(5) or the option list cannot carry (whitespace, ',', '#', '\\', quotes or shell metacharacters); one option per list item`;
  if (/^credentials=/i.test(o)) return credentialsError(o.slice('credentials='.length));
  return undefined;
}

/** A password in a mount option, in any spelling mount.cifs/mount.nfs read (password=, pass=, user=name%secret). */
export function secretOptionError(o: string): string | undefined {
  if (/^\s*(password|pass|passwd|pw|password2|pass2)\s*=/i.test(o))
    return `a password in the plan ends up in world-readable /etc/fstab; use credentials: /etc/… (a root-only file) instead`;
  if (/^\s*(user(name)?|cred(entials)?)\s*=.*%/i.test(o)) return `a password in "user%password" form ends up in world-readable /etc/fstab; use credentials: /etc/… (a root-only file) instead`;
  return undefined;
}

const HOST_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;

/** Network mount source: NFS `host:/export`, CIFS `//host/share[/path]`; no user, no password, no metacharacters. */
export function networkSourceError(s: string, type: string): string | undefined {
  if (s.startsWith('#')) return `source ${show(s)} starts with '#': fstab(5) reads the whole line as a comment`;
  if (/[%@]/.test(s)) return `source ${show(s)} holds '%' or '@' (a "user%password@" form?): a password in the plan ends up in world-readable /etc/fstab; use credentials: instead`;
  if (type === 'cifs') {
    const m = /^\/\/([^/]+)\/([A-Za-z0-9._$+-]+)((?:\/[A-Za-z0-9._+-]+)*)$/.exec(s);
    if (!m || !HOST_RE.test(m[1]!)) return `CIFS source ${show(s)} must look like //server/share[/dir] (server a host name or address; share and dirs of A-Z a-z 0-9 . _ + - $)`;
    if (m[3]!.split('/').some((x) => x === '.' || x === '..')) return `CIFS source ${show(s)} has '.' or '..' components`;
    return undefined;
  }
  const m = /^(.+?):(\/.*)$/.exec(s);
  if (!m || !HOST_RE.test(m[1]!)) return `NFS source ${show(s)} must look like server:/export (server a host name or address, [IPv6] in brackets)`;
  const pe = absPathError(m[2]!, 'NFS export path');
  if (pe) return `NFS source ${show(s)}: ${pe}`;
  return undefined;
}

/** CIFS credentials file: absolute, no comma (it is one mount option), portable characters. */
export function credentialsError(p: string): string | undefined {
  if (p.includes(',')) return `credentials path ${show(p)} contains ',', which would end the credentials= option and start another`;
  return absPathError(p, 'credentials path');
}

/** useradd -d home: absolute path, no ':' (passwd(5) field separator), portable characters. */
export function homeError(p: string): string | undefined {
  return absPathError(p, 'home');
}
/** useradd -s shell: absolute path to a program (checked on the host before apply). */
export function shellError(p: string): string | undefined {
  return absPathError(p, 'shell');
}

/** Free text written as a comment (reasons): one line of printable text, at most 500 characters. */
export function reasonError(s: string): string | undefined {
  if (s.trim() === '') return 'reason is empty';
  if (s.length > 500) return `reason is ${s.length} characters; keep it to one line of at most 500`;
  return undefined;
}

/** sysctl.d(5) key: dotted lower-case words (the '/' spelling is refused to keep one form). */
export const SYSCTL_KEY_RE = /^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/;
/** sysctl.d(5) value: one line; no '#', ';' or '=' (comment and assignment characters), no leading '|' or '-'. */
export function sysctlValueError(v: string): string | undefined {
  if (!/^[A-Za-z0-9._:+/ \t-]{1,256}$/.test(v) || v.trim() === '' || v !== v.trim())
    return `sysctl value ${show(v)} must be one line of numbers or words (A-Z a-z 0-9 . _ : + / - and inner spaces), at most 256 characters`;
  return undefined;
}

/**
 * Storage sysctl keys a plan may set without an override (docs/decisions.md "sysctl allow-list"): page-cache
 * writeback and reclaim (Documentation/admin-guide/sysctl/vm.rst) and the file/AIO limits databases need
 * (Documentation/admin-guide/sysctl/fs.rst).
 */
export const SYSCTL_STORAGE_ALLOW = [
  'vm.dirty_background_bytes', 'vm.dirty_background_ratio', 'vm.dirty_bytes', 'vm.dirty_ratio', 'vm.dirty_expire_centisecs', 'vm.dirty_writeback_centisecs',
  'vm.swappiness', 'vm.vfs_cache_pressure', 'vm.min_free_kbytes', 'vm.zone_reclaim_mode', 'vm.max_map_count', 'vm.overcommit_memory', 'vm.page-cluster',
  'vm.watermark_scale_factor', 'fs.aio-max-nr', 'fs.file-max', 'fs.nr_open',
] as const;
/** Keys that make the kernel run a program or load code as root: refused even with an override. */
export const SYSCTL_NEVER = /^(kernel\.(core_pattern|modprobe|hotplug|poweroff_cmd|usermodehelper\..*|kexec_load_disabled|modules_disabled|yama\..*|unprivileged_.*|kptr_restrict|dmesg_restrict|sysrq|randomize_va_space)|fs\.binfmt_misc\..*|fs\.suid_dumpable|fs\.protected_.*|vm\.mmap_min_addr)$/;

export function sysctlKeyError(k: string): string | undefined {
  if (!SYSCTL_KEY_RE.test(k) || k.length > 128) return `${show(k)} is not a sysctl key (dotted, like vm.dirty_background_bytes)`;
  if (SYSCTL_NEVER.test(k)) return `sysctl ${k} is not a storage setting and changes what the kernel runs or protects; a storage plan never sets it (not even with an override)`;
  return undefined;
}

/** systemd time and calendar values (OnCalendar=, OnUnitActiveSec=, minAge): no '%' specifiers, ';', quotes or '\'. */
export function scheduleError(s: string): string | undefined {
  if (!/^[A-Za-z0-9 ,.:*/~+-]{1,64}$/.test(s) || s.trim() !== s) return `${show(s)} is not a systemd time or calendar expression (letters, digits and , . : * / ~ + - only, no leading or trailing space)`;
  return undefined;
}

/** Kernel I/O scheduler name or "keep" (checked against the drive's list by tune). */
export function schedulerError(s: string): string | undefined {
  return /^[a-z0-9][a-z0-9_-]{0,31}$/.test(s) ? undefined : `scheduler ${show(s)} is not a scheduler name (lower-case word such as none, mq-deadline, bfq; or "keep")`;
}

/** mkfs option list items (-O, -E, -d, -l): one item, no ',' or whitespace (the items are joined with ','). */
export function mkfsOptionError(s: string): string | undefined {
  return /^\^?[A-Za-z0-9_.:+=/-]+$/.test(s) ? undefined : `mkfs option ${show(s)} must be one item (A-Z a-z 0-9 _ . : + = / -, optionally starting with ^); items are joined with ','`;
}

/** Filesystem type names (mkfs.TYPE, fstab 3rd field). */
export function fsTypeError(s: string): string | undefined {
  return /^[a-z0-9][a-z0-9._]{0,15}$/.test(s) ? undefined : `filesystem type ${show(s)} is not a filesystem name (lower-case, like ext4 or xfs)`;
}

/** Filesystem label (fstab LABEL=, mkfs -L): the length limit per type is checked with the type. */
export function labelError(s: string): string | undefined {
  return /^[A-Za-z0-9._+-]*$/.test(s) ? undefined : `label "${s}" may only contain A-Z a-z 0-9 . _ + - (it ends up in fstab as LABEL=)`;
}

/** Drive identity strings as udev/sysfs print them: no whitespace or metacharacters (serial, WWN). */
export function serialError(s: string, what: string): string | undefined {
  if (s.trim() === '' || /[\s'"$`;&|<>\\,#=]/.test(s)) return `${what} ${show(s)} is empty or contains spaces, separators or shell metacharacters`;
  // udev turns '/' into '_' in by-id links (so no device has it), '..' is a path step, and glob characters
  // would let one identity name several devices (docs/plan-format.md "drives": one identity, one device).
  if (s.includes('/') || s.includes('..')) return `${what} ${show(s)} contains '/' or '..': a drive identity is one name, never a path (udev replaces '/' in serials)`;
  if (/[*?[\]{}!~^]/.test(s)) return `${what} ${show(s)} contains a glob character (* ? [ ] { } ! ~ ^): an identity names exactly one device, never a pattern`;
  if (s.length > 128) return `${what} is ${s.length} characters; at most 128`;
  return undefined;
}
/** Drive model: printable text (spaces allowed), at most 64 characters. */
export function modelError(s: string): string | undefined {
  return s.length <= 64 && !/["\\`$]/.test(s) ? undefined : `model ${show(s)} must be at most 64 characters without quotes, '\\', '\`' or '$'`;
}
/** /dev/disk/by-*\/NAME link: udev link names use A-Z a-z 0-9 # + - . : = @ _ and \x escapes. */
export function byIdError(s: string): string | undefined {
  if (!/^\/dev\/disk\/by-[a-z-]+\/[A-Za-z0-9#+\-.:=@_\\]+$/.test(s) || s.includes('/..')) return `byId ${show(s)} must be a link under /dev/disk/by-id/ (udev link characters only)`;
  return undefined;
}
export function devPathError(s: string): string | undefined {
  if (!/^\/dev\/[A-Za-z0-9._/-]+$/.test(s) || s.split('/').some((x) => x === '..' || x === '.')) return `path "${s}" must be a device path under /dev/ with no shell metacharacters`;
  return undefined;
}
/** Lint override rule ids, like JTS-BARRIER-VWC. */
export function ruleIdError(s: string): string | undefined {
  return /^[A-Z0-9][A-Z0-9-]{0,63}$/.test(s) ? undefined : `override rule "${s}" is not a rule id (like JTS-BARRIER-VWC)`;
}

/** Shells: a hook whose argv is `[shell, "-c", …]` is a shell string in disguise. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'csh', 'tcsh', 'fish', 'busybox']);

/**
 * A snapshot-set hook command (snapshotSets[].hooks[].pre/post): an argv array run without a shell
 * (execve(2)), never a shell string. argv[0] is an absolute path or a bare program name (looked up in
 * PATH) without whitespace or shell metacharacters; `sh -c "…"` is refused, since it brings the shell string
 * back (quoting, globbing and `;` would then decide what runs). Other words are passed as they are.
 */
export function hookArgvError(argv: string[]): string | undefined {
  const p = argv[0];
  if (p === undefined || p === '') return 'a hook command needs its program as the first word: ["/usr/local/bin/flush", "--all"]';
  if (!/^(\/[A-Za-z0-9._+@\/-]+|[A-Za-z0-9._+@-]+)$/.test(p))
    return `hook program ${show(p)} must be one word (an absolute path or a program name, no whitespace or shell metacharacters): hook commands are argv arrays, never shell strings; write ["/path/prog", "arg1", "arg2"]`;
  if (SHELLS.has(p.split('/').pop()!) && argv.slice(1).some((a) => /^-[A-Za-z]*c[A-Za-z]*$/.test(a)))
    return `hook ${show(argv.join(' '))} runs a shell string (${p} -c): hook commands are argv arrays run without a shell; put the commands into a script and name the script`;
  return undefined;
}
