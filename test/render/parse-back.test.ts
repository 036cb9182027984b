/**
 * Rendered files read back exactly as intended, and the apply preflight refuses a file that does not:
 * parsers of each format (src/render/parse-back.ts), the preflight (src/render/preflight.ts), and
 * property tests (fast-check) feeding every string field of a plan control characters, the separators of
 * each written format and odd Unicode: either refused at that field, or every rendered file parses back
 * to exactly the intended structure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { loadPlanText, PlanError } from '../../src/model/load-plan.js';
import { renderFstabBlock } from '../../src/render/fstab.js';
import { renderUdevRules } from '../../src/render/udev.js';
import { renderSysctl } from '../../src/render/sysctl.js';
import { renderSystemdUnits } from '../../src/render/systemd.js';
import { checkWrittenFile, preflightWrittenFiles } from '../../src/render/preflight.js';
import { parseSysctlConf, parseUdevRules, parseUnit, RenderError } from '../../src/render/parse-back.js';
import { managedHeader } from '../../src/render/types.js';
import { FakeRunner } from '../support/fake-runner.js';
import type { Action } from '../../src/model/actions.js';

/** A plan touching every string field; `over` replaces a field's YAML value (JSON-quoted, valid YAML). */
const FIELDS: Record<string, string> = {
  name: 'jts-test',
  'drives[0].id': 'd0',
  'drives[0].serial': 'S-0',
  'drives[0].model': 'QEMU NVMe Ctrl',
  'volumeGroups[0].name': 'vg_t',
  'volumes[0].name': 'lv_data',
  'volumes[0].filesystem.label': 'data',
  'volumes[0].mount.path': '/srv/t/data',
  'volumes[0].mount.options[0]': 'noatime',
  'volumes[0].mount.owner': 'postgres',
  'volumes[0].mount.group': 'postgres',
  'volumes[0].snapshot.set': 'nightly',
  'volumes[0].overrides[0].reason': 'tested on this host for a week',
  'networkMounts[0].source': '//nas.lan/share',
  'networkMounts[0].path': '/mnt/nas',
  'networkMounts[0].options[0]': 'vers=3.1.1',
  'networkMounts[0].credentials': '/etc/jts/nas.cred',
  'users[0].name': 'postgres',
  'users[0].home': '/var/lib/postgresql',
  'users[0].shell': '/usr/sbin/nologin',
  'groups[0]': 'dba',
  'tuning.sysctl[0].key': 'vm.swappiness',
  'tuning.sysctl[0].value': '10',
  'tuning.sysctl[0].reason': 'keep the page cache for the database',
  'tuning.snapshotSchedule': 'hourly',
  'tuning.healthInterval': '1min',
  'tuning.trim.schedule': 'weekly',
  'health.textfileDir': '/var/lib/prometheus/node-exporter',
};

function planYaml(over: Record<string, string> = {}): string {
  const v = (k: string) => JSON.stringify(over[k] ?? FIELDS[k]);
  const vg = v('volumeGroups[0].name');
  const d0 = v('drives[0].id');
  return `version: 1
name: ${v('name')}
drives:
  - { id: ${d0}, serial: ${v('drives[0].serial')}, model: ${v('drives[0].model')}, kind: nvme }
volumeGroups:
  - { name: ${vg}, drives: [${d0}], reserve: 10% }
volumes:
  - name: ${v('volumes[0].name')}
    vg: ${vg}
    size: 10GiB
    filesystem: { type: ext4, label: ${v('volumes[0].filesystem.label')} }
    mount: { path: ${v('volumes[0].mount.path')}, options: [${v('volumes[0].mount.options[0]')}, nofail], owner: ${v('volumes[0].mount.owner')}, group: ${v('volumes[0].mount.group')}, mode: "0750" }
    snapshot: { set: ${v('volumes[0].snapshot.set')} }
    overrides: [{ rule: JTS-BARRIER-VWC, reason: ${v('volumes[0].overrides[0].reason')} }]
networkMounts:
  - { source: ${v('networkMounts[0].source')}, path: ${v('networkMounts[0].path')}, type: cifs, options: [${v('networkMounts[0].options[0]')}], credentials: ${v('networkMounts[0].credentials')} }
users:
  - { name: ${v('users[0].name')}, home: ${v('users[0].home')}, shell: ${v('users[0].shell')} }
groups: [${v('groups[0]')}]
tuning:
  sysctl:
    - { key: ${v('tuning.sysctl[0].key')}, value: ${v('tuning.sysctl[0].value')}, reason: ${v('tuning.sysctl[0].reason')} }
  snapshotSchedule: ${v('tuning.snapshotSchedule')}
  healthInterval: ${v('tuning.healthInterval')}
  trim: { mode: timer, schedule: ${v('tuning.trim.schedule')} }
health: { textfileDir: ${v('health.textfileDir')} }
`;
}

const CLI = { cli: ['/usr/bin/node', '/opt/jts-storage/bin/jts-storage.js'], planFile: '/etc/jts-storage/plan.yaml' };

/** Every file the plan renders; each renderer checks its own read-back and throws RenderError otherwise. */
function renderAll(yaml: string) {
  const plan = loadPlanText(yaml, 'p.yaml').plan;
  const files = [
    { path: '/etc/fstab', content: renderFstabBlock(plan) },
    renderUdevRules(plan, [{ driveId: plan.drives[0]!.id, cls: 'nvme', key: 'ID_SERIAL_SHORT', value: 'JTS-NVME-1' }], CLI.planFile),
    ...(renderSysctl(plan, CLI.planFile) ? [renderSysctl(plan, CLI.planFile)!] : []),
    ...renderSystemdUnits(plan, CLI).files,
  ];
  return { plan, files };
}

