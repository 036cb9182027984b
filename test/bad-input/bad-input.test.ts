/**
 * Bad input: each case is a small plan (and optionally drives file) that must be refused with an error
 * naming file:line:col, the field, and a clear message — before any command runs. The expected line is
 * the one marked `# <-` in the YAML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPlanFile, loadPlanText, PlanError } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import type { Finding } from '../../src/model/actions.js';
import { FakeRunner } from '../support/fake-runner.js';
import { readFileSync } from 'node:fs';

const DRIVES_4TB = readFileSync(new URL('../../../examples/drives/4tb-nvme.yaml', import.meta.url), 'utf8');

const HEAD = `version: 1
drives:
  - { id: nvme0, serial: JTS-NVME-0 }
volumeGroups:
  - { name: vg_jts, drives: [nvme0], reserve: 10% }
`;
const vol = (extra: string) => `${HEAD}volumes:\n${extra}`;
const MNT = `mount: { path: /var/lib/x, options: [defaults, nofail, x-systemd.device-timeout=30s] }`;

interface Case {
  name: string;
  yaml: string;
  rule: string | RegExp;
  field?: string | RegExp;
  message: RegExp;
  drives?: string;
}

const cases: Case[] = [
  { name: 'invalid YAML (bad indentation)', yaml: `version: 1\ndrives:\n  - id: a\n   serial: x # <-\n`, rule: 'PLAN-YAML', message: /invalid YAML/ },
  { name: 'invalid YAML (unclosed flow)', yaml: `version: 1\ndrives: [ { id: a\nvolumeGroups: x # <-\n`, rule: 'PLAN-YAML', message: /invalid YAML/ },
  { name: 'duplicate YAML key', yaml: `version: 1\nversion: 1 # <-\n`, rule: 'PLAN-YAML', message: /unique|duplicate/i },
  { name: 'unknown top-level key with suggestion', yaml: `${HEAD}volums: [] # <-\n`, rule: 'PLAN-UNKNOWN-KEY', field: 'volums', message: /did you mean "volumes"/ },
  {
    name: 'unknown nested key with suggestion',
    yaml: vol(`  - name: lv_a\n    vg: vg_jts\n    size: 1GiB\n    mount: { path: /var/lib/a, optoins: [nofail] } # <-\n`),
    rule: 'PLAN-UNKNOWN-KEY',
    field: 'volumes[0].mount.optoins',
    message: /did you mean "options"/,
  },
  { name: 'missing required field', yaml: `version: 1\ndrives:\n  - { serial: x } # <-\nvolumeGroups: [{ name: v, drives: [a] }]\n`, rule: 'PLAN-SCHEMA', field: 'drives[0].id', message: /required/ },
  { name: 'wrong version', yaml: `version: 2 # <-\ndrives: [{ id: a, serial: x }]\nvolumeGroups: [{ name: v, drives: [a] }]\n`, rule: 'PLAN-SCHEMA', field: 'version', message: /1/ },
  { name: 'workload enum typo', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, workload: postgres } # <-\n`), rule: 'PLAN-SCHEMA', field: 'volumes[0].workload', message: /did you mean "postgresql"/ },
  {
    name: 'duplicate volume names',
    yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB }\n  - { name: lv_a, vg: vg_jts, size: 2GiB } # <-\n`),
    rule: 'PLAN-DUPLICATE',
    field: 'volumes[1].name',
    message: /duplicate volume "vg_jts\/lv_a"/,
  },
  {
    name: 'duplicate mount paths',
    yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, ${MNT} }\n  - { name: lv_b, vg: vg_jts, size: 1GiB, ${MNT} } # <-\n`),
    rule: 'PLAN-DUPLICATE',
    field: 'volumes[1].mount.path',
    message: /used twice/,
  },
  {
    name: 'nested mount paths',
    yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /data } }\n  - { name: lv_b, vg: vg_jts, size: 1GiB, mount: { path: /data/pg } } # <-\n`),
    rule: 'PLAN-MOUNT-PATH',
    field: 'volumes[1].mount.path',
    message: /nested under "\/data"/,
  },
  { name: 'mount on /', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: / } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /system directory/ },
  { name: 'mount on /proc', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /proc } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /system directory/ },
  { name: 'mount under /sys', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /sys/kernel/x } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /under \/sys/ },
  { name: 'mount on /dev', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /dev } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /system directory/ },
  { name: 'mount on /boot', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /boot } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /system directory/ },
  { name: 'relative mount path', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: var/lib/pg } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /relative/ },
  { name: 'mount path with ..', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /var/lib/../etc } } # <-\n`), rule: 'PLAN-MOUNT-PATH', message: /normal form/ },
  { name: 'LV name with shell metacharacters', yaml: vol(`  - { name: "lv;rm -rf /", vg: vg_jts, size: 1GiB } # <-\n`), rule: 'PLAN-NAME', field: 'volumes[0].name', message: /a-z A-Z 0-9/ },
  { name: 'LV name reserved (snapshot prefix)', yaml: vol(`  - { name: snapshot_pg, vg: vg_jts, size: 1GiB } # <-\n`), rule: 'PLAN-NAME', message: /starts with "snapshot"/ },
  { name: 'LV name reserved (_tmeta)', yaml: vol(`  - { name: lv_tmeta, vg: vg_jts, size: 1GiB } # <-\n`), rule: 'PLAN-NAME', message: /"_tmeta"/ },
  { name: 'LV name too long', yaml: vol(`  - { name: ${'l'.repeat(130)}, vg: vg_jts, size: 1GiB } # <-\n`), rule: 'PLAN-NAME', message: /at most 127/ },
  { name: 'VG name starting with hyphen', yaml: `version: 1\ndrives: [{ id: a, serial: JTS-NVME-0 }]\nvolumeGroups:\n  - { name: -vg, drives: [a] } # <-\n`, rule: 'PLAN-NAME', field: 'volumeGroups[0].name', message: /starts with '-'/ },
  { name: 'invalid user name', yaml: `${HEAD}users:\n  - { name: Post Gres } # <-\n`, rule: 'PLAN-NAME', field: 'users[0].name', message: /useradd/ },
  { name: 'invalid owner name', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /a, owner: "root;id" } } # <-\n`), rule: 'PLAN-NAME', message: /not valid for useradd/ },
  { name: 'zero size', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 0GiB } # <-\n`), rule: 'PLAN-SIZE', field: 'volumes[0].size', message: /zero/ },
  { name: 'negative size', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: -5GiB } # <-\n`), rule: 'PLAN-SIZE', message: /negative/ },
  { name: 'garbage size', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: big } # <-\n`), rule: 'PLAN-SIZE', message: /not understood/ },
  { name: 'size unit that is not a unit', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 10Gb } # <-\n`), rule: 'PLAN-SIZE', message: /unknown unit/ },
  {
    name: 'two rest volumes in one VG',
    yaml: vol(`  - { name: lv_a, vg: vg_jts, size: rest }\n  - { name: lv_b, vg: vg_jts, size: rest } # <-\n`),
    rule: 'PLAN-SIZE',
    field: 'volumes[1].size',
    message: /second "rest"/,
  },
  { name: 'unknown VG reference', yaml: vol(`  - { name: lv_a, vg: vg_jst, size: 1GiB } # <-\n`), rule: 'PLAN-REFERENCE', field: 'volumes[0].vg', message: /did you mean "vg_jts"/ },
  { name: 'unknown drive reference', yaml: `version: 1\ndrives: [{ id: nvme0, serial: x }]\nvolumeGroups:\n  - name: vg\n    drives: [nvme1] # <-\n`, rule: 'PLAN-REFERENCE', message: /unknown drive "nvme1"/ },
  { name: 'unknown thin pool', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, thinPool: pool } # <-\n`), rule: 'PLAN-REFERENCE', message: /unknown thin pool/ },
  { name: 'drive without identity', yaml: `version: 1\ndrives:\n  - { id: a, tier: hot } # <-\nvolumeGroups: [{ name: v, drives: [a] }]\n`, rule: 'PLAN-DRIVE-IDENTITY', message: /no identity/ },
  { name: 'bad extent size', yaml: `version: 1\ndrives: [{ id: a, serial: x }]\nvolumeGroups:\n  - { name: v, drives: [a], extentSize: 3000k } # <-\n`, rule: 'PLAN-SIZE', message: /power of 2/ },
  { name: 'password in a CIFS mount', yaml: `${HEAD}networkMounts:\n  - { source: //nas/jts, path: /mnt/nas, type: cifs, options: [password=hunter2] } # <-\n`, rule: 'PLAN-SECRET', message: /credentials/ },
  // Lint-level errors (the plan is well-formed but wrong for the kernel, the drive or the capacity)
  { name: 'over capacity says how much is missing', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 3TiB }\n  - { name: lv_b, vg: vg_jts, size: 1TiB } # <-\n`), rule: 'JTS-CAPACITY', field: 'volumes[1].size', message: /Missing \d+ extents = [\d.]+ GiB \([\d.]+ GB\)/ },
  { name: 'unknown filesystem', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: ext5 } } # <-\n`), rule: 'JTS-FS-UNKNOWN', message: /did you mean "ext4"/ },
  { name: 'mount option invalid for the filesystem', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: xfs }, mount: { path: /a, options: [nofail, data=ordered] } } # <-\n`), rule: 'JTS-MOUNTOPT-UNKNOWN', field: 'volumes[0].mount.options[1]', message: /not an xfs mount option \(it is an ext4 option\)/ },
  { name: 'mount option typo', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /a, options: [nofail, noatmie] } } # <-\n`), rule: 'JTS-MOUNTOPT-UNKNOWN', message: /did you mean "noatime"/ },
  { name: 'mount option bad value', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /a, options: [nofail, data=fast] } } # <-\n`), rule: 'JTS-MOUNTOPT-VALUE', message: /journal, ordered or writeback/ },
  { name: 'removed kernel option (XFS nobarrier)', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: xfs }, mount: { path: /a, options: [nofail, nobarrier] } } # <-\n`), rule: 'JTS-MOUNTOPT-REMOVED', message: /removed from xfs in Linux 4\.19/ },
  { name: 'mkfs feature unknown', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: ext4, features: [sparse_super3] } } # <-\n`), rule: 'JTS-MKFS-UNKNOWN', message: /did you mean "sparse_super2?"/ },
  { name: 'mkfs option for the other filesystem', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: xfs, features: [has_journal] } } # <-\n`), rule: 'JTS-MKFS-UNKNOWN', message: /ext4 features/ },
  { name: 'journal options on journal-less ext4', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: ext4, features: ["^has_journal"] }, ${MNT.replace('defaults, ', 'commit=30, ')} } # <-\n`), rule: 'JTS-EXT4-JOURNAL-OPTS', message: /can't mount with commit=30/ },
  { name: 'barrier=0 on a volatile write cache', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, mount: { path: /a, options: [nofail, barrier=0] } } # <-\n`), rule: 'JTS-BARRIER-VWC', message: /volatile write cache/ },
  { name: 'sparse_super2', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: ext4, features: [sparse_super2] } } # <-\n`), rule: 'JTS-EXT4-SPARSE-SUPER2', message: /sparse_super2/ },
  { name: 'journal-less database', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, workload: postgresql, filesystem: { type: ext4, features: ["^has_journal"] } } # <-\n`), rule: 'JTS-EXT4-NOJOURNAL-DB', message: /without a journal/ },
  { name: 'snapshots without a reserve', yaml: `version: 1\ndrives: [{ id: a, serial: JTS-NVME-0 }]\nvolumeGroups:\n  - { name: v, drives: [a] } # <-\nvolumes:\n  - { name: lv_a, vg: v, size: 1GiB, snapshot: { size: 10% } }\n`, rule: 'JTS-SNAPSHOT-RESERVE', message: /has no reserve/ },
  { name: 'drive not on the host', yaml: `version: 1\ndrives:\n  - { id: a, serial: NOPE } # <-\nvolumeGroups: [{ name: v, drives: [a] }]\n`, rule: 'JTS-DRIVE-NOT-FOUND', message: /no drive has serial NOPE/ },
  { name: 'override of an unknown rule', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, overrides: [{ rule: JTS-BARRIER-VCW, reason: "UPS-backed, tested" }] } # <-\n`), rule: 'JTS-OVERRIDE-UNKNOWN', message: /did you mean "JTS-BARRIER-VWC"/ },
  { name: 'label too long', yaml: vol(`  - { name: lv_a, vg: vg_jts, size: 1GiB, filesystem: { type: xfs, label: jts_clickhouse } } # <-\n`), rule: 'JTS-FS-LABEL', message: /xfs allows 12/ },
];

/** Load + layout + lint, as `plan` does, returning errors (or the PlanError's findings). */
function check(yaml: string, drives = DRIVES_4TB): Finding[] {
  try {
    const loaded = loadPlanText(yaml, 'bad.yaml');
    const state = parseDrivesFile(drives, 'drives.yaml');
    const layout = resolveLayout(loaded.plan, state, loaded);
    return lintPlan(loaded, state, layout).filter((f) => f.severity === 'error');
  } catch (e) {
    if (e instanceof PlanError) return e.findings;
    throw e;
  }
}

