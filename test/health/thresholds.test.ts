import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify } from '../../src/health/thresholds.js';
import { worst } from '../../src/health/types.js';

// The spec's storage-health.sh tested "> 80" before "> 90": its CRITICAL branch could never run.
// Here the most severe bound is tested first, and a bound counts as reached at equality (≥).
const cases: [number, number, number, string][] = [
  [0, 80, 90, 'ok'],
  [79.9, 80, 90, 'ok'],
  [80, 80, 90, 'warning'],
  [85, 80, 90, 'warning'],
  [89.99, 80, 90, 'warning'],
  [90, 80, 90, 'critical'],
  [95, 80, 90, 'critical'],
  [100, 80, 90, 'critical'],
  [91, 80, 90, 'critical'], // the value the spec script printed as WARNING
  // per-snapshot policy bands
  [69.9, 70, 85, 'ok'],
  [70, 70, 85, 'warning'],
  [85, 70, 85, 'critical'],
  // temperature in °C
  [69, 70, 80, 'ok'],
  [75, 70, 80, 'warning'],
  [80, 70, 80, 'critical'],
  [NaN, 80, 90, 'unknown'],
];

for (const [v, w, c, want] of cases) {
  test(`classify(${v}, warn ${w}, crit ${c}) = ${want}`, () => assert.equal(classify(v, w, c), want));
}

test('states combine as monitoring-plugins max_state_alt: OK < UNKNOWN < WARNING < CRITICAL', () => {
  assert.equal(worst(), 'ok');
  assert.equal(worst('ok', 'unknown'), 'unknown');
  assert.equal(worst('unknown', 'warning'), 'warning');
  assert.equal(worst('warning', 'critical', 'unknown'), 'critical');
});
