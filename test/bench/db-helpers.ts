import { readFileSync } from 'node:fs';
import { benchRunner } from './helpers.js';
import type { FakeRunner } from '../support/fake-runner.js';

// The database tools' outputs as captured in the sandbox (test/fixtures/database/capture.sh).
export const dfx = (n: string) => readFileSync(`test/fixtures/database/${n}`, 'utf8');

export /** The bench FakeRunner plus the PostgreSQL and Redis tools answering with the captures. */
function dbRunner(): FakeRunner {
  const r = benchRunner();
  const bin = (a: string[]) => a.find((x) => x.startsWith('/usr/lib/postgresql/15/bin/'))?.split('/').pop();
  r.on((a) => bin(a) === 'pg_test_fsync', { stdout: dfx('pg_test_fsync.out') });
  r.on((a) => bin(a) === 'initdb' || bin(a) === 'pg_ctl', { stdout: '' });
  r.on((a) => bin(a) === 'pgbench' && a.includes('-i'), { stderr: dfx('pgbench-init.out') });
  r.on(
    (a) => bin(a) === 'pgbench' && !a.includes('-i'),
    (a) => {
      const prefix = a.find((x) => x.startsWith('--log-prefix='))!.slice(13);
      const sel = a.includes('-S');
      r.files.set(`${prefix}.256`, dfx(sel ? 'pgbench-ro.log' : 'pgbench-rw.log'));
      return { stdout: dfx(sel ? 'pgbench-ro.out' : 'pgbench-rw.out') };
    },
  );
  r.on(['chown'], {});
  r.on(['chmod'], {});
  r.on(['rm', '-rf'], {});
  let up = false;
  r.on((a) => a.includes('redis-server'), () => ((up = true), {}));
  r.on((a) => a[0] === 'redis-cli' && a.includes('SHUTDOWN'), () => ((up = false), {}));
  r.on((a) => a[0] === 'redis-cli' && a.includes('PING'), () => (up ? { stdout: 'PONG\n' } : { exitCode: 1, stderr: 'Could not connect to Redis' }));
  let mode = 'always';
  r.on((a) => a.includes('redis-server'), (a) => ((up = true), (mode = a[a.indexOf('--appendfsync') + 1]!), {}));
  r.on(['redis-benchmark', '-s'], () => ({ stdout: dfx(`redis-benchmark-${mode}.csv`) }));
  r.on(['redis-benchmark', '--version'], { stdout: dfx('redis-benchmark.version') });
  return r;
}

