/**
 * The rules about the host's accounts, modes and drives that a target tool would refuse mid-apply or that
 * are legal but dangerous (dangerous-but-legal warnings, LVM extent limits, useradd shells, credentials
 * files, ambiguous or system drives). Kept apart from rules.ts (mount and mkfs facts) and spread into
 * RULES there in this place, so docs/lint-rules.md lists them in the same order.
 */
/** Same shape as rules.ts's RuleInfo (not imported: rules.ts imports this file). */
export const HOST_RULES: { id: string; severity: 'error' | 'warning' | 'info'; title: string; fact: string; source: string; seed?: string }[] = [
  {
    id: 'JTS-DANGER-MODE',
    severity: 'warning',
    title: 'Data directory mode is world-writable, setuid, setgid or sticky',
    fact: 'A world-writable data directory lets every local account create, replace or (without the sticky bit) delete the files of the service; setuid/setgid/sticky on a data directory are not what a database expects (setgid makes new files inherit the group, sticky restricts deletion to owners). Legal, so a warning.',
    source: 'chmod(1) "SETUID AND SETGID BITS", "RESTRICTED DELETION FLAG OR STICKY BIT"; inode(7)',
  },
  {
    id: 'JTS-DANGER-DB-ROOT',
    severity: 'warning',
    title: 'Database directory owned by root',
    fact: 'PostgreSQL, ClickHouse, Kafka, MongoDB and Redis run as their own service account and refuse to run as root (PostgreSQL: "root execution of the PostgreSQL server is not permitted"); a root-owned data directory either stops the server or pushes someone to run it as root.',
    source: 'PostgreSQL docs 19.1 "The PostgreSQL User Account"; Debian postgresql-common, redis-server, clickhouse-server packages (service accounts)',
  },
  {
    id: 'JTS-DANGER-BASE-ACCOUNT',
    severity: 'warning',
    title: 'A base system account in users: or owning a database directory',
    fact: 'Accounts below UID_MIN (root, daemon, bin, nobody…, login.defs(5) UID_MIN 1000) belong to the system and are shared by many services; declaring one in users: or giving it a database directory shares the data with all of them. The service accounts the database packages create (postgres, clickhouse, kafka, mongodb/mongod, redis, mysql) are the intended owners and are not flagged (docs/decisions.md "Base accounts").',
    source: 'login.defs(5) UID_MIN, SYS_UID_MAX; base-passwd README (Debian static ids); useradd(8) --system',
  },
  {
    id: 'JTS-DANGER-RETENTION',
    severity: 'warning',
    title: 'Snapshot retention keeps very many snapshots',
    fact: 'Every write to the origin of a classic snapshot is copied into each snapshot\'s COW area, so write cost grows with the number kept (the snapshot VM test measured 15–20 MiB/s first writes against 204–311 MiB/s); each thin snapshot adds pool metadata. Above 32 classic or 1000 thin snapshots per volume the policy is flagged; the copy-on-write space itself is JTS-SNAPSHOT-RESERVE.',
    source: 'lvmthin(7) "Thin snapshots"; lvcreate(8) --snapshot; docs/decisions.md "Base accounts, retention limits"',
  },
  {
    id: 'JTS-LVM-EXTENT-LIMIT',
    severity: 'error',
    title: 'Extent size or extent count beyond lvm2',
    fact: 'lvm2 counts extents in 32 bits (MAX_EXTENT_COUNT = UINT32_MAX) and the extent size in 32-bit sectors (MAX_EXTENT_SIZE = 2^32-1 sectors); a PV with more extents, or a larger extent size, is refused by vgcreate after pvcreate ran. No override: it is a fact of lvm2.',
    source: 'lvm2 lib/metadata/metadata-exported.h (MAX_EXTENT_COUNT, MAX_EXTENT_SIZE); vgcreate(8) --physicalextentsize',
  },
  {
    id: 'JTS-USER-SHELL',
    severity: 'error',
    title: "A user's shell is missing or not executable on the host",
    fact: 'useradd -s writes the path into passwd(5) as given; a missing or non-executable shell makes every login and `su -` of the account fail, and shadow-utils 4.14+ useradd refuses it outright ("invalid shell").',
    source: 'useradd(8) -s/--shell; passwd(5); shells(5)',
  },
  {
    id: 'JTS-USER-EXISTS',
    severity: 'warning',
    title: 'A declared user exists on the host with other settings',
    fact: 'apply creates only missing accounts (useradd refuses an existing name: "user already exists", exit 9); an existing account keeps its own shell and home, so the plan\'s differ from what the host has.',
    source: 'useradd(8) EXIT VALUES 9; passwd(5)',
  },
  {
    id: 'JTS-NETMOUNT-CREDENTIALS-MODE',
    severity: 'error',
    title: 'CIFS credentials file readable by others or not owned by root',
    fact: 'The credentials= file holds the share password in clear text; mount.cifs(8) says it should be properly protected. Readable by other users (o+r) or owned by another account than root exposes or lets others replace the password; group-readable is a warning; a missing file makes the mount fail.',
    source: 'mount.cifs(8) "credentials=filename"; chmod(1)',
  },
  {
    id: 'JTS-DRIVE-AMBIGUOUS',
    severity: 'error',
    title: 'A drive identity matches several devices',
    fact: "An NVMe controller's serial (and the legacy by-id link nvme-<model>_<serial>) is shared by all of its namespaces, and a WWN or serial can repeat on cheap or virtual drives. A plan drive must name exactly one device, else pvcreate may hit the wrong namespace; the error lists the candidates and their namespace-specific links (nvme-eui.*, nvme-<model>_<serial>_<nsid>, wwn-*). No override.",
    source: 'NVM Express Base Specification (controller serial number vs namespace EUI64/NGUID); systemd rules.d/60-persistent-storage.rules; nvme(1) list',
  },
  {
    id: 'JTS-DRIVE-ROOT',
    severity: 'error',
    title: 'Drive holds the running system',
    fact: 'A drive carrying / or /boot (or /usr, /var, swap, or a physical volume of the volume group that holds them) is the system disk: it never becomes a data PV, and no command-line option makes it one (no destroy hint is offered for it).',
    source: 'lsblk(8) MOUNTPOINTS; pvs(8) vg_name',
  },
  {
    id: 'JTS-DRIVE-KIND',
    severity: 'warning',
    title: 'Drive kind or tier differs from what the plan says',
    fact: 'The plan declares a drive class (NVMe, SATA SSD, HDD) and tier; the I/O scheduler and read-ahead policies follow it.',
    source: 'lsblk -J (ROTA, TRAN); Documentation/block/queue-sysfs.rst',
  },
];
