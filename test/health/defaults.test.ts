import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthSchema, SnapshotPolicySchema } from '../../src/model/plan-schema.js';
import { DEFAULT_HEALTH, DEFAULT_SNAPSHOT_POLICY } from '../../src/health/defaults.js';

// Health keeps the schema's defaults as constants (no zod at run time): they must stay the schema's.
test('health defaults are the plan schema defaults', () => {
  assert.deepEqual({ ...DEFAULT_HEALTH }, HealthSchema.parse({}));
  assert.deepEqual(JSON.parse(JSON.stringify(DEFAULT_SNAPSHOT_POLICY)), SnapshotPolicySchema.parse({}));
});
