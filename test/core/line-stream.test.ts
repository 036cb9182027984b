import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeLines } from '../../src/core/line-stream.js';

test('streamed output: complete lines out, the incomplete last line carried to the next chunk', () => {
  assert.deepEqual(completeLines('', 'a\nb'), { lines: ['a'], rest: 'b' });
  assert.deepEqual(completeLines('b', 'c\n'), { lines: ['bc'], rest: '' });
  assert.deepEqual(completeLines('x', ''), { lines: [], rest: 'x' });
});
