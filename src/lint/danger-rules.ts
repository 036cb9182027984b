/**
 * Dangerous but legal settings (issue 13 kind 8): warnings naming the field, never refusals.
 *   - JTS-DANGER-MODE: a volume's mount mode that is world-writable, or has setuid, setgid or sticky bits;
 *   - JTS-DANGER-DB-ROOT: a database volume (postgresql, clickhouse, kafka, mongodb, redis) owned by root (uid 0);
 *   - JTS-DANGER-BASE-ACCOUNT: `users:` naming, or a database volume owned by, a base system account (root,
 *     daemon, bin, nobody…, or any host account with uid < 1000) that is not one of the service accounts the
 *     distributions' database packages create (DB_SERVICE_ACCOUNTS, docs/decisions.md "base accounts");
 *   - JTS-DANGER-RETENTION: a snapshot policy that keeps more snapshots than LVM handles well (classic: every
 *     write to the origin is copied once per snapshot; thin: pool metadata per snapshot).
 */
import type { Workload } from '../model/plan-schema.js';
import { BASE_USERS } from './account-rules.js';
import type { LintContext } from './context.js';

/** Workloads whose data directory belongs to a database server running as its own account. */
export const DATABASE_WORKLOADS: readonly Workload[] = ['postgresql', 'clickhouse', 'kafka', 'mongodb', 'redis'];
/**
 * The accounts the database packages create (Debian/Ubuntu postgresql-common "postgres", clickhouse-server
 * "clickhouse", mongodb-org "mongodb", redis-server "redis", Confluent/Apache packages "kafka"; RHEL's
 * "mongod"): they have uid < 1000 (useradd --system) and are the intended owners.
 */
export const DB_SERVICE_ACCOUNTS = ['postgres', 'clickhouse', 'kafka', 'mongodb', 'mongod', 'redis', 'mysql', 'cp-kafka', 'zookeeper'] as const;
/** Classic snapshots of one origin above which writes slow down markedly (each write copied to every COW). */
export const CLASSIC_SNAPSHOTS_MAX = 32;
/** Thin snapshots of one origin above which pool metadata and lvs/activation costs grow markedly. */
export const THIN_SNAPSHOTS_MAX = 1000;
/** System accounts are below this uid (login.defs(5) UID_MIN, Debian and RHEL default 1000). */
export const UID_MIN = 1000;

function isBaseAccount(ctx: LintContext, name: string): boolean {
  if ((DB_SERVICE_ACCOUNTS as readonly string[]).includes(name)) return false;
  if (name === 'root' || BASE_USERS.includes(name)) return true;
  const host = ctx.state.passwd?.find((u) => u.name === name);
  return host !== undefined && host.id < UID_MIN;
}

/** All dangerous-but-legal warnings of the plan. */
export function lintDanger(ctx: LintContext): void {
  const { plan, emit } = ctx;
  plan.volumes.forEach((v, i) => {
    const m = v.mount;
    if (m && v.filesystem.type !== 'swap' && v.filesystem.type !== 'none') {
      const mode = parseInt(m.mode, 8);
      const bits: string[] = [];
      if (mode & 0o002) bits.push('world-writable (o+w)');
      if (mode & 0o4000) bits.push('setuid');
      if (mode & 0o2000) bits.push('setgid');
      if (mode & 0o1000) bits.push('sticky');
      if (bits.length) emit('JTS-DANGER-MODE', ['volumes', i, 'mount', 'mode'], `${m.path} of ${v.name} gets mode ${m.mode}: ${bits.join(', ')}`);
      if (DATABASE_WORKLOADS.includes(v.workload)) {
        if (m.owner === 'root' || m.owner === '0')
          emit('JTS-DANGER-DB-ROOT', ['volumes', i, 'mount', 'owner'], `${m.path} (${v.workload}) is owned by root: the database server runs as its own account and cannot write there, or is made to run as root`);
        else if (isBaseAccount(ctx, m.owner))
          emit('JTS-DANGER-BASE-ACCOUNT', ['volumes', i, 'mount', 'owner'], `${m.path} (${v.workload}) is owned by "${m.owner}", a base system account: every service running as ${m.owner} can read and change the database's files`);
      }
    }
    const s = v.snapshot;
    if (s) {
      const r = s.retention;
      const kept = r.keepLast + r.hourly + r.daily + r.weekly + r.monthly;
      const max = s.type === 'thin' ? THIN_SNAPSHOTS_MAX : CLASSIC_SNAPSHOTS_MAX;
      if (kept > max)
        emit(
          'JTS-DANGER-RETENTION',
          ['volumes', i, 'snapshot', 'retention'],
          `${v.name} keeps up to ${kept} ${s.type} snapshots (keepLast ${r.keepLast} + hourly ${r.hourly} + daily ${r.daily} + weekly ${r.weekly} + monthly ${r.monthly}); more than ${max}`,
        );
    }
  });
  plan.users.forEach((u, i) => {
    if (isBaseAccount(ctx, u.name))
      emit('JTS-DANGER-BASE-ACCOUNT', ['users', i, 'name'], `users: declares "${u.name}", a base system account${u.name === 'root' ? '' : ` (uid < ${UID_MIN})`}: the plan would take over an account the system and other services use`);
  });
}
