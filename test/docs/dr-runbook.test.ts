/**
 * docs/dr-runbook.md cannot go stale: every ```bash runbook:<id> block is one the VM test
 * (test/vm/dr-runbook.vm.test.ts) runs, in the same order, with only placeholders it fills; and the
 * parser itself is checked on small texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PLACEHOLDERS, PLANS, SCENARIO, fillPlaceholders, parseRunbook, placeholdersOf, planYaml, type PlanName } from '../support/dr-runbook-scenario.js';
import { loadPlanText } from '../../src/model/load-plan.js';

const DOC = fileURLToPath(new URL('../../../docs/dr-runbook.md', import.meta.url));

test('every runbook block is run by the VM test, in the order of the doc, and every scenario step has its block', () => {
  const blocks = parseRunbook(readFileSync(DOC, 'utf8'));
  assert.ok(blocks.length >= 10, `${blocks.length} blocks`);
  const untested = blocks.filter((b) => !SCENARIO.some((s) => s.id === b.id));
  assert.deepEqual(untested.map((b) => `${b.id} (line ${b.line})`), [], 'blocks of docs/dr-runbook.md that the VM test does not know: add them to SCENARIO');
  assert.deepEqual(blocks.map((b) => b.id), SCENARIO.map((s) => s.id), 'the doc and the scenario list the same steps in the same order');
});

test('every placeholder a block uses is one the VM test fills', () => {
  for (const b of parseRunbook(readFileSync(DOC, 'utf8'))) {
    for (const p of placeholdersOf(b.body)) assert.ok((PLACEHOLDERS as readonly string[]).includes(p), `block ${b.id} (line ${b.line}): {{${p}}} is not one of ${PLACEHOLDERS.join(', ')}`);
    assert.doesNotMatch(fillPlaceholders(b.body, { OLD_DRIVE: '/dev/x', BIG_DRIVE: '/dev/y' }), /\{\{|\}\}/);
  }
});

test('every product command of the runbook is one of the CLI commands', () => {
  const known = ['plan', 'apply', 'verify', 'health', 'snapshot'];
  for (const b of parseRunbook(readFileSync(DOC, 'utf8'))) {
    for (const m of b.body.matchAll(/(?:^|[\s($])jts-storage (\S+)/gm)) assert.ok(known.includes(m[1]!), `block ${b.id}: jts-storage ${m[1]}`);
  }
});

test('parser: ids, lines, other fences skipped; a malformed runbook fence, a repeat and an unclosed fence are errors', () => {
  const md = 'x\n```yaml\na: 1\n```\n```bash runbook:one\necho 1\necho 2\n```\n```sh\nno\n```\n```bash runbook:two-2\n{{OLD_DRIVE}}\n```\n';
  assert.deepEqual(parseRunbook(md), [
    { id: 'one', body: 'echo 1\necho 2', line: 5 },
    { id: 'two-2', body: '{{OLD_DRIVE}}', line: 12 },
  ]);
  assert.throws(() => parseRunbook('```sh runbook:x\n```\n'), /line 1: .*bash runbook:<id>/);
  assert.throws(() => parseRunbook('```bash runbook:a\n```\n```bash runbook:a\n```\n'), /line 3: runbook block id a is used twice/);
  assert.throws(() => parseRunbook('```bash runbook:a\necho\n'), /line 1: fence .* never closed/);
  assert.throws(() => fillPlaceholders('{{NOPE}}', {}), /\{\{NOPE\}\} has no value/);
  assert.deepEqual(placeholdersOf('a {{OLD_DRIVE}} {{BIG_DRIVE}} {{OLD_DRIVE}}'), ['OLD_DRIVE', 'BIG_DRIVE']);
});

test('the scenario plans are valid plans', () => {
  for (const n of Object.keys(PLANS) as PlanName[]) {
    const r = loadPlanText(planYaml(n), `plan-${n}.yaml`);
    assert.equal(r.plan.volumeGroups[0]!.drives.length, PLANS[n].drives.length);
  }
});
