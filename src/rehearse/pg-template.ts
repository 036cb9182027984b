// The PostgreSQL cluster template of a rehearsal: initdb runs ONCE on the host that runs rehearse (its
// own CPU, ~2 s), before the boot; the guest's database drill unpacks the tar onto the volume under test
// (snapshot drill --pg-template) instead of running initdb there, whose bootstrap costs 50-90 s under
// TCG emulation. The guest runs the host's own binaries (it shares the host's root), so the files are
// those its initdb would write. Only the making of the catalog files moves: the server, its WAL, the
// snapshot, the merge and the crash recovery all run on the volume under test, as before.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Runner } from '../core/runner.js';
import { initdbArgv } from '../host/postgresql.js';

/** The template's file name in the rehearsal's out directory (the step's `{out}/pg-template.tar`). */
export const PG_TEMPLATE_FILE = 'pg-template.tar';

export interface PgTemplateResult {
  /** The tar (its one top directory: data/), or undefined when it could not be made. */
  file?: string;
  ms: number;
  /** One line for the rehearsal's log: what was made, or why not (the drill then runs initdb itself). */
  note: string;
}

/**
 * Make `outDir/pg-template.tar`: initdb (initdbArgv: trust, superuser postgres, --no-sync, C locale) into a fresh
 * temporary directory (as the postgres user when this process is root: initdb refuses root), then
 * `tar -cf` of its data/ directory; the temporary directory is removed. Never throws: a missing
 * PostgreSQL or a failed initdb is a note.
 */
export async function makePgTemplate(runner: Runner, outDir: string, uid: number): Promise<PgTemplateResult> {
  const t0 = performance.now();
  const file = path.join(outDir, PG_TEMPLATE_FILE);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'jts-pg-template-'));
  const ms = () => Math.round(performance.now() - t0);
  try {
    if (uid === 0) {
      const c = await runner.run(['chown', 'postgres', tmp], { timeoutMs: 30_000 });
      if (c.exitCode !== 0) return { ms: ms(), note: `no PostgreSQL template (chown postgres: ${c.stderr.trim() || c.exitCode}): the drill runs initdb in the guest` };
    }
    // initdbArgv runs it as postgres (runuser); a non-root user runs it as itself (runuser needs root).
    const argv = initdbArgv(path.join(tmp, 'data'));
    const r = await runner.run(uid === 0 ? argv : argv.slice(argv.indexOf('--') + 1), { timeoutMs: 300_000, env: { LC_ALL: 'C' } });
    if (r.exitCode !== 0 || r.notFound) return { ms: ms(), note: `no PostgreSQL template (initdb: ${r.notFound ? 'not installed' : (r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`)}): the drill runs initdb in the guest` };
    const t = await runner.run(['tar', '-C', tmp, '-cf', file, 'data'], { timeoutMs: 300_000 });
    if (t.exitCode !== 0) return { ms: ms(), note: `no PostgreSQL template (tar: ${t.stderr.trim()}): the drill runs initdb in the guest` };
    return { file, ms: ms(), note: `PostgreSQL cluster template made on this host by initdb in ${(ms() / 1000).toFixed(1)} s: the guest's drill unpacks it onto the volume instead of running initdb there` };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
