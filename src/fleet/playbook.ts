/**
 * The exported playbook: one play, the same for every host, that loops over the host's `jts_storage_*`
 * variables (./ansible-vars.ts) with the standard modules (community.general 6.6 / ansible.posix 1.5 as
 * shipped by Debian bookworm's `ansible` 7.7 = ansible-core 2.14). Every value is the host's; the
 * playbook holds none.
 *
 * Safety as in apply: the facts are read and each drive checked (an assert) before any change; no task can
 * destroy: lvg/lvol/filesystem run with force: false, lvol with shrink: false (thin pools and thin
 * volumes too: lvol's `thinpool:`; a pool's LVM profile is copied before the pool), filesystem never
 * reformats a device that carries a filesystem (it fails instead), and directories are made only where
 * missing. The one removal is apply's too: jts-storage's own udev rule file of older releases
 * (jts_storage_absent_files), never a file a user made. Check mode with --diff shows what would change, as `plan` does.
 */
import { stringify } from 'yaml';

type Task = Record<string, unknown>;

const readOnly = { changed_when: false, check_mode: false };

/**
 * A read-only command run once per item of `loop` with LC_ALL=C, its results registered and never
 * failing the play (the assert task after it judges them): the shape of the playbook's tool reads.
 */
function readLoop(name: string, argv: string[], loop: string, label: string, register: string): Task {
  return { name, 'ansible.builtin.command': { argv }, environment: { LC_ALL: 'C' }, loop, loop_control: { label }, register, failed_when: false, ...readOnly };
}


