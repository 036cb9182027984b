import { benchIo } from '../support/host-run.js';
import { runBench } from '../../src/bench/run.js';
import { compareResults } from '../../src/bench/compare.js';
import { summarize } from '../../src/bench/stats.js';
import type { BenchResults } from '../../src/bench/results.js';
import { benchRunner, fixturePlan } from '../bench/helpers.js';

/**
 * Results for the report tests: a bench run on the FakeRunner answering with fio output captured on
 * the test bed (ext4 LV + scratch LV), every profile, with a saved baseline where one figure regressed.
 */
export async function fixtureResults(): Promise<BenchResults> {
  const run = () =>
    runBench(benchIo(benchRunner()), {
      plan: { plan: fixturePlan(), file: 'plans/fixture.yaml', text: 'version: 1\n' },
      profiles: ['all'],
      raw: 'scratch',
      runtimeS: 2,
      repeat: 2,
      sizeBytes: 256 * 2 ** 20,
      collectHealth: async () => ({
        at: '2026-11-21T12:00:00.000Z',
        available: true,
        data: {
          status: 'warning',
          checks: [
            { kind: 'vg_free', subject: 'vg_fx', status: 'ok', message: 'reserve intact' },
            { kind: 'volume_used', subject: 'vg_fx/lv_fs <script>', status: 'warning', message: '82 % used (warn 80 %)' },
          ],
        },
      }),
    });
  const current = await run();
  const baseline = structuredClone(current);
  // The baseline was faster on one figure: the current run shows a regression there.
  const x = baseline.results.find((y) => y.target === 'lv_fs' && y.profile === 'rand4k-qd1-read')!;
  x.runs = x.runs.map((f) => ({ ...f, 'read.iops': f['read.iops']! * 1.25 }));
  x.summary = summarize(x.runs);
  current.comparison = compareResults(current, baseline, { baselineName: 'before-upgrade' });
  current.name = 'after-upgrade';
  return current;
}
