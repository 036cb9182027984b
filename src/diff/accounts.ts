/**
 * The diff for groups and users (groupadd, useradd) and the owners the plan names but nobody
 * declares. Pure: no Runner, no clock.
 */
import type { DiffContext } from './context.js';
import { exec } from './context.js';

/** Host accounts by name and the ids of the actions that create the missing ones. */
export interface AccountsDone {
  knownUsers?: Map<string, { name: string; id: number }>;
  knownGroups?: Map<string, { name: string; id: number }>;
  groupAction: Map<string, string>;
  userAction: Map<string, string>;
}

/** groupadd / useradd for what the plan declares and the host lacks; errors for unknown owners. */
export function diffAccounts(ctx: DiffContext): AccountsDone {
  const { plan, state, st, add, find } = ctx;
  const knownUsers = st.passwd ? new Map(st.passwd.map((u) => [u.name, u])) : undefined;
  const knownGroups = st.groupEntries ? new Map(st.groupEntries.map((g) => [g.name, g])) : undefined;
  const userNames = state.users ? new Set(state.users) : knownUsers ? new Set(knownUsers.keys()) : undefined;
  const groupNames = state.groups ? new Set(state.groups) : knownGroups ? new Set(knownGroups.keys()) : undefined;
  const groupAction = new Map<string, string>();
  const userAction = new Map<string, string>();
  const wantGroups: { name: string; path: (string | number)[] }[] = [];
  plan.groups.forEach((g, i) => wantGroups.push({ name: g, path: ['groups', i] }));
  plan.users.forEach((u, i) => wantGroups.push({ name: u.group ?? u.name, path: ['users', i, u.group ? 'group' : 'name'] }));
  for (const g of wantGroups) {
    if (g.name === 'root' || groupAction.has(g.name)) continue;
    if (groupNames?.has(g.name)) continue;
    const id = `group:${g.name}:create`;
    const sys = !plan.users.some((u) => (u.group ?? u.name) === g.name && !u.system);
    add('group', { id, kind: 'create', resource: `group ${g.name}`, summary: `${sys ? 'system ' : ''}group ${g.name}`, steps: [exec(['groupadd', ...(sys ? ['--system'] : []), g.name])], dependsOn: [] });
    groupAction.set(g.name, id);
  }
  plan.users.forEach((u) => {
    if (u.name === 'root' || userNames?.has(u.name)) return;
    const group = u.group ?? u.name;
    const home = u.home ?? plan.volumes.find((v) => v.mount?.owner === u.name)?.mount?.path ?? '/nonexistent';
    const id = `user:${u.name}:create`;
    const argv = ['useradd'];
    if (u.system) argv.push('--system');
    argv.push('--no-create-home', '--shell', u.shell, '--home-dir', home, '--gid', group, u.name);
    add('user', { id, kind: 'create', resource: `user ${u.name}`, summary: `${u.system ? 'system ' : ''}user ${u.name} (group ${group}, home ${home}, shell ${u.shell})`, steps: [exec(argv)], dependsOn: groupAction.has(group) ? [groupAction.get(group)!] : [] });
    userAction.set(u.name, id);
  });
  // Owners the plan uses but neither declares nor finds on the host.
  plan.volumes.forEach((v, vi) => {
    if (!v.mount) return;
    if (userNames && v.mount.owner !== 'root' && !userNames.has(v.mount.owner) && !userAction.has(v.mount.owner)) {
      find('DIFF-UNKNOWN-OWNER', 'error', `owner ${v.mount.owner} of ${v.mount.path} is not a user on the host and not in the plan's users`, ['volumes', vi, 'mount', 'owner']);
    }
    if (groupNames && v.mount.group !== 'root' && !groupNames.has(v.mount.group) && !groupAction.has(v.mount.group)) {
      find('DIFF-UNKNOWN-GROUP', 'error', `group ${v.mount.group} of ${v.mount.path} is not a group on the host and not in the plan's users or groups`, ['volumes', vi, 'mount', 'group']);
    }
  });
  return { knownUsers, knownGroups, groupAction, userAction };
}
