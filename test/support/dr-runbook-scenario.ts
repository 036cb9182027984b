/**
 * docs/dr-runbook.md as test data: the parser of its ```bash runbook:<id> blocks, the placeholders they may
 * use, and the scenario the VM test (test/vm/dr-runbook.vm.test.ts, guest side dr-runbook-guest.ts) runs
 * around them: per block, a bash hook before (the state the procedure starts from: an edited plan, damaged
 * files, a failed drive, a killed apply) and after (facts for the host-side assertions, written into $OUT).
 * Pure data and string work: imported by the unit test (test/docs/dr-runbook.test.ts) and the guest driver.
 */

/** One executable block of the runbook: its id, its bash text (placeholders unfilled) and its 1-based line. */
export interface RunbookBlock {
  id: string;
  body: string;
  line: number;
}

/** Placeholders a block may use; the guest fills each with a device path of the sandbox. */
export const PLACEHOLDERS = ['OLD_DRIVE', 'BIG_DRIVE'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * The ```bash runbook:<id> blocks of a Markdown text, in order. A fence whose info string starts with
 * "runbook:" (any language), an unclosed fence or a repeated id is an error naming its line.
 */
export function parseRunbook(md: string): RunbookBlock[] {
  const lines = md.split('\n');
  const blocks: RunbookBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!open || (open[1] === '' && open[2] === '')) continue;
    const info = `${open[1]} ${open[2]}`.trim();
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (end >= lines.length) throw new Error(`line ${start + 1}: fence "${lines[start]}" is never closed`);
    i = end;
    const m = /^bash runbook:([a-z0-9][a-z0-9-]*)$/.exec(info);
    if (!m) {
      if (/runbook:/.test(info)) throw new Error(`line ${start + 1}: "${lines[start]}": a runbook block is \`\`\`bash runbook:<id> (id: a-z 0-9 -)`);
      continue;
    }
    if (blocks.some((b) => b.id === m[1])) throw new Error(`line ${start + 1}: runbook block id ${m[1]} is used twice`);
    blocks.push({ id: m[1]!, body: lines.slice(start + 1, end).join('\n'), line: start + 1 });
  }
  return blocks;
}

/** The {{NAME}} placeholders used in a text. */
export function placeholdersOf(body: string): string[] {
  return [...new Set([...body.matchAll(/\{\{([^}]*)\}\}/g)].map((m) => m[1]!))];
}

/** The text with each {{NAME}} replaced; an unknown or unfilled placeholder throws. */
export function fillPlaceholders(body: string, values: Partial<Record<Placeholder, string>>): string {
  return body.replace(/\{\{([^}]*)\}\}/g, (_, name: string) => {
    const v = (values as Record<string, string | undefined>)[name];
    if (v === undefined) throw new Error(`placeholder {{${name}}} has no value (known: ${PLACEHOLDERS.join(', ')})`);
    return v;
  });
}

// ------------------------------------------------------------------------------------------ the plan
/** The sandbox drives: serial → size in MiB. a is the first drive, b the one added, c the bigger one, d b's replacement. */
export const DRIVES = { 'RB-A': 512, 'RB-B': 512, 'RB-C': 1024, 'RB-D': 512 } as const;

/** The plan versions the scenario writes to /etc/jts-storage/plan.yaml, as the runbook's "edit the plan" says. */
export interface PlanShape {
  drives: { id: string; serial: keyof typeof DRIVES }[];
  postgresMiB: number;
  redisMiB: number;
  kafka: boolean;
}

export const PLANS = {
  initial: { drives: [{ id: 'a', serial: 'RB-A' }], postgresMiB: 128, redisMiB: 64, kafka: false },
  grown: { drives: [{ id: 'a', serial: 'RB-A' }], postgresMiB: 192, redisMiB: 64, kafka: false },
  added: { drives: [{ id: 'a', serial: 'RB-A' }, { id: 'b', serial: 'RB-B' }], postgresMiB: 192, redisMiB: 64, kafka: false },
  used: { drives: [{ id: 'a', serial: 'RB-A' }, { id: 'b', serial: 'RB-B' }], postgresMiB: 192, redisMiB: 64, kafka: true },
  moving: { drives: [{ id: 'a', serial: 'RB-A' }, { id: 'b', serial: 'RB-B' }, { id: 'c', serial: 'RB-C' }], postgresMiB: 192, redisMiB: 64, kafka: true },
  moved: { drives: [{ id: 'b', serial: 'RB-B' }, { id: 'c', serial: 'RB-C' }], postgresMiB: 192, redisMiB: 64, kafka: true },
  replaced: { drives: [{ id: 'b', serial: 'RB-D' }, { id: 'c', serial: 'RB-C' }], postgresMiB: 192, redisMiB: 64, kafka: true },
  powercut: { drives: [{ id: 'b', serial: 'RB-D' }, { id: 'c', serial: 'RB-C' }], postgresMiB: 256, redisMiB: 96, kafka: true },
} satisfies Record<string, PlanShape>;
export type PlanName = keyof typeof PLANS;

