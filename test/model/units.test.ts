import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSize, formatBytes, formatShortfall, SizeError, parseBytes } from '../../src/model/units.js';

const b = (s: string) => {
  const r = parseSize(s);
  assert.equal(r.kind, 'bytes', s);
  return (r as { bytes: number }).bytes;
};

test('LVM one-letter units are base 2 in either case', () => {
  assert.equal(b('200G'), 200 * 2 ** 30);
  assert.equal(b('200g'), 200 * 2 ** 30);
  assert.equal(b('4m'), 4 * 2 ** 20);
  assert.equal(b('1T'), 2 ** 40);
  assert.equal(b('1.5k'), 1536);
  assert.equal(b('8s'), 4096);
  assert.equal(b('512b'), 512);
});

test('KiB/MiB/GiB/TiB base 2, KB/MB/GB/TB base 10', () => {
  assert.equal(b('800GiB'), 800 * 2 ** 30);
  assert.equal(b('800GB'), 800e9);
  assert.equal(b('4TB'), 4e12);
  assert.equal(b('64KiB'), 65536);
  assert.equal(b('1kB'), 1000);
  assert.equal(b('0.1GB'), 1e8);
  assert.equal(b('1.5TiB'), 1.5 * 2 ** 40);
});

test('a bare number is refused (LVM would read it as MiB); a JS number from code is bytes', () => {
  assert.throws(() => b('4096'), /"4096" has no unit.*MiB/);
  assert.throws(() => b('0.5'), /has no unit/);
  assert.deepEqual(parseSize(4000000000000), { kind: 'bytes', bytes: 4e12, text: '4000000000000' });
});

test('percent and rest', () => {
  assert.deepEqual(parseSize('20%'), { kind: 'percent', percent: 20, text: '20%' });
  assert.deepEqual(parseSize('12.5%VG'), { kind: 'percent', percent: 12.5, text: '12.5%VG' });
  assert.equal(parseSize('rest').kind, 'rest');
  assert.equal(parseSize('REST').kind, 'rest');
});

test('zero, negative, garbage, ambiguous units are refused with a clear message', () => {
  assert.throws(() => parseSize('0'), /zero/);
  assert.throws(() => parseSize('0GiB'), /zero/);
  assert.throws(() => parseSize('0%'), /zero/);
  assert.throws(() => parseSize('-5G'), /negative/);
  assert.throws(() => parseSize(-1), SizeError);
  assert.throws(() => parseSize('lots'), /not understood/);
  assert.throws(() => parseSize('10 furlongs'), /not understood|unknown unit/);
  assert.throws(() => parseSize('10Gb'), /unknown unit/);
  assert.throws(() => parseSize('101%'), /more than 100%/);
  assert.throws(() => parseSize(''), /empty/);
  assert.throws(() => parseBytes('rest'), /absolute/);
  assert.throws(() => parseBytes('5%'), /absolute/);
});

test('formatting shows GiB and GB; shortfall rounds up', () => {
  assert.equal(formatBytes(4e12), '3725.29 GiB (4000 GB)');
  assert.equal(formatBytes(953673 * 4 * 2 ** 20), '3725.29 GiB (3999.99 GB)');
  assert.equal(formatBytes(4 * 2 ** 20), '4 MiB (4.19 MB)');
  assert.equal(formatShortfall(47603 * 4 * 2 ** 20), '185.95 GiB (199.67 GB)');
});
