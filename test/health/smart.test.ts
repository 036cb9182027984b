import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCriticalWarning, nvmeTemperatureC, parseNvmeSmartLog } from '../../src/host/nvme.js';
import { parseSmartctl, smartctlFatal } from '../../src/host/smartctl.js';
import { fixture } from './helpers.js';

test('nvme smart-log JSON (nvme-cli 2.3, QEMU NVMe): Kelvin temperature converted, counters read from strings', () => {
  const h = parseNvmeSmartLog(fixture('nvme-smart-log.json'));
  // The capture says "temperature":323 — Kelvin, as the NVMe log page holds it.
  assert.equal(h.temperatureC, 50);
  assert.equal(h.criticalWarning, 0);
  assert.deepEqual(h.criticalWarnings, []);
  assert.equal(h.percentageUsed, 0);
  assert.equal(h.availableSpare, 0);
  assert.equal(h.availableSpareThreshold, 0);
  assert.equal(h.mediaErrors, 0);
  assert.equal(h.unsafeShutdowns, 0);
  assert.equal(h.powerOnHours, 0);
});

test('the namespace and the controller device give the same SMART log', () => {
  assert.deepEqual(parseNvmeSmartLog(fixture('nvme-smart-log.json')), parseNvmeSmartLog(fixture('nvme-smart-log-ctrl.json')));
});

test('smartctl -j -a on the same NVMe drive agrees with nvme-cli (smartctl gives Celsius)', () => {
  const s = parseSmartctl(fixture('smartctl-nvme.json'));
  const n = parseNvmeSmartLog(fixture('nvme-smart-log.json'));
  assert.equal(s.temperatureC, n.temperatureC);
  assert.equal(s.percentageUsed, n.percentageUsed);
  assert.equal(s.mediaErrors, n.mediaErrors);
  assert.equal(s.unsafeShutdowns, n.unsafeShutdowns);
  assert.equal(s.availableSpareThreshold, n.availableSpareThreshold);
  assert.equal(s.smartPassed, true);
  assert.equal(s.serial, 'JTS-HEALTH-0');
  assert.equal(s.model, 'QEMU NVMe Ctrl');
});

test('smartctl on a disk without SMART (QEMU SCSI) is an error, not a 0 °C reading', () => {
  assert.throws(() => parseSmartctl(fixture('smartctl-scsi.json')), /SMART is not available/);
});

test('smartctl exit status bits: 2 = open failed (no data), 4 = a SMART command failed (data still read)', () => {
  assert.match(smartctlFatal(2) ?? '', /open failed/);
  assert.match(smartctlFatal(1) ?? '', /command line/);
  assert.equal(smartctlFatal(4), undefined);
  assert.equal(smartctlFatal(8), undefined); // "disk failing": the JSON says so
  assert.equal(smartctlFatal(0), undefined);
});

test('critical warning bits decoded (NVMe base spec, SMART log byte 0)', () => {
  assert.deepEqual(decodeCriticalWarning(0), []);
  assert.deepEqual(
    decodeCriticalWarning(0x01).map((d) => d.severity),
    ['critical'],
  );
  assert.deepEqual(decodeCriticalWarning(0x02), [{ text: 'temperature outside the drive thresholds', severity: 'warning' }]);
  const all = decodeCriticalWarning(0x3f);
  assert.equal(all.length, 6);
  assert.match(all.map((d) => d.text).join('|'), /read-only/);
  assert.equal(decodeCriticalWarning(0x80).length, 1);
});

test('nvme temperature: Kelvin integer, 0 = not reported, strings with a unit', () => {
  assert.equal(nvmeTemperatureC(323), 50);
  assert.equal(nvmeTemperatureC(0), undefined);
  assert.equal(nvmeTemperatureC('310 K'), 37);
  assert.equal(nvmeTemperatureC('45 °C'), 45);
  assert.equal(nvmeTemperatureC('45 C'), 45);
});

test('garbage or an empty answer is an error with the tool named', () => {
  assert.throws(() => parseNvmeSmartLog(''), /nvme smart-log/);
  assert.throws(() => parseNvmeSmartLog('{"foo":1}'), /no SMART fields/);
  assert.throws(() => parseSmartctl('not json'), /smartctl/);
});
