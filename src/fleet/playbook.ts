/**
 * The exported playbook: one play, the same for every host, that loops over the host's `jts_storage_*`
 * variables (./ansible-vars.ts) with the standard modules (community.general 6.6 / ansible.posix 1.5 as
 * shipped by Debian bookworm's `ansible` 7.7 = ansible-core 2.14). Every value is the host's; the
 * playbook holds none.
 *
 * Safety as in apply: the facts are read and each drive checked (an assert) before any change; no task can
 * destroy: lvg/lvol/filesystem run with force: false, lvol with shrink: false, filesystem never
 * reformats a device that carries a filesystem (it fails instead), and directories are made only where
 * missing. Check mode with --diff shows what would change, as `plan` does.
 */
import { stringify } from 'yaml';

type Task = Record<string, unknown>;

const readOnly = { changed_when: false, check_mode: false };


/** The assert on the facts: every drive is blank, or a PV of the VG the plan puts it in. */
function checkTasks(): Task[] {
  return [
    {
      name: 'See whether systemd runs here (sd_booted(3): /run/systemd/system exists), as apply does',
      'ansible.builtin.stat': { path: '/run/systemd/system', get_checksum: false },
      register: 'jts_storage_systemd',
      ...readOnly,
    },
    {
      name: 'See whether udevd runs here (/run/udev/control exists)',
      'ansible.builtin.stat': { path: '/run/udev/control', get_checksum: false },
      register: 'jts_storage_udevd',
      ...readOnly,
    },
    {
      name: 'Read the signatures on each drive (wipefs --no-act, read-only)',
      'ansible.builtin.command': { argv: ['wipefs', '--no-act', '--json', '{{ item.device }}'] },
      environment: { LC_ALL: 'C' },
      loop: '{{ jts_storage_drives }}',
      loop_control: { label: '{{ item.id }} {{ item.device }}' },
      register: 'jts_storage_signatures',
      failed_when: false,
      ...readOnly,
    },
    {
      name: 'Read the volume group of each drive that is an LVM PV (pvs, read-only)',
      'ansible.builtin.command': { argv: ['pvs', '--reportformat', 'json', '--options', 'pv_name,vg_name', '{{ item.device }}'] },
      environment: { LC_ALL: 'C' },
      loop: '{{ jts_storage_drives }}',
      loop_control: { label: '{{ item.id }} {{ item.device }}' },
      register: 'jts_storage_pvs',
      failed_when: false,
      ...readOnly,
    },
    {
      name: 'Refuse a drive that is missing, carries a foreign signature, or is a PV of another VG (before any change)',
      'ansible.builtin.assert': {
        that: [
          'jts_sig.rc == 0',
          'jts_foreign | length == 0',
          "'LVM2_member' not in jts_types or jts_pv_vg == item.vg",
        ],
        fail_msg:
          "drive {{ item.id }} ({{ item.device }}): {{ 'cannot be read: ' ~ jts_sig.stderr if jts_sig.rc != 0 else ('not blank: signature ' ~ (jts_foreign | join(', ')) if jts_foreign | length else 'PV of volume group ' ~ jts_pv_vg ~ ', not ' ~ item.vg) }}; nothing was changed on this host",
        success_msg: 'drive {{ item.id }} ({{ item.device }}) is blank or a PV of {{ item.vg }}',
        quiet: true,
      },
      loop: '{{ jts_storage_drives }}',
      loop_control: { index_var: 'jts_i', label: '{{ item.id }} {{ item.device }}' },
      vars: {
        jts_sig: '{{ jts_storage_signatures.results[jts_i] }}',
        jts_types: "{{ ((jts_sig.stdout | from_json).signatures | default([]) | map(attribute='type') | list) if (jts_sig.stdout | default('') | length > 0) else [] }}",
        jts_foreign: "{{ jts_types | reject('equalto', 'LVM2_member') | list }}",
        jts_pv_vg: "{{ ((jts_storage_pvs.results[jts_i].stdout | from_json).report[0].pv[0].vg_name) if jts_storage_pvs.results[jts_i].rc == 0 else '' }}",
      },
    },
  ];
}

function storageTasks(): Task[] {
  return [
    {
      name: 'Volume groups (pvcreate + vgcreate; never removes or forces)',
      'community.general.lvg': { vg: '{{ item.vg }}', pvs: '{{ item.pvs }}', pesize: '{{ item.pesize }}', pv_options: '{{ item.pv_options }}', vg_options: '{{ item.vg_options }}', state: 'present', force: false },
      loop: '{{ jts_storage_vgs }}',
      loop_control: { label: '{{ item.vg }}' },
    },
    {
      name: "Logical volumes (exact extents: size = extents × extent size in MiB; grows, never shrinks)",
      'community.general.lvol': { vg: '{{ item.vg }}', lv: '{{ item.lv }}', size: '{{ item.size }}', opts: '{{ item.opts }}', shrink: false, force: false, resizefs: true, state: 'present' },
      loop: '{{ jts_storage_lvs }}',
      loop_control: { label: '{{ item.vg }}/{{ item.lv }} {{ item.extents }} extents' },
    },
    {
      name: 'Filesystems (mkfs with the plan\'s options; a device that has a filesystem is never reformatted)',
      'community.general.filesystem': { dev: '{{ item.dev }}', fstype: '{{ item.fstype }}', opts: '{{ item.opts }}', force: false, resizefs: false },
      loop: '{{ jts_storage_filesystems }}',
      loop_control: { label: '{{ item.fstype }} on {{ item.dev }}' },
    },
  ];
}