/** One snapshot per volume kept: the VG reserve (96 MiB) holds 16 + 8 + 48 MiB of COW space. */
const KEEP1 = 'retention: { keepLast: 1, hourly: 0, daily: 0, weekly: 0, monthly: 0, minAge: 0h }';
const MOUNT_OPTS = '[defaults, noatime, nofail, x-systemd.device-timeout=30s]';

/** The plan YAML: the names and options of plans/jts.yaml, sizes in MiB. */
export function planYaml(name: PlanName): string {
  const p: PlanShape = PLANS[name];
  const vol = (lv: string, mib: number, workload: string, owner: string, label: string, path: string, snap: string) => `  - name: ${lv}
    vg: vg_jts
    size: ${mib}MiB
    workload: ${workload}
    filesystem: { type: ext4, label: ${label} }
    mount: { path: ${path}, options: ${MOUNT_OPTS}, owner: ${owner}, group: ${owner}, mode: "0750" }
    snapshot: ${snap}
`;
  return `# written by test/support/dr-runbook-scenario.ts (plan "${name}" of the DR runbook's VM test)
version: 1
name: dr-runbook
drives:
${p.drives.map((d) => `  - { id: ${d.id}, serial: ${d.serial}, kind: nvme }`).join('\n')}
volumeGroups:
  - { name: vg_jts, drives: [${p.drives.map((d) => d.id).join(', ')}], extentSize: 4MiB, dataAlignment: 4MiB, reserve: 96MiB }
volumes:
${vol('lv_postgres', p.postgresMiB, 'postgresql', 'postgres', 'jts_postgres', '/var/lib/postgresql', `{ type: classic, size: 16MiB, set: databases, ${KEEP1} }`)}${vol('lv_redis', p.redisMiB, 'redis', 'redis', 'jts_redis', '/var/lib/redis', `{ type: classic, size: 8MiB, set: databases, ${KEEP1} }`)}${p.kafka ? vol('lv_kafka', 384, 'kafka', 'kafka', 'jts_kafka', '/var/lib/kafka', `{ type: classic, size: 48MiB, ${KEEP1} }`) + 'users:\n  - { name: kafka, home: /var/lib/kafka }\n' : ''}`;
}

// ------------------------------------------------------------------------------------------ the hooks
/**
 * Bash helpers every hook has ($OUT: the out directory; $ROOT: the checkout; `jts-storage`: the CLI).
 * sums V: sha256 of every file on a volume's mount (paths relative, sorted); facts ID: LVM's JSON and the
 * filesystems' sizes into $OUT/ID.*.
 */
export const HOOK_LIB = `
P=/etc/jts-storage/plan.yaml
use_plan() { mkdir -p /etc/jts-storage; cp "$OUT/plan-$1.yaml" "$P"; }
sums() { (cd "$1" && find . -type f ! -path './lost+found/*' -print0 | sort -z | xargs -0 -r sha256sum); }
fill() { mkdir -p "$(dirname "$1")"; head -c "$2" /dev/urandom > "$1"; }
facts() {
  lvs -a --reportformat json --units b --nosuffix -o lv_name,lv_size,lv_attr,origin,devices vg_jts > "$OUT/$1.lvs.json" 2>/dev/null || true
  pvs --reportformat json --units b --nosuffix -o pv_name,vg_name,pv_size,pv_used > "$OUT/$1.pvs.json" 2>/dev/null || true
  for m in /var/lib/postgresql /var/lib/redis /var/lib/kafka; do
    if mountpoint -q "$m"; then echo "$m $(df -B1 --output=size "$m" | tail -1 | tr -d ' ')"; fi
  done > "$OUT/$1.df"
  for m in /var/lib/postgresql /var/lib/redis /var/lib/kafka; do
    if mountpoint -q "$m"; then sums "$m" | sed "s|  \\./|  $m/|"; fi
  done > "$OUT/$1.sums"
}
dev_of() { for d in /sys/block/nvme*; do [ "$(tr -d ' ' < "$d/device/serial")" = "$1" ] && echo "/dev/\${d##*/}"; done; return 0; }
`;

