/**
 * Guest side of test/vm/dr-runbook.vm.test.ts (inside the sandbox only: it formats the RB-* drives):
 *
 *   node dist/test/support/dr-runbook-guest.js OUT
 *
 * Runs every ```bash runbook:<id> block of docs/dr-runbook.md in order, each as `bash` with
 * `set -euo pipefail`, with the scenario's hooks before and after (dr-runbook-scenario.ts). Writes
 * OUT/<id>.sh (the script run), .out, .err, .rc, .ms and the hooks' .before.* / .after.*; stops at the first
 * block or hook that fails (the later ones start from the state it should have made); OUT/done at the end.
 *
 * `jts-storage` in the blocks is a bash function that hands its argv to THIS process through two FIFOs,
 * which runs the CLI's `main` in-process (test/support/guest-cli.ts): the same code as bin/jts-storage.js
 * without a node start per call, which costs ~10 s under TCG (measured: `jts-storage --version` 9.9 s
 * in an idle guest, against ~1 s for `node -e 1`).
 */
import { constants, openSync, closeSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from './guest-cli.js';
import { HOOK_LIB, SCENARIO, SETUP, fillPlaceholders, parseRunbook, planYaml, PLANS, type PlanName } from './dr-runbook-scenario.js';

const OUT = process.argv[2]!;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The FIFOs live on the guest's own tmpfs: the out directory is a 9p mount, which has no FIFOs.
const SHIM = '/run/dr-runbook-shim';
const log = (s: string) => writeFileSync(join(OUT, 'driver.log'), `${new Date().toISOString()} ${s}\n`, { flag: 'a' });

/** The CLI server: one request at a time (argv NUL-separated in req), answer rc in resp, output in files. */
let stopping = false;
async function serve(): Promise<void> {
  for (;;) {
    const req = await readFile(join(SHIM, 'req'));
    if (stopping) return;
    const parts = req.toString('utf8').split('\0');
    parts.pop(); // the trailing NUL
    const args = parts.slice(1); // parts[0]: the caller's pid, for the log
    const { rc, ms } = await runCliCaptured(SHIM, 'call', args);
    log(`jts-storage ${args.join(' ')} # ${rc} (${ms} ms)`);
    await writeFile(join(SHIM, 'resp'), `${rc}\n`);
  }
}

const SHIM_SH = `# jts-storage as a call into the driver process (dr-runbook-guest.ts)
jts-storage() {
  printf '%s\\0' "$$" "$@" > "${SHIM}/req"
  local rc
  read -r rc < "${SHIM}/resp"
  cat "${SHIM}/call.out"
  cat "${SHIM}/call.err" >&2
  return "$rc"
}
export OUT='${OUT}' ROOT='${ROOT}'
`;

/** Runs a bash script file; stdout/stderr to OUT/name.out/.err; rc and wall ms to .rc/.ms. */
async function bash(name: string, body: string): Promise<number> {
  const file = join(OUT, `${name}.sh`);
  writeFileSync(file, `set -euo pipefail\nsource ${SHIM}/shim.sh\n${HOOK_LIB}\n${body}\n`);
  const o = openSync(join(OUT, `${name}.out`), 'w');
  const e = openSync(join(OUT, `${name}.err`), 'w');
  const t = Date.now();
  const rc = await new Promise<number>((res) => {
    const p = spawn('bash', [file], { stdio: ['ignore', o, e], cwd: '/root', env: { ...process.env, LC_ALL: 'C' } });
    p.on('exit', (code, sig) => res(code ?? (sig ? 128 : 1)));
    p.on('error', () => res(127));
  });
  closeSync(o);
  closeSync(e);
  const ms = Date.now() - t;
  writeFileSync(join(OUT, `${name}.rc`), `${rc}\n`);
  writeFileSync(join(OUT, `${name}.ms`), `${ms}\n`);
  log(`${name}: rc ${rc} in ${ms} ms`);
  return rc;
}

const devOf = (serial: string): string => {
  for (const n of readFileSync('/proc/partitions', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[3] ?? '').filter((x) => /^nvme\d+n\d+$/.test(x))) {
    try {
      if (readFileSync(`/sys/block/${n}/device/serial`, 'utf8').trim() === serial) return `/dev/${n}`;
    } catch {
      /* not an NVMe namespace with a serial */
    }
  }
  throw new Error(`no drive with serial ${serial}`);
};

async function main(): Promise<void> {
  mkdirSync(SHIM, { recursive: true });
  for (const f of ['req', 'resp']) if (spawnSync('mkfifo', [join(SHIM, f)]).status !== 0) throw new Error(`mkfifo ${join(SHIM, f)} failed`);
  writeFileSync(join(SHIM, 'shim.sh'), SHIM_SH);
  for (const n of Object.keys(PLANS) as PlanName[]) writeFileSync(join(OUT, `plan-${n}.yaml`), planYaml(n));
  serve().catch((e) => {
    log(`serve: ${(e as Error).stack}`);
    process.exit(1);
  });
  const values = { OLD_DRIVE: devOf('RB-A'), BIG_DRIVE: devOf('RB-C') };
  writeFileSync(join(OUT, 'placeholders.json'), JSON.stringify(values));
  const blocks = parseRunbook(readFileSync(join(ROOT, 'docs/dr-runbook.md'), 'utf8'));
  const t0 = Date.now();
  if ((await bash('setup', SETUP)) !== 0) return;
  for (const b of blocks) {
    const step = SCENARIO.find((s) => s.id === b.id);
    if (!step) {
      log(`${b.id}: not in the scenario`);
      return;
    }
    if (step.before && (await bash(`${b.id}.before`, step.before)) !== 0) return;
    if ((await bash(b.id, fillPlaceholders(b.body, values))) !== 0) return;
    if (step.after && (await bash(`${b.id}.after`, step.after)) !== 0) return;
  }
  writeFileSync(join(OUT, 'blocks-ms'), `${Date.now() - t0}\n`);
  writeFileSync(join(OUT, 'done'), 'done\n');
}

main()
  .catch((e) => log(`driver: ${(e as Error).stack}`))
  .finally(() => {
    // process.exit waits for libuv's threads, and one is blocked opening the request FIFO for the next
    // call: open it for writing once so that open returns (serve sees `stopping` and ends).
    stopping = true;
    try {
      closeSync(openSync(join(SHIM, 'req'), constants.O_WRONLY | constants.O_NONBLOCK)); // ENXIO: no reader waits
    } catch {
      /* no FIFO or no reader: nothing blocks */
    }
    process.exit(0);
  });
