/**
 * The database figures ÷ what the matching fio profile predicts, on the same volume in the same run.
 *
 * "Predicts" means: the fio profile does the disk work the database does for one unit of its own work,
 * one at a time, so the profile's IOPS is the rate the storage alone would allow the database:
 * - pg_test_fsync "one 8kB write" fdatasync ops/s ÷ fio `pg-wal` write IOPS: the same pattern (8 KiB
 *   write + fdatasync, one at a time, buffered); 1.0 = the fio profile is PostgreSQL's own sync test.
 * - pgbench read-write TPS ÷ fio `pg-wal` write IOPS: with synchronous_commit=on each transaction waits
 *   for one WAL flush (one client: no group commit), so the WAL profile's IOPS is the TPS ceiling the
 *   storage sets; the ratio is the share of that ceiling reached (the rest is CPU, locks, the other I/O).
 * - redis-benchmark SET rps under appendfsync always ÷ fio `redis-aof-always` write IOPS: each SET of one
 *   client is appended and fdatasync-ed before the reply (1 KiB append + fdatasync in the profile).
 * Select-only and GET have no disk prediction (they are served from memory) and get no ratio; everysec
 * gets one against `always` on the same volume (what the per-command fsync costs Redis).
 */
import type { BenchResults } from './results.js';
import type { DatabaseResults, DbTest } from './database.js';

export interface DbRatio {
  target: string;
  /** The database test, e.g. "pgbench-rw". */
  database: DbTest;
  /** What it is divided by: a fio profile and figure, or another database test. */
  predictedBy: { profile: string; figure: 'write.iops' | 'db.ops' };
  databaseMedian: number;
  predictedMedian: number;
  /** databaseMedian ÷ predictedMedian (both throughputs: > 1 = faster than predicted). */
  ratio: number;
  meaning: string;
}

const PAIRS: { database: DbTest; profile: string; figure: 'write.iops' | 'db.ops'; meaning: string }[] = [
  { database: 'pg_test_fsync', profile: 'pg-wal', figure: 'write.iops', meaning: 'pg_test_fsync fdatasync ops/s ÷ fio pg-wal IOPS (same 8 KiB write + fdatasync)' },
  { database: 'pgbench-rw', profile: 'pg-wal', figure: 'write.iops', meaning: 'pgbench read-write TPS ÷ fio pg-wal IOPS (one WAL flush per commit)' },
  { database: 'redis-set-always', profile: 'redis-aof-always', figure: 'write.iops', meaning: 'SET rps (appendfsync always) ÷ fio redis-aof-always IOPS (one fdatasync per SET)' },
  { database: 'redis-set-everysec', profile: 'redis-set-always', figure: 'db.ops', meaning: 'SET rps everysec ÷ always (what fsync per command costs)' },
];

/** The ratios of the run (needs the fio profiles of PAIRS on the same targets: `bench --database` adds them). */
export function computeDbRatios(fio: Pick<BenchResults, 'results'>, db: Pick<DatabaseResults, 'results'>): DbRatio[] {
  const out: DbRatio[] = [];
  for (const d of db.results) {
    for (const p of PAIRS.filter((x) => x.database === d.profile)) {
      const num = d.summary['db.ops']?.median;
      const den =
        p.figure === 'db.ops'
          ? db.results.find((x) => x.target === d.target && x.profile === p.profile)?.summary['db.ops']?.median
          : fio.results.find((x) => x.target === d.target && x.profile === p.profile)?.summary[p.figure]?.median;
      if (num === undefined || den === undefined || !(den > 0)) continue;
      out.push({ target: d.target, database: d.profile, predictedBy: { profile: p.profile, figure: p.figure }, databaseMedian: num, predictedMedian: den, ratio: num / den, meaning: p.meaning });
    }
  }
  return out;
}

/** The fio profiles the ratios need on a volume of this workload (added to its run by `bench --database`). */
export function fioProfilesForDatabase(workload: string | undefined): string[] {
  if (workload === 'postgresql') return ['pg-wal'];
  if (workload === 'redis') return ['redis-aof-always'];
  return [];
}
