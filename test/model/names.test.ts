import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLvName, checkVgName, checkUserName, dmName, checkDmNameLength } from '../../src/model/names.js';

test('valid LVM names pass', () => {
  for (const n of ['vg_jts', 'lv_postgres', 'a', 'A-b.c+d_e', 'x'.repeat(127)]) assert.equal(checkLvName(n), undefined, n);
  assert.equal(checkVgName('vg_jts'), undefined);
});

test('metacharacters, leading hyphen, dots, length', () => {
  assert.match(checkLvName('lv;rm -rf /')!, /";"/);
  assert.match(checkLvName('lv name')!, /space/);
  assert.match(checkLvName('lv$x')!, /"\$"/);
  assert.match(checkLvName('-lv')!, /starts with '-'/);
  assert.match(checkVgName('.')!, /reserved/);
  assert.match(checkVgName('..')!, /reserved/);
  assert.match(checkLvName('x'.repeat(128))!, /at most 127/);
  assert.match(checkLvName('')!, /empty/);
  assert.match(checkLvName('lv/x')!, /"\/"/);
});

test('reserved LV prefixes and substrings', () => {
  assert.match(checkLvName('snapshot1')!, /starts with "snapshot"/);
  assert.match(checkLvName('pvmove0')!, /pvmove/);
  for (const s of ['_cdata', '_cmeta', '_corig', '_mlog', '_mimage', '_pmspare', '_rimage', '_rmeta', '_tdata', '_tmeta', '_vorigin', '_vdata', '_wcorig', '_iorig']) {
    assert.match(checkLvName(`lv${s}x`)!, new RegExp(s), s);
  }
  // A VG may be called snapshot: only LV names carry these restrictions.
  assert.equal(checkVgName('snapshot'), undefined);
});

test('device-mapper name doubles hyphens and is limited to 127', () => {
  assert.equal(dmName('vg-a', 'lv-b'), 'vg--a-lv--b');
  assert.equal(checkDmNameLength('vg', 'x'.repeat(124)), undefined);
  assert.match(checkDmNameLength('vg', 'x'.repeat(125))!, /128|127/);
  assert.match(checkDmNameLength('v-g', 'x'.repeat(123))!, /counts twice|127/);
  assert.match(checkDmNameLength('vg', 'x'.repeat(120), 5)!, /-real/);
});

test('user and group names follow useradd', () => {
  for (const n of ['postgres', 'clickhouse', '_apt', 'www-data', 'a1', 'machine$']) assert.equal(checkUserName(n), undefined, n);
  assert.match(checkUserName('Postgres')!, /not valid/);
  assert.match(checkUserName('1abc')!, /not valid/);
  assert.match(checkUserName('123')!, /numeric/);
  assert.match(checkUserName('-x')!, /not valid/);
  assert.match(checkUserName('a'.repeat(33))!, /at most 32/);
  assert.match(checkUserName('ro ot', 'group')!, /group name/);
});
