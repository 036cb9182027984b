/**
 * The short bench that ends a rehearsal, as steps in the shape of src/rehearse/steps.ts's RehearseStep
 * (argv of jts-storage; `{plan}` and `{out}` replaced by the rehearsal). Short on purpose: the QD1
 * latency profiles on one mounted volume per I/O path of the plan (`--one-per-path`: the default plan's
 * 7 volumes share 4 paths; the results, the summary line and the report name the volumes each one stands
 * for) and on a scratch LV, 1 s each, one run, a 64 MiB region, all runs as the jobs of one fio process
 * (`--fio-batch`: under TCG each fio process costs seconds of start-up, more than a 1 s run). Measured in
 * the sandbox at load 7, same minutes: 123 s as before (8 targets, 3 s + 1 s ramp, 24 fio processes),
 * 48 s batched at 1 s on all 8 targets, 37–39 s batched on the 5 (docs/bench.md "Rehearsal"). The report
 * is written next to the other results.
 *
 * The bench step fails when any check that counts failed (`jsonProblem`, judged on its --json output):
 * bench itself exits 0 then (its exit status is about regressions), so the exit code alone would let a
 * failed check through as "OK". Checks on emulated drives are not judged (verdicts.ts checkProfile).
 */
import { formatFigure, FIGURES } from './figures.js';
import type { BenchResults } from './results.js';
import { failedChecks } from './verdicts.js';

/**
 * bench --json output → why the step fails ("2 checks failed: lv_system rand4k-qd1-write: write p99 1.8 ms
 * (max 1 ms) — spec 1015: …"), or undefined when every check that counts passed.
 */
export function benchStepProblem(json: unknown): string | undefined {
  const results = (json as Partial<BenchResults> | undefined)?.results;
  if (!Array.isArray(results)) return 'no results in the bench output';
  const failed = failedChecks({ results });
  if (!failed.length) return undefined;
  const lines = failed.map(
    (f) => `${f.target} ${f.profile}: ${FIGURES[f.figure]?.label ?? f.figure} ${formatFigure(f.figure, f.value)}${f.max !== undefined ? ` (max ${formatFigure(f.figure, f.max)})` : ''}${f.min !== undefined ? ` (min ${formatFigure(f.figure, f.min)})` : ''} — ${f.why}`,
  );
  return `${failed.length} check${failed.length > 1 ? 's' : ''} failed: ${lines.join('; ')}`;
}

export const REHEARSE_BENCH_STEPS = [
  {
    name: 'bench',
    argv: ['bench', '--plan', '{plan}', '--profile', 'rand4k-qd1', '--runtime', '1', '--repeat', '1', '--size', '64MiB', '--raw', 'scratch', '--one-per-path', '--fio-batch', '--save', '{out}/bench.json', '--json'],
    expectExit: [0],
    parseJson: true,
    jsonProblem: benchStepProblem,
  },
  {
    name: 'report',
    argv: ['report', '--results', '{out}/bench.json', '--plan', '{plan}', '--out', '{out}/report.html', '--json'],
    expectExit: [0],
    parseJson: true,
  },
] as const;
