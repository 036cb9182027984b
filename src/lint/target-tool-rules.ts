/**
 * Target-tool rules that depend on the host or the layout (the field grammars in model/grammars.ts and
 * model/names.ts refuse what is wrong in itself): what lvm2 and useradd would refuse mid-apply.
 *   - JTS-LVM-EXTENT-LIMIT: a PV with more extents than lvm2 counts (MAX_EXTENT_COUNT = UINT32_MAX,
 *     lvm2 lib/metadata/metadata-exported.h), or an extent size above MAX_EXTENT_SIZE = (uint32_t)-1 sectors
 *     (same file; vgcreate(8) -s: "a power of 2 of at least 1 sector … or at least 128KiB");
 *   - JTS-USER-SHELL: a user's shell that is missing on the host, a directory, or not executable (useradd(8) -s
 *     "the path to the user's login shell"; shadow-utils 4.14+ refuses a shell that does not exist);
 *   - JTS-USER-EXISTS: a user the plan declares that exists on the host with another shell (useradd is
 *     skipped for an existing name: the plan's shell and home would silently not apply);
 *   - JTS-NETMOUNT-CREDENTIALS-MODE: a CIFS credentials file that other users can read, or that root does not own
 *     (mount.cifs(8) "credentials=": the file holds the password in clear text and "should be properly protected").
 */
import type { LintContext } from './context.js';

export const LVM_MAX_EXTENT_COUNT = 2 ** 32 - 1;
export const LVM_MAX_EXTENT_SIZE_BYTES = (2 ** 32 - 1) * 512;

export function lintTargetTools(ctx: LintContext): void {
  const { plan, state, layout, emit } = ctx;
  plan.volumeGroups.forEach((vg, g) => {
    const l = layout.vgs.find((x) => x.name === vg.name);
    if (!l) return;
    if (l.extentSizeBytes > LVM_MAX_EXTENT_SIZE_BYTES)
      emit('JTS-LVM-EXTENT-LIMIT', ['volumeGroups', g, 'extentSize'], `extent size ${vg.extentSize} is above lvm2's maximum of 2^32-1 sectors (about 2 TiB): vgcreate refuses it`);
    for (const pv of l.pvs)
      if (pv.extents > LVM_MAX_EXTENT_COUNT)
        emit('JTS-LVM-EXTENT-LIMIT', ['volumeGroups', g, 'extentSize'], `${pv.path} would hold ${pv.extents} extents of ${vg.extentSize}, more than lvm2 counts (${LVM_MAX_EXTENT_COUNT}): vgcreate fails after pvcreate ran; use a larger extent size`);
  });
  const paths = state.paths;
  plan.users.forEach((u, i) => {
    const host = state.passwd?.find((x) => x.name === u.name);
    if (host && host.shell !== undefined && host.shell !== u.shell && u.name !== 'root')
      emit('JTS-USER-EXISTS', ['users', i, 'shell'], `user ${u.name} exists on the host (uid ${host.id}) with shell ${host.shell || '(none)'}; apply does not run useradd for an existing user, so the plan's shell ${u.shell} is not applied`);
    if (!paths || host) return;
    const st = paths[u.shell];
    if (!st) emit('JTS-USER-SHELL', ['users', i, 'shell'], `shell ${u.shell} of user ${u.name} does not exist on this host`);
    else if (st.isDirectory || (st.mode & 0o111) === 0) emit('JTS-USER-SHELL', ['users', i, 'shell'], `shell ${u.shell} of user ${u.name} is ${st.isDirectory ? 'a directory' : `not executable (mode ${st.mode.toString(8).padStart(4, '0')})`}`);
  });
  if (paths)
    plan.networkMounts.forEach((n, i) => {
      if (!n.credentials) return;
      const st = paths[n.credentials];
      const at = ['networkMounts', i, 'credentials'];
      if (!st) {
        emit('JTS-NETMOUNT-CREDENTIALS-MODE', at, `credentials file ${n.credentials} of ${n.path} does not exist on this host: mount.cifs will fail`, { severity: 'warning' });
        return;
      }
      const mode = st.mode.toString(8).padStart(4, '0');
      if (st.uid !== 0) emit('JTS-NETMOUNT-CREDENTIALS-MODE', at, `credentials file ${n.credentials} of ${n.path} is owned by uid ${st.uid}, not root: its owner can read the password and change what is mounted; chown root:root it`);
      else if (st.mode & 0o004) emit('JTS-NETMOUNT-CREDENTIALS-MODE', at, `credentials file ${n.credentials} of ${n.path} has mode ${mode}: every local user can read the password; chmod 0600 it`);
      else if (st.mode & 0o040) emit('JTS-NETMOUNT-CREDENTIALS-MODE', at, `credentials file ${n.credentials} of ${n.path} has mode ${mode}: its group can read the password; chmod 0600 it`, { severity: 'warning' });
      else if (st.mode & 0o022) emit('JTS-NETMOUNT-CREDENTIALS-MODE', at, `credentials file ${n.credentials} of ${n.path} has mode ${mode}: others can change it`);
    });
}
