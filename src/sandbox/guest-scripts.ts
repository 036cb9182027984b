/**
 * The shell scripts the guest runs. Two stages:
 *  - `/init` in the initramfs (busybox sh): loads the modules, mounts the host's root read-only over
 *    virtio-9p under a tmpfs overlay, mounts the control and output shares, switches root.
 *  - `stage2.sh` (the host's /bin/sh, written per run into the control share): /run, udev, LVM's
 *    run directories, then the user's command with its output on the second serial port.
 *
 * The command itself travels as a generated script (`run.sh`) whose every word is single-quoted by
 * shQuote: the guest has to get an argv across a boot, and a quoted script is the one form that the
 * guest's plain sh executes as exactly that argv. No word is ever interpreted.
 */

/** 9p mount tags shared by the QEMU argv and the scripts. */
export const TAG_ROOT = 'jtsroot';
export const TAG_CTL = 'jtsctl';
export const TAG_OUT = 'jtsout';

/** Markers on the command's serial port; the nonce keeps a command's own output from faking them. */
export function startMarker(nonce: string): string {
  return `@@JTS-START:${nonce}@@\n`;
}
export function exitMarkerPrefix(nonce: string): string {
  return `\n@@JTS-EXIT:${nonce}:`;
}

/** POSIX single-quote: the word comes out of sh exactly as given, whatever it contains. */
export function shQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a NUL byte cannot be passed to the guest');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The initramfs /init. Reads JTS_* settings from /ctl/boot.env (written by the host, shQuoted). */
export function initScript(): string {
  return `#!/bin/sh
# jts-storage sandbox initramfs /init (busybox). On any failure: message on the console, power off.
export PATH=/bin
fail() { echo "jts-init: FAILED: $*"; sleep 1; echo o > /proc/sysrq-trigger; sleep 30; }
mkdir -p /proc /sys /dev /lower /rw /newroot /ctl
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Device nodes that load their module when opened (modules.devname), without replacing real ones.
[ -d /devstatic ] && cp -an /devstatic/* /dev/ 2>/dev/null
echo 1 > /proc/sys/kernel/sysrq
while read -r m; do
  [ -n "$m" ] && { insmod "/modules/$m" 2>/dev/null || echo "jts-init: insmod $m failed (may be built in)"; }
done < /modules.list
t() { read -r up _ < /proc/uptime; echo "jts-init: $1 at $up s"; }
t "modules loaded"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ${TAG_CTL} /ctl || fail "mount of the control share"
. /ctl/boot.env || fail "reading boot.env"
# The host's root, read-only; cache=loose because nothing changes it under a run that matters to the guest.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 ${TAG_ROOT} /lower || fail "mount of the host root"
mount -t tmpfs -o mode=0755 tmpfs /rw || fail "tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "overlay"
t "root mounted"
# A fresh /run: the host's own /run (its udev database, LVM locks) must not leak into the guest.
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run || fail "tmpfs /run"
mkdir -p /newroot/run/jts
mount --move /ctl /newroot/run/jts || fail "move control share"
if [ -n "$JTS_OUT_DIR" ]; then
  mkdir -p "/newroot$JTS_OUT_DIR" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ${TAG_OUT} "/newroot$JTS_OUT_DIR" || fail "mount of the output share at $JTS_OUT_DIR"
fi
mkdir -p /newroot/run/jts-bin && cp /bin/busybox /newroot/run/jts-bin/busybox
mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
t "switching root"
exec switch_root /newroot /bin/sh /run/jts/stage2.sh
fail "switch_root"
`;
}

/** boot.env for the initramfs: the only per-run values /init needs. */
export function bootEnv(v: { outDir?: string; modDir: string; kernelVersion: string }): string {
  return [`JTS_OUT_DIR=${shQuote(v.outDir ?? '')}`, `JTS_MOD_DIR=${shQuote(v.modDir)}`, `JTS_KVER=${shQuote(v.kernelVersion)}`, ''].join('\n');
}

