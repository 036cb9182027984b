import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitLoadSql, initdbArgv, parseCommitNotices, psqlArgv, scratchServerConf, PG_BIN } from '../../src/host/postgresql.js';
import { parseWriteReplies, redisLoadArgv, redisWriteScript } from '../../src/host/redis.js';

test('postgresql: the write load is one DO block that COMMITs each row and reports it, ends on the stop file or its bound', () => {
  const sql = commitLoadSql('drill', '/run/x/stop-load', 900, 50);
  assert.match(sql, /^DO \$\$/);
  assert.match(sql, /INSERT INTO drill VALUES \(i\); COMMIT; RAISE NOTICE 'jts-commit % % %'/);
  assert.match(sql, /\(pg_stat_file\('\/run\/x\/stop-load', true\)\)\.modification IS NOT NULL THEN RETURN/);
  assert.match(sql, /interval '900 seconds' THEN RAISE EXCEPTION/);
  assert.match(sql, /pg_sleep\(0\.050\)/);
  assert.throws(() => commitLoadSql("drill'; DROP", '/s', 1, 1), /unsafe/);
  // The load's statements are separate -c's of one psql: each in autocommit (a DO with COMMIT must be).
  const argv = psqlArgv({ socket: '/run/s', port: 5439 }, ['CREATE TABLE t (n int)', sql]);
  assert.deepEqual(argv.slice(0, 4), ['runuser', '-u', 'postgres', '--']);
  assert.equal(argv.filter((a) => a === '-c').length, 2);
  assert.equal(initdbArgv('/d/data')[4], `${PG_BIN}/initdb`);
  // The drill's settings come after the defaults: the last line of a setting wins (postgresql.conf(5)).
  assert.match(scratchServerConf('/run/s', 5439, { shared_buffers: '16MB', recovery_init_sync_method: 'syncfs' }), /synchronous_commit = on\nfsync = on\nfull_page_writes = on\n[\s\S]*shared_buffers = 16MB\nrecovery_init_sync_method = syncfs\n$/);
});

test('postgresql: commit notices are parsed across chunk boundaries (psql stderr as it arrives)', () => {
  const a = parseCommitNotices('', 'NOTICE:  jts-commit 1 1796081142977.210 1796081142984.712\nNOTICE:  jts-comm');
  assert.deepEqual(a.commits, [{ n: 1, sentMs: 1796081142977.21, doneMs: 1796081142984.712 }]);
  const b = parseCommitNotices(a.rest, 'it 2 1796081143200.970 1796081143207.147\nDO\n');
  assert.deepEqual(b.commits.map((c) => c.n), [2]);
  assert.equal(b.rest, '');
});

test('redis: one redis-cli repeats the write script; replies parsed across chunks; the stop key makes it write nothing', () => {
  const s = redisWriteScript('drill', 'drill:n', 'drill:stop');
  assert.match(s, /EXISTS', 'drill:stop'\) == 1 then return redis.error_reply/);
  assert.match(s, /INCR', 'drill:n'\) redis.call\('RPUSH', 'drill', n\)/);
  assert.throws(() => redisWriteScript("a'b", 'n', 's'), /unsafe/);
  assert.deepEqual(redisLoadArgv({ socket: '/run/r.sock' }, 'S', 18000, 0.05), ['redis-cli', '-s', '/run/r.sock', '-r', '18000', '-i', '0.05', 'EVAL', 'S', '0']);
  // Captured on this machine's redis-cli 7.0.15 (non-tty stdout: one reply per line; an error, then a blank line).
  const a = parseWriteReplies('', 'jts-write 1 1796081132 447123\njts-wr');
  assert.deepEqual(a.writes, [{ n: 1, ranMs: 1796081132447 }]);
  const b = parseWriteReplies(a.rest, 'ite 2 1796081132 497000\nERR jts-stopped\n\n');
  assert.deepEqual(b.writes, [{ n: 2, ranMs: 1796081132497 }]);
});