test(`at least 25 bad-input cases`, () => assert.ok(cases.length >= 25, String(cases.length)));

for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    const errors = check(c.yaml, c.drives);
    const hit = errors.find((f) => (typeof c.rule === 'string' ? f.rule === c.rule : c.rule.test(f.rule)) && c.message.test(f.message));
    assert.ok(hit, `expected ${c.rule} ${c.message}, got:\n${errors.map((e) => `${e.rule} ${e.field}: ${e.message}`).join('\n')}`);
    assert.equal(hit.severity, 'error');
    assert.equal(hit.file, 'bad.yaml');
    const lines = c.yaml.split('\n');
    const expectLine = lines.findIndex((l) => l.includes('# <-')) + 1;
    assert.ok(expectLine > 0, 'case marks its line');
    assert.equal(hit.line, expectLine, `line of ${hit.rule} (${hit.field})`);
    assert.ok(typeof hit.col === 'number' && hit.col >= 1, 'column');
    if (c.field) {
      if (typeof c.field === 'string') assert.equal(hit.field, c.field);
      else assert.match(hit.field ?? '', c.field);
    } else if (!hit.rule.startsWith('PLAN-YAML')) assert.ok(hit.field, 'field is named');
  });
}

test('bad input through a Runner: the plan is refused and no command runs', async () => {
  const runner = new FakeRunner({ files: { '/plans/bad.yaml': cases[9]!.yaml } });
  await assert.rejects(loadPlanFile('/plans/bad.yaml', runner), (e: unknown) => {
    assert.ok(e instanceof PlanError);
    assert.match((e as Error).message, /^\/plans\/bad\.yaml:\d+:\d+: volumes\[1\]\.mount\.path: /);
    return true;
  });
  assert.equal(runner.calls.length, 0);
  assert.equal(runner.mutatingCalls.length, 0);
});

test('missing plan file is a PlanError naming the file', async () => {
  await assert.rejects(loadPlanFile('/nonexistent/plan.yaml', new FakeRunner()), /\/nonexistent\/plan\.yaml:0:0: plan file not found/);
});

test('bad drives file: unknown key with suggestion, located', () => {
  const text = `drives:\n  - path: /dev/nvme0n1\n    sizeBytes: 4000000000000\n    volatileWriteCach: true\n`;
  try {
    parseDrivesFile(text, 'd.yaml');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof PlanError);
    const f = e.findings.find((x) => x.rule === 'DRIVES-UNKNOWN-KEY')!;
    assert.match(f.message, /did you mean "volatileWriteCache"/);
    assert.equal(f.line, 4);
    assert.equal(f.field, 'drives[0].volatileWriteCach');
  }
});
