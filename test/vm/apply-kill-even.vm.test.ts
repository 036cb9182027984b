// apply killed after every even action k converges on the next apply. The odd k and the mkfs kills run in
// apply-kill.vm.test.ts, side by side (scripts/run-tests.mjs).
import { test } from 'node:test';
import { crashAfterEachAction } from '../support/apply-vm.js';

test('apply killed after every even action k converges on the next apply', { timeout: 7_200_000 }, (t) => crashAfterEachAction(t, 'even', false));