test('the base plan loads, renders, and every file reads back as intended', () => {
  const { plan, files } = renderAll(planYaml());
  for (const f of files) assert.deepEqual(checkWrittenFile(plan, f.path, f.content), [], f.path);
});

const SPECIALS = ['\n', '\r', '\t', '\0', '\x0b', '\x1b', '\x7f', '\x85', ' ', '#', '\\', ',', '"', "'", '=', ';', '[', ']', '%', '$', '`', '|', '&', '*', '{', '}', ':', '@', '/', '..', '\u2028', '\u2029', '\u202e', '\u200b', '\ufeff', '\ufffd', 'é', '日', '\u{1F600}'];
const unit = fc.oneof(fc.constantFrom(...SPECIALS), fc.constantFrom(...'abcxyz019_.-/'.split('')));
const hostile = (base: string) =>
  fc.oneof(
    fc.string({ unit, minLength: 1, maxLength: 12 }),
    fc.string({ unit, minLength: 1, maxLength: 6 }).map((s) => base + s),
    fc.string({ unit, minLength: 1, maxLength: 6 }).map((s) => s + base),
    fc.tuple(fc.string({ unit, maxLength: 4 }), fc.string({ unit, maxLength: 4 })).map(([a, b]) => base.slice(0, 2) + a + base.slice(2) + b),
  );

for (const field of Object.keys(FIELDS)) {
  test(`property: ${field} with control characters, separators and odd Unicode is refused at the field or reads back exactly`, () => {
    fc.assert(
      fc.property(hostile(FIELDS[field]!), (value) => {
        const yaml = planYaml({ [field]: value });
        try {
          const { plan, files } = renderAll(yaml);
          for (const f of files) assert.deepEqual(checkWrittenFile(plan, f.path, f.content), [], `${f.path} with ${field}=${JSON.stringify(value)}`);
        } catch (e) {
          if (e instanceof PlanError) {
            assert.ok(
              e.findings.some((f) => f.field === field || f.field?.startsWith(field + '.') || (f.field === undefined && f.rule === 'PLAN-YAML')),
              `${field}=${JSON.stringify(value)} refused elsewhere: ${e.message}`,
            );
            for (const f of e.findings) assert.ok(typeof f.line === 'number' && f.line > 0, `located: ${JSON.stringify(f)}`);
            return;
          }
          throw e; // a RenderError here means a value passed the grammar that its file cannot carry
        }
      }),
      { numRuns: 40 },
    );
  });
}

test('the parsers read what a reader of the format reads: \\r ends a sysctl line, a stray key is a udev key', () => {
  assert.deepEqual(parseSysctlConf('# a\rkernel.core_pattern = |/bin/sh\nvm.swappiness = 1\n').entries, [
    { key: 'kernel.core_pattern', value: '|/bin/sh' },
    { key: 'vm.swappiness', value: '1' },
  ]);
  assert.deepEqual(parseUdevRules('# x\nKERNEL=="sd*", RUN+="/bin/touch /tmp/x"\n')[0]!.map((p) => p.key), ['KERNEL', 'RUN']);
  assert.deepEqual(parseUnit('[Service]\nExecStart=/bin/true\n[Bogus\n').bad, ['[Bogus']);
  assert.throws(() => managedHeader('a"\nRUN+="x"', undefined, 'x'), RenderError);
  assert.doesNotMatch(managedHeader('p', '/tmp/a\nRUN+="/bin/sh"\r', 'x'), /\n[^#]/);
});

test('preflight: a tampered fstab, udev rule, sysctl.d or unit refuses the apply; the rendered ones pass', async () => {
  const { plan, files } = renderAll(planYaml());
  const step = (path: string, content: string): Action => ({ id: `t:${path}`, kind: 'change', resource: path, summary: '', dependsOn: [], steps: [{ type: 'write-file', path, content, backup: false }] });
  const runner = new FakeRunner();
  assert.deepEqual(await preflightWrittenFiles(runner, plan, files.map((f) => step(f.path, f.content))), []);
  assert.deepEqual(runner.mutatingCalls, []);
  const fstab = files.find((f) => f.path === '/etc/fstab')!.content.replace('# END', '/dev/PWNED /etc ext4 defaults 0 0\n# END');
  const udev = files.find((f) => f.path.endsWith('.rules'))!.content + 'KERNEL=="sd*", RUN+="/bin/touch /tmp/PWNED"\n';
  const sysctl = files.find((f) => f.path.startsWith('/etc/sysctl.d/'))!.content.replace('# keep', '# keep\rkernel.core_pattern = |/bin/sh\n#');
  const unit = files.find((f) => f.path.endsWith('.service'))!;
  const bad = await preflightWrittenFiles(runner, plan, [step('/etc/fstab', fstab), step(files[1]!.path, udev), step('/etc/sysctl.d/60-jts-storage.conf', sysctl), step(unit.path, unit.content + 'ExecStartPre=/bin/sh -c id\n')]);
  assert.ok(bad.some((b) => /fstab.*\/etc/.test(b)), bad.join('\n'));
  assert.ok(bad.some((b) => /RUN/.test(b)), bad.join('\n'));
  assert.ok(bad.some((b) => /core_pattern/.test(b)), bad.join('\n'));
  assert.ok(bad.some((b) => /ExecStartPre/.test(b)), bad.join('\n'));
});
