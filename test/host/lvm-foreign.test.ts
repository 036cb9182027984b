// The foreign-VG reader (pvs --foreign): a VG is foreign when the fullreport did not show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FOREIGN_PVS_ARGV, parseForeignVgs } from '../../src/host/lvm-foreign.js';

const rep = (rows: object[]) => JSON.stringify({ report: [{ pv: rows }] });

test('foreign VGs: the ones --foreign adds, grouped with their PVs; orphans and visible VGs left out', () => {
  assert.deepEqual(FOREIGN_PVS_ARGV.slice(0, 2), ['pvs', '--foreign']);
  const text = rep([
    { pv_name: '/dev/nvme2n1', vg_name: 'vg_f', vg_systemid: 'hostB' },
    { pv_name: '/dev/nvme1n1', vg_name: 'vg_f', vg_systemid: 'hostB' },
    { pv_name: '/dev/nvme0n1', vg_name: 'vg_l', vg_systemid: '' },
    { pv_name: '/dev/nvme3n1', vg_name: '', vg_systemid: '' },
  ]);
  assert.deepEqual(parseForeignVgs(text, ['vg_l']), [{ name: 'vg_f', systemId: 'hostB', pvNames: ['/dev/nvme1n1', '/dev/nvme2n1'] }]);
  assert.deepEqual(parseForeignVgs(text, ['vg_l', 'vg_f']), []);
  assert.throws(() => parseForeignVgs('{"x":1}', []), /no "report" array/);
});
