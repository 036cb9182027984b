/**
 * The short bench that ends a rehearsal, as steps in the shape of src/rehearse/steps.ts's RehearseStep
 * (argv of jts-storage; `{plan}` and `{out}` replaced by the rehearsal). Short on purpose: the QD1
 * latency profiles on every mounted volume of the plan and on a scratch LV, 3 s each, one run, a
 * 64 MiB region, so a rehearsal of the default plan on a 4 TB image stays within a couple of minutes
 * and writes little to the sparse image. The report is written next to the other results.
 */
export const REHEARSE_BENCH_STEPS = [
  {
    name: 'bench',
    argv: ['bench', '--plan', '{plan}', '--profile', 'rand4k-qd1', '--runtime', '3', '--repeat', '1', '--size', '64MiB', '--raw', 'scratch', '--save', '{out}/bench.json', '--json'],
    expectExit: [0],
    parseJson: true,
  },
  {
    name: 'report',
    argv: ['report', '--results', '{out}/bench.json', '--plan', '{plan}', '--out', '{out}/report.html', '--json'],
    expectExit: [0],
    parseJson: true,
  },
] as const;
