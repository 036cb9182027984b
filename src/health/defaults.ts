/**
 * The plan schema's defaults health needs when the plan does not give them (no --plan; a volume without
 * a snapshot policy), as plain constants: evaluation then loads no zod (about 100 module files, seconds
 * per run under emulation). test/health/defaults.test.ts checks they equal the schema's own defaults
 * (HealthSchema.parse({}), SnapshotPolicySchema.parse({})), so they cannot drift apart.
 */
import type { SnapshotPolicy } from '../model/plan-schema.js';
import type { HealthThresholds } from './scope.js';

export const DEFAULT_HEALTH: Readonly<HealthThresholds> = Object.freeze({
  warningPercent: 80,
  criticalPercent: 90,
  textfileDir: '/var/lib/prometheus/node-exporter',
  temperatureWarnC: 70,
  temperatureCritC: 80,
});

export const DEFAULT_SNAPSHOT_POLICY: Readonly<SnapshotPolicy> = Object.freeze({
  type: 'classic',
  size: '10%',
  retention: { keepLast: 1, hourly: 0, daily: 7, weekly: 0, monthly: 0, minAge: '0h' },
  warnFillPercent: 70,
  critFillPercent: 85,
});
