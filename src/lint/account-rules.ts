/**
 * Owner and group rules of a volume's mount point: the owner/group named must be declared in the plan's
 * users/groups or exist on the host (or in a base system when the host's lists are unknown).
 */
import type { Volume } from '../model/plan-schema.js';
import type { LintContext } from './context.js';

/** Users and groups a Debian/Ubuntu base system has (when the host's own lists are unknown). */
export const BASE_USERS = ['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup', 'list', 'irc', 'nobody', '_apt', 'systemd-network'];
export const BASE_GROUPS = [...BASE_USERS, 'adm', 'disk', 'staff', 'users', 'nogroup', 'tty', 'kmem', 'operator', 'shadow', 'utmp', 'video', 'plugdev', 'netdev'];

/** JTS-OWNER-UNDECLARED for volume i's mount owner and group. */
export function lintOwner(ctx: LintContext, v: Volume, i: number): void {
  const { plan, state, emit } = ctx;
  const m = v.mount;
  if (!m) return;
  const P = (...rest: (string | number)[]) => ['volumes', i, ...rest];
  const knownUsers = new Set([...plan.users.map((u) => u.name), ...(state.users ?? BASE_USERS)]);
  const knownGroups = new Set([...plan.groups, ...plan.users.map((u) => u.group ?? u.name), ...(state.groups ?? BASE_GROUPS)]);
  if (!/^[0-9]+$/.test(m.owner) && !knownUsers.has(m.owner))
    emit('JTS-OWNER-UNDECLARED', P('mount', 'owner'), `owner "${m.owner}" of ${m.path} is not in users: ${state.users ? 'nor on the host' : 'nor a base system user'}`);
  if (!/^[0-9]+$/.test(m.group) && !knownGroups.has(m.group))
    emit('JTS-OWNER-UNDECLARED', P('mount', 'group'), `group "${m.group}" of ${m.path} is not in groups:/users: ${state.groups ? 'nor on the host' : 'nor a base system group'}`);
}