/** Per block: bash run before it (the state it starts from) and after it (facts). Order = the runbook's. */
export interface ScenarioStep {
  id: string;
  before?: string;
  after?: string;
}

/** Run once before the first block: the host as the runbook finds it (applied plan, data on the volumes). */
export const SETUP = `use_plan initial
jts-storage apply --plan "$P" --yes --no-prove
fill /var/lib/postgresql/base/16384/2619 3145728
fill /var/lib/postgresql/pg_wal/000000010000000000000001 1048576
echo 'max_connections = 100' > /var/lib/postgresql/postgresql.conf
fill /var/lib/redis/dump.rdb 1048576
fill /var/lib/redis/appendonly.aof 262144
sync
facts setup`;

export const SCENARIO: ScenarioStep[] = [
  { id: 'first-look' },
  {
    id: 'restore-volume-before',
    // after the snapshot: the volume's files change (overwritten, deleted, added)
    after: `facts restore-volume-snap
fill /var/lib/postgresql/base/16384/2619 3145728
rm /var/lib/postgresql/postgresql.conf
echo junk > /var/lib/postgresql/junk
sync
facts restore-volume-damaged`,
  },
  { id: 'restore-volume', after: 'facts restore-volume' },
  {
    id: 'restore-set-before',
    after: `facts restore-set-snap
fill /var/lib/postgresql/pg_wal/000000010000000000000001 1048576
fill /var/lib/redis/dump.rdb 1048576
rm /var/lib/redis/appendonly.aof
sync
facts restore-set-damaged`,
  },
  { id: 'restore-set', after: 'facts restore-set' },
  { id: 'grow-volume', before: 'use_plan grown', after: 'facts grow-volume' },
  { id: 'add-drive', before: 'use_plan added', after: 'facts add-drive' },
  {
    id: 'add-drive-use',
    before: 'use_plan used',
    after: `fill /var/lib/kafka/trades-0/00000000000000000000.log 6291456
fill /var/lib/kafka/trades-0/00000000000000000000.index 65536
echo 'broker.id=1' > /var/lib/kafka/meta.properties
sync
facts add-drive-use`,
  },
  { id: 'move-attach', before: 'use_plan moving', after: 'facts move-attach' },
  { id: 'move-pvmove', after: 'facts move-pvmove' },
  { id: 'move-check', before: 'use_plan moved', after: 'facts move-check' },
  { id: 'replace-backup', after: 'ls /var/backups/jts-storage/vg_jts > "$OUT/replace-backup.ls"; facts replace-backup' },
  {
    id: 'replace-assess',
    // drive b fails: its NVMe controller is hot-removed from the PCI bus (the kernel drops the namespace)
    before: `sync
B=$(dev_of RB-B); echo "$B" > "$OUT/failed-drive"
ctrl=$(readlink -f "/sys/block/\${B#/dev/}/device/device")
echo 1 > "$ctrl/remove"
for i in $(seq 50); do [ -e "$B" ] || break; sleep 0.1; done
[ ! -e "$B" ]`,
  },
  { id: 'replace-remove', after: 'facts replace-remove' },
  { id: 'replace-rebuild', before: 'use_plan replaced', after: 'facts replace-rebuild' },
  {
    id: 'powercut-assess',
    // the simulated cut: an apply growing two volumes is killed by SIGKILL right after its first action,
    // in its own process (the hook kills the process it runs in), leaving its lock file behind
    before: `facts powercut-start
use_plan powercut
rc=0; JTS_STORAGE_CRASH_AFTER_ACTION=1 node "$ROOT/bin/jts-storage.js" apply --plan "$P" --yes > "$OUT/powercut-crash.out" 2>&1 || rc=$?
echo "$rc" > "$OUT/powercut-crash.rc"
facts powercut-crashed`,
  },
  { id: 'powercut-resume', after: 'facts powercut-resume' },
];
