import { test } from 'node:test';
import assert from 'node:assert/strict';
import { num, parseToolJson, str, bool } from '../../src/host/json.js';
import { HostReadError } from '../../src/host/env.js';
import { capture } from './fixtures.js';

test('JSON after lvm2 "File descriptor … leaked" lines (captured with stderr merged into stdout)', () => {
  const text = capture('fixtures/host/lvs-fd-leaked-merged.txt');
  assert.match(text, /^File descriptor 3 .* leaked on lvs invocation/);
  assert.deepEqual(parseToolJson(text, 'lvs'), { report: [{ lv: [] }] });
});

test('warnings after the JSON, and a "{" inside a warning before it, are skipped', () => {
  const doc = { report: [{ vg: [{ vg_name: 'vg_t' }] }] };
  assert.deepEqual(parseToolJson(`  WARNING: {odd} text\n${JSON.stringify(doc, null, 2)}\n  WARNING: Device /dev/sdz not found.\n`, 'vgs'), doc);
});

test('no JSON / broken JSON: one-line HostReadError naming the tool', () => {
  assert.throws(() => parseToolJson('', 'lvs'), (e: unknown) => e instanceof HostReadError && /^lvs: no JSON object in the output \(empty\)$/.test((e as Error).message));
  assert.throws(() => parseToolJson('  Volume group "x" not found\n', 'vgs'), /vgs: no JSON object in the output: "Volume group "x" not found"/);
  assert.throws(() => parseToolJson('{"report": [', 'lvs'), /lvs: invalid JSON/);
});

test('num reads C-locale numbers only: a decimal comma is unknown, never NaN', () => {
  assert.equal(num('91.50'), 91.5);
  assert.equal(num(' 4194304 '), 4194304);
  assert.equal(num(31.48), 31.48);
  assert.equal(num('-1'), -1);
  for (const v of ['31,48', '', '  ', 'unknown', '-', 'NaN', 'Infinity', '0x10', '1e', null, undefined, {}, Number.NaN]) assert.equal(num(v), undefined, String(v));
  assert.equal(str(''), undefined);
  assert.equal(str(3), '3');
  assert.equal(bool('1') && bool(true) && !bool('0') && !bool(''), true);
});
