import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READ_AHEAD_DEFAULTS, desiredReadAhead, readAheadRangeError } from '../../src/facts/readahead-defaults.js';
import { WorkloadSchema } from '../../src/model/plan-schema.js';

test('every workload has a default with a reason and a source', () => {
  for (const w of WorkloadSchema.options) {
    const d = READ_AHEAD_DEFAULTS[w];
    assert.ok(d, w);
    assert.ok(d.reason.length > 10 && d.source.length > 5, w);
  }
  // MongoDB's production notes: 8–32 sectors; ClickHouse: not reduced (kernel default kept).
  const m = READ_AHEAD_DEFAULTS.mongodb.sectors;
  assert.ok(typeof m === 'number' && m >= 8 && m <= 32);
  assert.equal(READ_AHEAD_DEFAULTS.clickhouse.sectors, 'auto');
});

test('desiredReadAhead: plan number wins over the workload default', () => {
  assert.deepEqual(desiredReadAhead({ readAhead: 'auto', workload: 'mongodb' }).sectors, 32);
  assert.equal(desiredReadAhead({ readAhead: 256, workload: 'mongodb' }).sectors, 256);
  assert.equal(desiredReadAhead({ readAhead: 'auto', workload: 'clickhouse' }).sectors, 'auto');
});

test('read-ahead range', () => {
  assert.equal(readAheadRangeError(0), undefined);
  assert.equal(readAheadRangeError(8), undefined);
  assert.equal(readAheadRangeError(1048576), undefined);
  assert.match(readAheadRangeError(-8)!, /negative/);
  assert.match(readAheadRangeError(12)!, /multiple of the 4096-byte page.*round it to 8/);
  assert.match(readAheadRangeError(4)!, /round it to 8/);
  assert.match(readAheadRangeError(2_097_152)!, /out of range/);
  // 64 KiB pages: multiples of 128 sectors
  assert.match(readAheadRangeError(64, 65536)!, /128 sectors/);
});

test('agrees with the model\'s workload table (one truth for lint, diff and tune)', async () => {
  const { effectiveReadAhead } = await import('../../src/facts/readahead-defaults.js');
  for (const w of WorkloadSchema.options) {
    assert.deepEqual(desiredReadAhead({ readAhead: 'auto', workload: w }).sectors, effectiveReadAhead({ readAhead: 'auto', workload: w }), w);
  }
});
