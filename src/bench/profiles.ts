import type { FigureKey } from './figures.js';
import type { Workload } from '../model/plan-schema.js';

/**
 * Benchmark profiles as data: each is one fio job with the reason it exists and the figures it
 * reports. They replace spec 1001's `performance-test.sh` and spec 1015's `performance-benchmark.sh`
 * (dd + one fio line grepped from text) with one job per access pattern the databases really make.
 *
 * Every profile runs on a region that was written fully first (see benchmark-method.md): appends
 * here overwrite a preconditioned region rather than growing a file, so the figure is the steady
 * state; the cost of first writes is measured once per target, as its own figure.
 */
/** The fio job options of a profile (host/fio.ts owns the fio vocabulary). */
export type { FioJob } from '../host/fio.js';
import type { FioJob } from '../host/fio.js';

export interface Profile {
  name: string;
  title: string;
  /** The database this models; 'baseline' for the plain drive tests. */
  workload: Workload | 'baseline';
  /** Why the profile exists and what it stands for. */
  reason: string;
  fio: FioJob;
  /** Largest region the profile uses (bytes), when the workload's own file is smaller than the test size. */
  regionBytes?: number;
  /** The figures reported for this profile (keys of FIGURES; each names its fio JSON field). */
  reports: FigureKey[];
  /** The headline figures: ratios to raw and the layout comparison use these. */
  primary: FigureKey[];
  /** Claims checked on the result. */
  checks?: { figure: FigureKey; max?: number; min?: number; why: string }[];
  /** An outside tool whose figure this one can be compared with. */
  compareWith?: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const LAT = (d: 'read' | 'write'): FigureKey[] => [`${d}.iops`, `${d}.bw_bytes`, `${d}.clat_p50_us`, `${d}.clat_p99_us`, `${d}.clat_p999_us`];
const SYNC: FigureKey[] = ['sync.count', 'sync.lat_p50_us', 'sync.lat_p99_us', 'sync.lat_p999_us'];
const CPU: FigureKey[] = ['cpu.usr_pct', 'cpu.sys_pct'];

export const PROFILES: readonly Profile[] = [
  {
    name: 'seq1m-read',
    title: 'Sequential 1 MiB read',
    workload: 'baseline',
    reason: 'Baseline throughput of the path (what the specs measured with dd): backups, restores, full scans.',
    fio: { rw: 'read', bs: MiB, ioengine: 'libaio', iodepth: 8, direct: true },
    reports: [...LAT('read'), ...CPU],
    primary: ['read.bw_bytes'],
  },
  {
    name: 'seq1m-write',
    title: 'Sequential 1 MiB write',
    workload: 'baseline',
    reason: 'Baseline write throughput: bulk loads, restores, compaction output.',
    fio: { rw: 'write', bs: MiB, ioengine: 'libaio', iodepth: 8, direct: true },
    reports: [...LAT('write'), ...CPU],
    primary: ['write.bw_bytes'],
  },
  {
    name: 'rand4k-qd1-read',
    title: 'Random 4 KiB read, queue depth 1',
    workload: 'baseline',
    reason:
      'One request at a time shows the latency of the whole path (filesystem, LVM, driver, drive). ' +
      "Spec 1015 claims sub-millisecond response times: checked here at p99, not on the average.",
    fio: { rw: 'randread', bs: 4 * KiB, ioengine: 'libaio', iodepth: 1, direct: true },
    reports: [...LAT('read'), ...CPU],
    primary: ['read.iops', 'read.clat_p99_us'],
    checks: [{ figure: 'read.clat_p99_us', max: 1000, why: 'spec 1015: sub-millisecond response times (checked at p99)' }],
  },
  {
    name: 'rand4k-qd1-write',
    title: 'Random 4 KiB write, queue depth 1',
    workload: 'baseline',
    reason: 'Write latency of the path one request at a time (into the drive cache: no flush per write).',
    fio: { rw: 'randwrite', bs: 4 * KiB, ioengine: 'libaio', iodepth: 1, direct: true },
    reports: [...LAT('write'), ...CPU],
    primary: ['write.iops', 'write.clat_p99_us'],
    checks: [{ figure: 'write.clat_p99_us', max: 1000, why: 'spec 1015: sub-millisecond response times (checked at p99)' }],
  },
  {
    name: 'pg-oltp',
    title: 'PostgreSQL OLTP: 8 KiB random 70 % read / 30 % write',
    workload: 'postgresql',
    reason:
      'PostgreSQL reads and writes whole 8 KiB pages; an OLTP mix is mostly index and heap reads with ' +
      'background writer and checkpoint writes. Several backends at once give a queue of 8.',
    fio: { rw: 'randrw', rwmixread: 70, bs: 8 * KiB, ioengine: 'libaio', iodepth: 8, direct: true },
    reports: [...LAT('read'), ...LAT('write'), ...CPU],
    primary: ['read.iops', 'write.iops', 'read.clat_p99_us'],
  },
  {
    name: 'pg-wal',
    title: 'PostgreSQL WAL: 8 KiB sequential write + fdatasync each',
    workload: 'postgresql',
    reason:
      'Every commit waits for its WAL write to be durable: write(2) of 8 KiB then fdatasync, one at a time, ' +
      'in a preallocated 16 MiB segment (wal_sync_method=fdatasync, the Linux default). Commit latency is the sync latency.',
    fio: { rw: 'write', bs: 8 * KiB, ioengine: 'sync', iodepth: 1, direct: false, fdatasync: 1 },
    regionBytes: 16 * MiB,
    reports: [...LAT('write'), ...SYNC, ...CPU],
    primary: ['write.iops', 'sync.lat_p99_us'],
    compareWith:
      "pg_test_fsync's \"fdatasync\" line (ops/sec, 8 kB writes): compare with write.iops here; run it with -f on the same volume",
  },
  {
    name: 'kafka-append',
    title: 'Kafka append: 1 MiB sequential buffered writes',
    workload: 'kafka',
    reason:
      'Kafka appends to segment files through the page cache and leaves flushing to the kernel ' +
      '(no fsync per message); the job fsyncs once at its end so the data is on the drive before the next one.',
    fio: { rw: 'write', bs: MiB, ioengine: 'psync', iodepth: 1, direct: false, endFsync: true },
    reports: [...LAT('write'), ...CPU],
    primary: ['write.bw_bytes'],
  },
  {
    name: 'kafka-catchup',
    title: 'Kafka catch-up: 1 MiB sequential reads of old segments',
    workload: 'kafka',
    reason:
      'A consumer that fell behind reads old segments that are no longer in the page cache: sequential ' +
      'reads from the drive with a readahead-like queue of 4 (direct, so the cache cannot answer).',
    fio: { rw: 'read', bs: MiB, ioengine: 'libaio', iodepth: 4, direct: true },
    reports: [...LAT('read'), ...CPU],
    primary: ['read.bw_bytes'],
  },
  {
    name: 'clickhouse-scan',
    title: 'ClickHouse scan: 1 MiB reads, deep queue',
    workload: 'clickhouse',
    reason:
      'ClickHouse reads many column files at once in large blocks: from the drive, that is 1 MiB reads at ' +
      'scattered offsets with a deep queue (32).',
    fio: { rw: 'randread', bs: MiB, ioengine: 'libaio', iodepth: 32, direct: true },
    reports: [...LAT('read'), ...CPU],
    primary: ['read.bw_bytes'],
  },
  {
    name: 'mongodb-wt',
    title: 'MongoDB WiredTiger: 16 KiB random 60 % read / 40 % write',
    workload: 'mongodb',
    reason:
      'WiredTiger reads and writes variable-size blocks (leaf pages up to 32 KiB, typically compressed to ' +
      'about 16 KiB); checkpoints write in bursts alongside reads.',
    fio: { rw: 'randrw', rwmixread: 60, bs: 16 * KiB, ioengine: 'libaio', iodepth: 8, direct: true },
    reports: [...LAT('read'), ...LAT('write'), ...CPU],
    primary: ['read.iops', 'write.iops'],
  },
  {
    name: 'mongodb-journal',
    title: 'MongoDB journal: 4 KiB sequential writes + fdatasync each',
    workload: 'mongodb',
    reason:
      'With j:true each write waits for a journal sync; WiredTiger journal files are preallocated (100 MiB) ' +
      'and written sequentially in small records.',
    fio: { rw: 'write', bs: 4 * KiB, ioengine: 'sync', iodepth: 1, direct: false, fdatasync: 1 },
    regionBytes: 100 * MiB,
    reports: [...LAT('write'), ...SYNC, ...CPU],
    primary: ['write.iops', 'sync.lat_p99_us'],
  },
  {
    name: 'redis-aof-always',
    title: 'Redis AOF appendfsync always: 1 KiB appends + fdatasync each',
    workload: 'redis',
    reason:
      'appendfsync always: every write command is appended to the AOF and fdatasync-ed before the reply ' +
      '(Redis uses fdatasync on Linux). The sync latency is added to every command.',
    fio: { rw: 'write', bs: KiB, ioengine: 'sync', iodepth: 1, direct: false, fdatasync: 1 },
    regionBytes: 64 * MiB,
    reports: [...LAT('write'), ...SYNC, ...CPU],
    primary: ['write.iops', 'sync.lat_p99_us'],
  },
  {
    name: 'redis-aof-everysec',
    title: 'Redis AOF appendfsync everysec: 1 KiB appends, fdatasync once per second',
    workload: 'redis',
    reason:
      'appendfsync everysec (the default): appends go to the page cache and a background thread fdatasyncs ' +
      'once a second. Modelled as 1000 appends/s with one fdatasync per 1000: the sync latency is what a ' +
      'second of appends costs to make durable.',
    fio: { rw: 'write', bs: KiB, ioengine: 'sync', iodepth: 1, direct: false, fdatasync: 1000, rateIops: 1000 },
    regionBytes: 64 * MiB,
    reports: [...LAT('write'), ...SYNC, ...CPU],
    primary: ['sync.lat_p99_us'],
  },
];

/** Names that stand for several profiles (`--profile postgresql`). */
export const PROFILE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  baseline: ['seq1m-read', 'seq1m-write', 'rand4k-qd1-read', 'rand4k-qd1-write'],
  seq1m: ['seq1m-read', 'seq1m-write'],
  'rand4k-qd1': ['rand4k-qd1-read', 'rand4k-qd1-write'],
  postgresql: ['pg-oltp', 'pg-wal'],
  kafka: ['kafka-append', 'kafka-catchup'],
  clickhouse: ['clickhouse-scan'],
  mongodb: ['mongodb-wt', 'mongodb-journal'],
  redis: ['redis-aof-always', 'redis-aof-everysec'],
  all: PROFILES.map((p) => p.name),
};