/** The assert on the facts: every drive is blank, or a PV of the VG the plan puts it in. */
function checkTasks(): Task[] {
  return [
    {
      name: 'Read which of the paths apply looks at exist (systemd, udevd, fstrim.timer, fstrim, the directories, old files to remove; one ls, read-only)',
      'ansible.builtin.command': { argv: '{{ jts_probe_paths }}' },
      environment: { LC_ALL: 'C' },
      register: 'jts_storage_present',
      // ls(1): 0 all exist, 2 some operand cannot be accessed (missing); anything else is a failure
      failed_when: 'jts_storage_present.rc not in [0, 2]',
      ...readOnly,
    },
    {
      name: "Read the distribution's fstrim.timer (its OnCalendar= decides the drop-in, as in apply)",
      'ansible.builtin.command': { argv: ['cat', '--', '{{ jts_trim_timer_path }}'] },
      register: 'jts_storage_trim_timer',
      when: 'jts_trim_timer_path | length > 0',
      ...readOnly,
    },
    readLoop('Read the signatures on each drive (wipefs --no-act, read-only)', ['wipefs', '--no-act', '--json', '{{ item.device }}'], '{{ jts_storage_drives }}', '{{ item.id }} {{ item.device }}', 'jts_storage_signatures'),
    readLoop(
      'Read the volume group of each drive that is an LVM PV (pvs, read-only)',
      ['pvs', '--reportformat', 'json', '--options', 'pv_name,vg_name', '{{ item.device }}'],
      '{{ jts_storage_drives }}',
      '{{ item.id }} {{ item.device }}',
      'jts_storage_pvs',
    ),
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
      // lvcreate --metadataprofile NAME fails when the profile file is missing: written first, apply's text
      name: "LVM profiles of the thin pools (autoextend; apply's text, old file backed up), before the pools",
      'ansible.builtin.copy': { dest: '{{ item.dest }}', content: '{{ item.content }}', mode: '{{ item.mode }}', owner: 'root', group: 'root', backup: true },
      loop: '{{ jts_storage_lvm_profiles | default([]) }}',
      loop_control: { label: '{{ item.dest }}' },
    },
    {
      name: 'Logical volumes, thin pools, thin volumes (exact: extents × extent size in MiB, or the virtual size; grows, never shrinks)',
      'community.general.lvol': {
        vg: '{{ item.vg }}',
        lv: '{{ item.lv | default(omit) }}',
        thinpool: '{{ item.thinpool | default(omit) }}',
        size: '{{ item.size }}',
        opts: '{{ item.opts }}',
        shrink: false,
        force: false,
        resizefs: '{{ item.resizefs | default(true) }}',
        state: 'present',
      },
      loop: '{{ jts_storage_lvs }}',
      loop_control: { label: "{{ item.vg }}/{{ item.lv | default(item.thinpool) }}{{ ' in ' ~ item.thinpool if item.lv is defined and item.thinpool is defined else (' (thin pool)' if item.thinpool is defined else '') }} {{ item.size }}" },
    },
    readLoop(
      'Read the LVM profile attached to each thin pool (lvs, read-only)',
      ['lvs', '--reportformat', 'json', '--options', 'lv_profile', '{{ item.vg }}/{{ item.pool }}'],
      '{{ jts_storage_thin_pools | default([]) }}',
      '{{ item.vg }}/{{ item.pool }}',
      'jts_storage_pool_profiles',
    ),
    {
      name: 'Attach the autoextend profile to a thin pool that carries another one (lvchange --metadataprofile, as apply)',
      'ansible.builtin.command': { argv: ['lvchange', '--metadataprofile', '{{ item.profile }}', '{{ item.vg }}/{{ item.pool }}'] },
      environment: { LC_ALL: 'C' },
      loop: '{{ jts_storage_thin_pools | default([]) }}',
      loop_control: { index_var: 'jts_i', label: '{{ item.vg }}/{{ item.pool }} {{ item.profile }}' },
      vars: { jts_pp: '{{ jts_storage_pool_profiles.results[jts_i] }}' },
      when: "jts_pp.rc == 0 and ((jts_pp.stdout | from_json).report[0].lv[0].lv_profile | default('')) != item.profile",
      changed_when: true,
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
      name: 'Make the missing directories (mount points, rules.d, system/; an existing one is left as it is, as apply)',
      'ansible.builtin.file': { path: '{{ item.path }}', state: 'directory', mode: '{{ item.mode }}' },
      loop: '{{ jts_storage_dirs }}',
      loop_control: { label: '{{ item.path }}' },
      when: 'item.path not in jts_present',
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
      loop: '{{ jts_storage_files + jts_trim_files }}',
      loop_control: { label: '{{ item.dest }}' },
      register: 'jts_storage_copied',
      notify: ['Reload udev rules (jts-storage)', 'Reload systemd (jts-storage)', RESTART_HANDLER],
    },
    {
      // apply's tune:udev-rule:legacy (src/tune/actions.ts): rm -f, then udevadm control --reload, after the new rule
      name: 'Remove the files of older releases apply removes (the 60- udev rule that matched every disk; the 61- rule above replaces it)',
      'ansible.builtin.file': { path: '{{ item }}', state: 'absent' },
      loop: '{{ jts_storage_absent_files | default([]) }}',
      // the ls above listed the ones present: a missing file (the usual case) costs no module process
      when: 'item in jts_present',
      notify: ['Reload udev rules (jts-storage)'],
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
      loop: '{{ jts_storage_timers + jts_trim_timers }}',
      when: 'jts_systemd',
    },
  ];
}

/**
 * As apply (src/tune/actions.ts): after the units changed, `systemctl daemon-reload`, then `systemctl restart` of
 * each timer whose unit file changed, and of fstrim.timer when its drop-in (fstrim.timer.d/*.conf) changed, since
 * a running timer keeps its old schedule until restarted. Handlers run in this order at the flush before the
 * timers are enabled; a timer that did not run yet is started by the restart one task earlier than apply's
 * `enable --now` starts it (same end state: enabled and active).
 */
const RESTART_HANDLER = 'Restart the timers whose unit or drop-in changed (jts-storage)';
const handlers: Task[] = [
  { name: 'Reload udev rules (jts-storage)', 'ansible.builtin.command': { argv: ['udevadm', 'control', '--reload'] }, when: 'jts_udevd' },
  { name: 'Reload systemd (jts-storage)', 'ansible.builtin.systemd': { daemon_reload: true }, when: 'jts_systemd' },
  { name: RESTART_HANDLER, 'ansible.builtin.systemd': { name: '{{ item }}', state: 'restarted' }, loop: '{{ jts_restart_timers }}', when: 'jts_systemd' },
];

