// Case 08 (../shared/cases/field/08-system-volume-nofail, copied into test/fixtures/field/): a `system`
// volume on a data drive gets nofail + a device timeout like any other, and the JTS-NOFAIL message says
// exactly what the fstab line holds. Source: systemd.mount(5) "nofail"; systemd issue 5836.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPlanText } from '../../src/model/load-plan.js';
import { parseDrivesFile } from '../../src/model/drives-file.js';
import { resolveLayout } from '../../src/model/capacity.js';
import { lintPlan } from '../../src/lint/lint.js';
import { desiredFstabEntries } from '../../src/render/fstab-format.js';

const dir = new URL('../../../test/fixtures/field/08-system-volume-nofail/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');

function run(planText: string) {
  const loaded = loadPlanText(planText, 'plan.yaml');
  const state = parseDrivesFile(read('drives.yaml'), 'drives.yaml');
  const findings = lintPlan(loaded, state, resolveLayout(loaded.plan, state, loaded));
  const fstab = desiredFstabEntries(loaded.plan, new Map());
  return { findings, fstab };
}

test('08: every volume on the data drive gets nofail and the device timeout, as the message says', () => {
  const { findings, fstab } = run(read('plan.yaml'));
  for (const name of ['lv_system', 'lv_pg']) {
    const line = fstab.find((e) => e.comment?.startsWith(name))!;
    assert.deepEqual(line.mntops, ['noatime', 'nofail', 'x-systemd.device-timeout=30s'], name);
    const f = findings.find((x) => x.rule === 'JTS-NOFAIL' && x.message.startsWith(`${name} `))!;
    assert.ok(f, name);
    assert.match(f.message, /adds nofail and x-systemd\.device-timeout=30s/);
  }
});

test('08: an override with a reason keeps the line as planned, and the message says so', () => {
  const text = read('plan.yaml').replace(
    '    workload: system\n',
    '    workload: system\n    overrides: [{ rule: JTS-NOFAIL, reason: "Docker must be up before the host counts as booted" }]\n',
  );
  const { findings, fstab } = run(text);
  assert.deepEqual(fstab.find((e) => e.comment?.startsWith('lv_system'))!.mntops, ['noatime']);
  const f = findings.find((x) => x.rule === 'JTS-NOFAIL' && x.message.startsWith('lv_system '))!;
  assert.equal(f.severity, 'info');
  assert.match(f.message, /written without nofail and without a device timeout/);
  assert.equal(f.overridden, 'Docker must be up before the host counts as booted');
  // a message never claims what the line does not hold
  for (const x of findings.filter((y) => y.rule === 'JTS-NOFAIL')) {
    const v = x.message.split(' ')[0]!;
    const line = fstab.find((e) => e.comment?.startsWith(v))!;
    assert.equal(/adds nofail/.test(x.message), line.mntops.includes('nofail'), v);
  }
});