/** Stage 2, run by the host's /bin/sh as the guest's PID 1 after switch_root. */
export function stage2Script(nonce: string): string {
  return `#!/bin/sh
# jts-storage sandbox stage 2 (guest PID 1). Output of the set-up goes to the console (ttyS0);
# the command's output goes to ttyS1, framed by the start and exit markers.
# Small steps use the static busybox /init left in /run: each exec of a dynamic host binary reads
# its libraries over 9p under emulation, tenths of a second apiece.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec </dev/null >/dev/ttyS0 2>&1
bb=/run/jts-bin/busybox
[ -x $bb ] || bb=
uptime() { read -r up _ < /proc/uptime; echo "jts: $1 at $up s"; }
off() { $bb sync; echo o > /proc/sysrq-trigger; $bb sleep 30 2>/dev/null; }
uptime "stage 2"
$bb mkdir -p /dev/pts /dev/shm /run/lvm /run/lock /run/udev
$bb mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts
$bb mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
[ -e /dev/fd ] || $bb ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || $bb ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || $bb ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || $bb ln -s /proc/self/fd/2 /dev/stderr
echo jts-sandbox > /proc/sys/kernel/hostname
# The guest kernel's modules at the standard place: the guest's modprobe (LVM's target loading,
# mount's filesystem autoload, the command) finds any of them.
. /run/jts/boot.env
$bb mkdir -p "/lib/modules/$JTS_KVER" && $bb mount -o bind "$JTS_MOD_DIR" "/lib/modules/$JTS_KVER" || echo "jts: no module tree at $JTS_MOD_DIR"
# udev: without it LVM's device nodes and /dev/disk/by-id never appear ("device not cleared").
for u in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd /sbin/udevd; do
  if [ -x "$u" ]; then "$u" --daemon --resolve-names=never; break; fi
done
# Coldplug of block devices only: they are what by-id links, blkid and LVM need; replaying every
# device of the emulated machine (cpus, memory, input, acpi…) costs seconds of emulated exec()s.
udevadm trigger --action=add --subsystem-match=block
udevadm settle --timeout=60
uptime "udev settled"
$bb stty -F /dev/ttyS1 raw -echo 2>/dev/null
printf '%s' ${shQuote(startMarker(nonce))} > /dev/ttyS1
# The command's stdout/stderr go through a FIFO (not the tty): programs see a pipe, as in CI. A daemon
# the command left running may keep the FIFO open: cat then gets 2 s to drain before it is stopped.
$bb mkfifo /run/jts-out
$bb cat /run/jts-out > /dev/ttyS1 &
catpid=$!
/bin/sh /run/jts/run.sh > /run/jts-out 2>&1
rc=$?
( $bb sleep 2; kill $catpid ) 2>/dev/null &
killer=$!
wait $catpid
kill $killer 2>/dev/null
$bb sync
printf '\\n@@JTS-EXIT:%s:%s@@\\n' ${shQuote(nonce)} "$rc" > /dev/ttyS1
off
`;
}

/** run.sh: cd to the guest cwd and exec the argv in a clean environment. */
export function runScript(argv: string[], cwd: string, env: Record<string, string>): string {
  if (argv.length === 0) throw new Error('sandbox: no command given');
  for (const k of Object.keys(env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`sandbox: environment variable name "${k}" is not valid`);
  }
  const envWords = Object.entries(env).map(([k, v]) => shQuote(`${k}=${v}`));
  return [
    '#!/bin/sh',
    `cd ${shQuote(cwd)} || { echo "sandbox: the working directory ${cwd.replace(/[^A-Za-z0-9_./-]/g, '?')} does not exist in the guest" >&2; exit 1; }`,
    `exec env -i ${envWords.join(' ')} ${argv.map(shQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** The guest command's environment: a clean root login plus the caller's variables. */
export function guestEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    JTS_SANDBOX: '1',
    ...extra,
  };
}