/**
 * The facts apply reads, derived lazily from the two read-only probes above (play vars are templated on use).
 * TRIM: the rule of renderSystemdUnits (src/render/systemd.ts) from readRenderFacts' facts
 * (src/tune/render-facts.ts), over the variants ./trim.ts rendered: the first existing timer path is the
 * distribution's fstrim.timer; its OnCalendar= values are read as parseOnCalendar reads them ([Timer]
 * section, an empty value resets); sameTrimSchedule is "exactly one value, the plan's"; without a timer,
 * the own units of the first fstrim path found ('' = none: apply's default).
 */
const playVars: Record<string, string> = {
  jts_probe_paths:
    "{{ ['ls', '-1d', '--', '/run/systemd/system', '/run/udev/control'] + (jts_storage_trim.timer_paths + jts_storage_trim.fstrim_paths if jts_storage_trim | default(none) else []) + (jts_storage_dirs | map(attribute='path') | list) + (jts_storage_absent_files | default([])) }}",
  jts_present: '{{ jts_storage_present.stdout_lines | default([]) }}',
  jts_systemd: "{{ '/run/systemd/system' in jts_present }}",
  jts_udevd: "{{ '/run/udev/control' in jts_present }}",
  jts_trim_timer_path: "{{ (jts_storage_trim.timer_paths | select('in', jts_present) | first | default('')) if jts_storage_trim | default(none) else '' }}",
  jts_trim_calendar:
    "{% set ns = namespace(sec='', v=[]) %}{% for l in jts_storage_trim_timer.stdout_lines | default([]) %}{% set t = l | trim %}" +
    "{% if t[:1] == '[' and t[-1:] == ']' %}{% set ns.sec = t[1:-1] %}{% elif ns.sec == 'Timer' and t is match('OnCalendar[ \\t]*=') %}" +
    "{% set x = t | regex_replace('^OnCalendar[ \\t]*=[ \\t]*', '') %}{% set ns.v = [] if x == '' else ns.v + [x] %}{% endif %}{% endfor %}{{ ns.v }}",
  jts_trim_same: '{{ jts_trim_calendar | length == 1 and jts_trim_calendar[0] == jts_storage_trim.schedule }}',
  jts_fstrim_path: "{{ (jts_storage_trim.fstrim_paths | select('in', jts_present) | first | default('')) if jts_storage_trim | default(none) else '' }}",
  jts_trim_files:
    "{{ [] if not (jts_storage_trim | default(none)) else (([] if jts_trim_same else [jts_storage_trim.dropin]) if jts_trim_timer_path else (jts_storage_trim.own | selectattr('fstrim', 'equalto', jts_fstrim_path) | first).files) }}",
  jts_changed_files: "{{ jts_storage_copied.results | default([]) | selectattr('changed') | map(attribute='item.dest') | list }}",
  jts_restart_timers:
    "{% set ns = namespace(r=[]) %}{% for t in jts_storage_timers + jts_trim_timers %}{% set u = '/etc/systemd/system/' ~ t %}" +
    "{% if u in jts_changed_files or jts_changed_files | select('match', (u ~ '.d/') | regex_escape ~ '[^/]+[.]conf$') | list | length > 0 %}" +
    '{% set ns.r = ns.r + [t] %}{% endif %}{% endfor %}{{ ns.r }}',
  jts_trim_timers: "{{ [] if not (jts_storage_trim | default(none)) else [jts_storage_trim.distribution_timer if jts_trim_timer_path else jts_storage_trim.own_timer] }}",
};

/** The play as data (tests parse the text back and compare). */
export function playbookData(): Record<string, unknown>[] {
  return [
    {
      name: 'The jts-storage plan, exported: the host apply would make',
      hosts: "{{ jts_storage_hosts | default('all') }}",
      become: true,
      gather_facts: false,
      vars: playVars,
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
