import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBenchText } from '../../src/bench/text.js';
import { summaryLine } from '../../src/bench/run.js';
import { fixtureResults } from '../report/fixture-results.js';

test('the human output: a table per target with ratios, first writes, checks, the comparison and notes', async () => {
  const r = await fixtureResults();
  const out = renderBenchText(r);
  const long = out.split('\n').filter((l) => l.length > 80);
  assert.deepEqual(long, [], 'fits 80 columns');
  // Wrapped lines read as one for the checks below (continuation lines are indented).
  const text = out.replace(/\n +(?=\S)/g, ' ');
  assert.match(text, /lv_fs \(\/mnt\/fx\) \[hot, ext4, \/dev\/mapper\/vg_fx-lv_fs\]/);
  assert.match(text, /÷ raw/);
  assert.match(text, /rand4k-qd1-read .*read IOPS/);
  assert.match(text, /first write/);
  assert.match(text, /(PASS|FAIL) lv_fs rand4k-qd1-read: read clat p99/);
  assert.match(text, /ratio to raw .*lowest/);
  assert.match(text, /compared with before-upgrade .* 1 regression\(s\)/);
  assert.match(text, /REGRESSION lv_fs rand4k-qd1-read read IOPS: .* \(-20\.0 %\)/);
  assert.match(text, /note: The drives are emulated/);
  assert.match(summaryLine(r), /^2 targets × 13 profiles, checks \d+ pass \/ \d+ fail( \/ \d+ not judged \(emulated drives\))?, lowest ratio to raw [0-9.]+ \(lv_fs .*\), 1 regressions beyond ±10 %$/);
});