function accountTasks(): Task[] {
  return [
    {
      name: 'Groups',
      'ansible.builtin.group': { name: '{{ item.name }}', system: '{{ item.system }}', gid: '{{ item.gid | default(omit) }}', state: 'present' },
      loop: '{{ jts_storage_groups }}',
      loop_control: { label: '{{ item.name }}' },
    },
    {
      name: 'Users (no home directory is created: the volume is the home)',
      'ansible.builtin.user': { name: '{{ item.name }}', system: '{{ item.system }}', uid: '{{ item.uid | default(omit) }}', group: '{{ item.group }}', home: '{{ item.home }}', shell: '{{ item.shell }}', create_home: false, state: 'present' },
      loop: '{{ jts_storage_users }}',
      loop_control: { label: '{{ item.name }}' },
    },
  ];
}

function fileTasks(): Task[] {
  return [
    {
      name: 'See which directories exist (apply makes only the missing ones)',
      'ansible.builtin.stat': { path: '{{ item.path }}', get_checksum: false },
      loop: '{{ jts_storage_dirs }}',
      loop_control: { label: '{{ item.path }}' },
      register: 'jts_storage_dir_stat',
    },
    {
      name: 'Make the missing directories (mount points, rules.d, system/)',
      'ansible.builtin.file': { path: '{{ item.item.path }}', state: 'directory', mode: '{{ item.item.mode }}' },
      loop: '{{ jts_storage_dir_stat.results }}',
      loop_control: { label: '{{ item.item.path }}' },
      when: 'not item.stat.exists',
    },
    {
      name: "The fstab block, apply's markers and text (findmnt --verify checks the candidate)",
      'ansible.builtin.blockinfile': {
        path: '/etc/fstab',
        block: '{{ jts_storage_fstab_block }}',
        marker: '# {mark}',
        marker_begin: '{{ jts_storage_fstab_begin }}',
        marker_end: '{{ jts_storage_fstab_end }}',
        backup: true,
        validate: 'findmnt --verify --tab-file %s',
        mode: '0644',
      },
      when: 'jts_storage_fstab_block | length > 0',
    },
    {
      name: 'Mounts (the fields of the block line: the line is found unchanged and the volume mounted)',
      'ansible.posix.mount': { path: '{{ item.path }}', src: '{{ item.src }}', fstype: '{{ item.fstype }}', opts: '{{ item.opts }}', dump: '{{ item.dump }}', passno: '{{ item.passno }}', state: 'mounted' },
      loop: '{{ jts_storage_mounts }}',
      loop_control: { label: '{{ item.path }}' },
    },
    {
      name: 'Owners and modes of the mounted volumes',
      'ansible.builtin.file': { path: '{{ item.path }}', owner: '{{ item.owner }}', group: '{{ item.group }}', mode: '{{ item.mode | default(omit) }}' },
      loop: '{{ jts_storage_perms }}',
      loop_control: { label: '{{ item.path }} {{ item.owner }}:{{ item.group }} {{ item.mode | default("") }}' },
    },
    {
      name: 'Managed files: udev scheduler rule, systemd units, sysctl.d (the text apply writes)',
      'ansible.builtin.copy': { dest: '{{ item.dest }}', content: '{{ item.content }}', mode: '{{ item.mode }}', owner: 'root', group: 'root' },
      loop: '{{ jts_storage_files }}',
      loop_control: { label: '{{ item.dest }}' },
      notify: ['Reload udev rules (jts-storage)', 'Reload systemd (jts-storage)'],
    },
    {
      name: 'Kernel settings the plan asks for (live value; the file above holds them for boot)',
      'ansible.posix.sysctl': { name: '{{ item.name }}', value: '{{ item.value }}', sysctl_file: '{{ item.file }}', sysctl_set: true, reload: false, state: 'present' },
      loop: '{{ jts_storage_sysctl }}',
      loop_control: { label: '{{ item.name }}' },
    },
    { name: 'Reload units before enabling the timers', 'ansible.builtin.meta': 'flush_handlers' },
    {
      name: 'Timers enabled and started (where systemd runs, as apply)',
      'ansible.builtin.systemd': { name: '{{ item }}', enabled: true, state: 'started' },
      loop: '{{ jts_storage_timers }}',
      when: 'jts_storage_systemd.stat.exists',
    },
  ];
}

const handlers: Task[] = [
  { name: 'Reload udev rules (jts-storage)', 'ansible.builtin.command': { argv: ['udevadm', 'control', '--reload'] }, when: 'jts_storage_udevd.stat.exists' },
  { name: 'Reload systemd (jts-storage)', 'ansible.builtin.systemd': { daemon_reload: true }, when: 'jts_storage_systemd.stat.exists' },
];

/** The play as data (tests parse the text back and compare). */
export function playbookData(): Record<string, unknown>[] {
  return [
    {
      name: 'The jts-storage plan, exported: the host apply would make',
      hosts: "{{ jts_storage_hosts | default('all') }}",
      become: true,
      gather_facts: false,
      tasks: [...checkTasks(), ...storageTasks(), ...accountTasks(), ...fileTasks()],
      handlers,
    },
  ];
}

/** site.yml's text. */
export function playbookText(planFile: string): string {
  return (
    `# Exported by \`jts-storage export ansible\` from ${planFile}. The values are in host_vars/<host>.yml;\n` +
    `# regenerate both rather than editing them. Run: ansible-playbook -i INVENTORY site.yml [--check --diff]\n` +
    stringify(playbookData(), { lineWidth: 140 })
  );
}