export function getProfile(name: string): Profile | undefined {
  return PROFILES.find((p) => p.name === name);
}

/** Expand names and group names to profiles, in the canonical order, each once. Unknown names throw. */
export function resolveProfiles(names: readonly string[]): Profile[] {
  const wanted = new Set<string>();
  for (const n of names) {
    const group = PROFILE_GROUPS[n];
    if (group) group.forEach((g) => wanted.add(g));
    else if (getProfile(n)) wanted.add(n);
    else {
      const known = [...PROFILES.map((p) => p.name), ...Object.keys(PROFILE_GROUPS)];
      throw new Error(`unknown profile "${n}" (known: ${known.join(', ')})`);
    }
  }
  return PROFILES.filter((p) => wanted.has(p.name));
}

/**
 * The profiles run on a volume when none are named: the baseline, plus the volume's own workload.
 * Volumes without a database workload (system, backup, generic, network mounts) get the baseline.
 */
export function defaultProfilesFor(workload: string | undefined): Profile[] {
  const names = [...PROFILE_GROUPS.baseline!];
  if (workload && PROFILE_GROUPS[workload] && workload !== 'all') names.push(...PROFILE_GROUPS[workload]!);
  return resolveProfiles(names);
}

/** The region (bytes) a profile uses inside a target's preconditioned region of `sizeBytes`. */
export function profileRegion(p: Profile, sizeBytes: number): number {
  return p.regionBytes !== undefined ? Math.min(p.regionBytes, sizeBytes) : sizeBytes;
}
