// apply killed after every odd action k, and mkfs/mkfs.xfs killed midway, converges on the next apply.
// The even k run in apply-kill-even.vm.test.ts, side by side (scripts/run-tests.mjs).
import { test } from 'node:test';
import { crashAfterEachAction } from '../support/apply-vm.js';

test('apply killed after every odd action k (and mkfs killed midway) converges on the next apply', { timeout: 7_200_000 }, (t) =>
  crashAfterEachAction(t, 'odd', true));
