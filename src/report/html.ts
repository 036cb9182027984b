import { FIGURES, formatBytes, formatFigure, type FigureKey } from '../bench/figures.js';
import type { BenchResults, ProfileRun } from '../bench/results.js';
import { changeVerdict, type Comparison } from '../bench/compare.js';
import { getProfile } from '../bench/profiles.js';
import { RATIO_GOAL } from '../bench/verdicts.js';
import { ratioVerdict } from '../bench/volume-verdicts.js';
import { esc, scriptJson, table, td } from './html-parts.js';
import { databaseSection, layoutCells, ratioComparisonSection } from './database-html.js';
import { comparisonBars, ratioWithRange, verdictClass, verdictSection, VERDICT_CSS } from './verdict-html.js';

export { esc, scriptJson } from './html-parts.js';

/**
 * The HTML report: ONE self-contained file. Chart.js's UMD build is inlined (no CDN, no network:
 * the report is read on hosts and laptops without internet, and attached to tickets). Pure: the
 * chart.js source text comes in as an argument.
 */
export interface ReportInput {
  results: BenchResults;
  /** chart.js/dist/chart.umd.min.js, inlined. */
  chartJs: string;
  generatedAt: string;
  /** Where the results came from (file path). */
  source?: string;
  /** A comparison made at report time (report --compare), else the one saved with the results. */
  comparison?: Comparison;
  /** Health taken at report time, when the results carry none. */
  health?: BenchResults['health'];
}

const LAT_KEYS: FigureKey[] = [
  'read.clat_p50_us',
  'read.clat_p99_us',
  'read.clat_p999_us',
  'write.clat_p50_us',
  'write.clat_p99_us',
  'write.clat_p999_us',
  'sync.lat_p50_us',
  'sync.lat_p99_us',
  'sync.lat_p999_us',
];

function targetLabel(r: BenchResults, id: string): string {
  return r.targets.find((t) => t.id === id)?.label ?? id;
}

function statCell(run: ProfileRun, k: FigureKey): string {
  const s = run.summary[k];
  if (!s) return '<td>—</td>';
  const spread = s.n > 1 ? ` <span class="spread">±${(s.spreadPct / 2).toFixed(1)} %</span>` : '';
  return `<td>${esc(formatFigure(k, s.median))}${spread}</td>`;
}

function healthSection(h: BenchResults['health'] | undefined, label: string): string {
  if (!h) return `<p class="muted">Health: unavailable (not collected).</p>`;
  if (!h.available) return `<p class="muted">Health: unavailable — ${esc(h.note ?? 'no health module')} (${esc(h.at)}).</p>`;
  const d = h.data as { status?: string; checks?: { kind?: string; subject?: string; status?: string; message?: string }[] } | undefined;
  const checks = Array.isArray(d?.checks) ? d!.checks! : [];
  const rows = checks.map((c) => [td(c.status, `st-${c.status}`), td(c.kind), td(c.subject), td(c.message)]);
  return (
    `<p>Health ${esc(label)} (${esc(h.at)}): <strong class="st-${esc(d?.status)}">${esc(String(d?.status ?? '?').toUpperCase())}</strong></p>` +
    (rows.length ? table(['status', 'check', 'subject', 'detail'], rows, 'health') : `<pre>${esc(JSON.stringify(h.data, null, 2))}</pre>`)
  );
}

export function renderReportHtml(input: ReportInput): string {
  const r = input.results;
  const m = r.meta;
  const comparison = input.comparison ?? r.comparison;
  const health = r.health ?? input.health;
  const healthLabel = r.health ? 'at the time of the bench' : 'at the time of this report';
  const profiles = r.profiles.filter((p) => r.results.some((x) => x.profile === p.name));
  const failed = r.results.flatMap((x) => (x.checks ?? []).filter((c) => !c.pass && !c.notJudged).map((c) => ({ ...c, target: x.target, profile: x.profile })));
  const passed = r.results.reduce((n, x) => n + (x.checks ?? []).filter((c) => c.pass && !c.notJudged).length, 0);
  const notJudged = r.results.reduce((n, x) => n + (x.checks ?? []).filter((c) => c.notJudged).length, 0);
  const lowest = [...r.ratios].sort((a, b) => a.ratio - b.ratio)[0];

  // Chart data: per profile, the targets and their medians.
  const chartData = profiles.map((p) => {
    const runs = r.targets.map((t) => r.results.find((x) => x.target === t.id && x.profile === p.name)).filter((x): x is ProfileRun => !!x);
    const labels = runs.map((x) => targetLabel(r, x.target));
    const lat = LAT_KEYS.filter((k) => runs.some((x) => x.summary[k])).map((k) => ({ label: FIGURES[k].label, key: k, data: runs.map((x) => x.summary[k]?.median ?? null) }));
    const iops = (['read.iops', 'write.iops'] as FigureKey[])
      .filter((k) => runs.some((x) => x.summary[k]))
      .map((k) => ({ label: FIGURES[k].label, key: k, data: runs.map((x) => x.summary[k]?.median ?? null) }));
    const bw = (['read.bw_bytes', 'write.bw_bytes'] as FigureKey[])
      .filter((k) => runs.some((x) => x.summary[k]))
      .map((k) => ({ label: `${FIGURES[k].label} (MiB/s)`, key: k, data: runs.map((x) => (x.summary[k] ? x.summary[k]!.median / 2 ** 20 : null)) }));
    return { id: p.name, labels, lat, iops, bw };
  });
  const ratioVerdicts = r.ratios.map((x) => ratioVerdict(r, x));
  const ratioData = {
    labels: r.ratios.map((x) => `${targetLabel(r, x.target)} · ${x.profile} · ${FIGURES[x.figure].label}`),
    data: r.ratios.map((x) => x.ratio),
    // Green/red only for conclusive verdicts; grey when a single run or the spread cannot tell.
    colors: ratioVerdicts.map((v) => (v.kind === 'as-fast' ? '#1a7f37' : v.kind === 'slower' ? '#cf222e' : '#8c959f')),
  };
  const lowestVerdict = lowest ? ratioVerdict(r, lowest) : undefined;

  const css = `
  body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
  main{max-width:1180px;margin:0 auto;padding:24px}
  h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
  h3{font-size:16px;margin:20px 0 4px}
  .muted{color:#57606a}.spread{color:#6e7781;font-size:12px}
  .banner{background:#fff8c5;border:1px solid #d4a72c;padding:10px 14px;border-radius:6px;margin:14px 0}
  table{border-collapse:collapse;margin:8px 0;background:#fff;font-size:13px}
  th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}th{background:#eef1f4}
  .ok,.st-ok{color:#1a7f37}.bad,.st-critical{color:#cf222e;font-weight:600}.st-warning{color:#9a6700;font-weight:600}.st-unknown{color:#6e7781}
  .charts{display:grid;grid-template-columns:1fr 1fr;gap:16px}
  .chart{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px;height:300px;position:relative}
  .cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:160px}
  .card b{display:block;font-size:20px}
  code{background:#eef1f4;padding:1px 4px;border-radius:4px;font-size:12px}${VERDICT_CSS}`;

  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`);
  parts.push(`<title>jts-storage bench report — ${esc(m.host ?? '')} ${esc(r.createdAt)}</title><style>${css}</style></head><body><main>`);
  parts.push(`<h1>jts-storage bench report</h1>`);
  parts.push(
    `<p class="muted">${esc(m.host ?? '?')} · kernel ${esc(m.kernel ?? '?')} · ${esc(m.fioVersion ?? 'fio ?')} · bench ${esc(r.createdAt)}${r.name ? ` (saved as <code>${esc(r.name)}</code>)` : ''} · report ${esc(input.generatedAt)}${input.source ? ` · from <code>${esc(input.source)}</code>` : ''}</p>`,
  );
  parts.push(
    `<div class="banner" id="emulation-note"><strong>${m.emulated ? 'Emulated drives: absolute numbers are not the drive\'s.' : 'Absolute numbers depend on this host.'}</strong> ` +
      (m.emulated
        ? 'These runs used emulated drives (QEMU/virtio, backed by image files on the host): IOPS, bandwidth and latency measure the emulator and the host, not any real NVMe drive. What carries over is the ratios measured within one run (filesystem ÷ raw, one layout ÷ another).'
        : 'Figures are this host\'s drives under this kernel, with the other load present at the time; compare runs of the same host only, and trust changes larger than the spread.') +
      `</div>`,
  );
  parts.push(
    `<div class="cards"><div class="card">profiles<b>${profiles.length}</b></div><div class="card">targets<b>${r.targets.length}</b></div>` +
      `<div class="card">runs per figure<b>${m.repeat} × ${m.runtimeS} s</b></div>` +
      `<div class="card">checks<b class="${failed.length ? 'bad' : passed ? 'ok' : ''}">${passed} pass / ${failed.length} fail${notJudged ? ` · ${notJudged} not judged (emulated drives)` : ''}</b></div>` +
      (lowest && lowestVerdict ? `<div class="card">lowest ratio to raw<b class="${verdictClass(lowestVerdict.kind)}">${lowest.ratio.toFixed(3)}</b></div>` : '') +
      (comparison ? regressionsCard(comparison) : '') +
      `</div>`,
  );

  parts.push(verdictSection(r));

  // Plan summary
  parts.push(`<h2 id="plan">Plan</h2>`);
  if (r.plan) {
    parts.push(
      `<p>Plan <code>${esc(r.plan.name)}</code>${r.plan.file ? ` from <code>${esc(r.plan.file)}</code>` : ''}${m.planHash ? `, <code>${esc(m.planHash.slice(0, 19))}…</code>` : ''}.</p>`,
    );
    // --one-per-path: which volume was measured for each (bench/targets.ts onePerIoPath).
    const per = m.onePerPath;
    const measuredAs = (name: string) => (per?.find((x) => x.target === name) ? 'measured' : (per?.find((x) => x.standsFor.includes(name))?.target ?? ''));
    parts.push(
      table(
        ['volume', 'VG', 'size', 'workload', 'filesystem', 'mount', 'options', 'tier', ...(per ? ['one per I/O path'] : [])],
        r.plan.volumes.map((v) => [
          td(v.name), td(v.vg), td(v.size), td(v.workload), td(v.fstype), td(v.mountPath ?? '—'), td((v.mountOptions ?? []).join(', ')), td(v.tier ?? ''),
          ...(per ? [td(measuredAs(v.name) === 'measured' || !measuredAs(v.name) ? measuredAs(v.name) : `as ${measuredAs(v.name)}`)] : []),
        ]),
      ),
    );
    if (r.plan.networkMounts.length) {
      parts.push(table(['network mount', 'type', 'source', 'tier'], r.plan.networkMounts.map((n) => [td(n.path), td(n.type), td(n.source), td(n.tier)])));
    }
  } else parts.push(`<p class="muted">No plan was given to the bench (directories only).</p>`);
  parts.push(`<h3>Targets measured</h3>`);
  parts.push(
    table(
      ['target', 'kind', 'tier', 'device', 'filesystem', 'mount options', 'drive'],
      r.targets.map((t) => [
        td(t.label),
        td(t.kind),
        td(t.tier),
        td(t.device ?? '—'),
        td(t.fstype ?? '—'),
        td((t.mountOptions ?? []).join(', ')),
        td((t.drives ?? []).map((d) => `${d.model ?? d.path} ${d.serial ?? ''}`.trim()).join('; ')),
      ]),
    ),
  );

  // Per profile
  parts.push(`<h2 id="profiles">Profiles</h2>`);
  parts.push(
    `<p class="muted">Medians of ${m.repeat} run(s); ± is half the spread (max − min) of the runs. Each region was written fully before measuring (${esc(formatBytes(m.sizeBytes))} per target), so no read is of never-written space.</p>`,
  );
  for (const p of profiles) {
    const runs = r.results.filter((x) => x.profile === p.name);
    parts.push(`<section class="profile" id="profile-${esc(p.name)}"><h3>${esc(p.title)} <code>${esc(p.name)}</code></h3><p>${esc(p.reason)}</p>`);
    if (p.compareWith) parts.push(`<p class="muted">Compare with: ${esc(p.compareWith)}</p>`);
    parts.push(
      `<div class="charts"><div class="chart"><canvas id="lat-${esc(p.name)}" aria-label="latency percentiles"></canvas></div><div class="chart"><canvas id="tp-${esc(p.name)}" aria-label="throughput"></canvas></div></div>`,
    );
    const keys = p.reports.filter((k) => runs.some((x) => x.summary[k]));
    parts.push(table(['target', ...keys.map((k) => FIGURES[k].label)], runs.map((x) => [td(targetLabel(r, x.target)), ...keys.map((k) => statCell(x, k))])));
    const checks = runs.flatMap((x) => (x.checks ?? []).map((c) => ({ ...c, target: x.target })));
    for (const c of checks) {
      parts.push(
        `<p class="${c.notJudged ? 'muted' : c.pass ? 'ok' : 'bad'}">${c.notJudged ? 'not judged: ' : ''}${c.pass ? 'PASS' : 'FAIL'} · ${esc(targetLabel(r, c.target))}: ${esc(FIGURES[c.figure].label)} ${esc(formatFigure(c.figure, c.value))}${c.max !== undefined ? ` (limit ${esc(formatFigure(c.figure, c.max))})` : ''} — ${esc(c.why)}${c.notJudged ? ` (${esc(c.notJudged)})` : ''}</p>`,
      );
    }
    parts.push(`</section>`);
  }

  // Ratios
  parts.push(`<h2 id="ratios">Ratio to the raw drive</h2>`);
  if (r.ratios.length) {
    parts.push(
      `<p>Each volume's figure ÷ the same profile on ${esc(targetLabel(r, r.rawTarget ?? 'raw'))}, measured in the same run. Normalised so that 1.000 is as fast as raw and higher is better (latency ratios are raw ÷ volume). Goal: ≥ ${RATIO_GOAL}; coloured only when conclusive (the verdicts above).</p>`,
    );
    const buffered = [...new Set(r.ratios.map((x) => x.profile))].filter((n) => getProfile(n)?.fio.direct === false);
    if (buffered.length) {
      parts.push(
        `<p class="muted">Buffered profiles (${buffered.map(esc).join(', ')}) go through the page cache: on the raw side that is the block device's cache, on a volume the file's, so their ratios compare two cache paths as well as the filesystem; the ≥ ${RATIO_GOAL} goal is meant for the direct-I/O profiles.</p>`,
      );
    }
    parts.push(`<div class="chart" style="height:${Math.max(220, r.ratios.length * 22 + 60)}px"><canvas id="ratio-chart"></canvas></div>`);
    parts.push(
      table(
        ['volume', 'profile', 'figure', 'volume', 'raw', 'ratio (range)', 'spread volume / raw'],
        r.ratios.map((x, i) => {
          const sp = (t: string) => r.results.find((y) => y.target === t && y.profile === x.profile)?.summary[x.figure];
          const a = sp(x.target);
          const b = sp(r.rawTarget ?? 'raw');
          return [
            td(targetLabel(r, x.target)),
            td(x.profile),
            td(FIGURES[x.figure].label),
            td(formatFigure(x.figure, x.targetMedian)),
            td(formatFigure(x.figure, x.rawMedian)),
            td(ratioWithRange(ratioVerdicts[i]!), verdictClass(ratioVerdicts[i]!.kind)),
            td(a && b && a.n > 1 ? `${a.spreadPct.toFixed(0)} % / ${b.spreadPct.toFixed(0)} %` : '—'),
          ];
        }),
      ),
    );
  } else parts.push(`<p class="muted">No raw side in this run (bench --raw scratch gives one).</p>`);

  if (r.layoutComparison) {
    const lc = r.layoutComparison;
    parts.push(`<h2 id="layout">Tuned default layout ÷ seed-literal layout</h2><p>${esc(lc.note)}</p>`);
    if (lc.omitted.length) parts.push(`<p class="muted">Seed options left out (the kernel refuses to mount them): ${lc.omitted.map(esc).join('; ')}</p>`);
    parts.push(
      table(
        ['volume', 'profile / database test', 'figure', 'tuned', 'seed-literal', 'tuned ÷ seed (range over the runs)', 'spread tuned / seed'],
        lc.rows.map((x) => {
          const sp = (t: string) => r.results.find((y) => y.target === t && y.profile === x.profile)?.summary[x.figure]?.spreadPct;
          const a = x.spreadPct?.tuned ?? sp(x.volume);
          const b = x.spreadPct?.seed ?? sp(`seed:${x.volume}`);
          return [
            ...layoutCells(x),
            td(a !== undefined && b !== undefined ? `${a.toFixed(0)} % / ${b.toFixed(0)} %` : '—'),
          ];
        }),
      ),
    );
  }

  parts.push(databaseSection(r));

  // First write
  parts.push(`<h2 id="first-write">First-write cost</h2>`);
  parts.push(
    `<p>The preconditioning pass: each region written once, sequentially in 1 MiB blocks. On thin volumes (allocation) and under classic snapshots (copy-on-write) this is slower than steady state: it is what a database sees right after a snapshot is taken.</p>`,
  );
  parts.push(
    table(
      ['target', 'size', 'write bandwidth', 'clat p50', 'clat p99'],
      r.firstWrite.map((f) => [
        td(targetLabel(r, f.target)),
        td(formatBytes(f.sizeBytes)),
        td(formatFigure('write.bw_bytes', f.figures['write.bw_bytes'])),
        td(formatFigure('write.clat_p50_us', f.figures['write.clat_p50_us'])),
        td(formatFigure('write.clat_p99_us', f.figures['write.clat_p99_us'])),
      ]),
    ),
  );

  // Comparison
  parts.push(`<h2 id="comparison">Comparison with a saved baseline</h2>`);
  if (comparison) {
    parts.push(
      `<p>Baseline <code>${esc(comparison.baselineName ?? '?')}</code> (${esc(comparison.baselineCreatedAt)}). A change is a regression only when it is worse by more than ±${comparison.noisePct} % and conclusive: both runs repeated, and their ranges (min…max) apart. Single runs, or changes inside the runs' spread, are shown as not conclusive, not coloured.</p>`,
    );
    const sorted = [...comparison.changes].sort((a, b) => a.betterPct - b.betterPct);
    const flagged = sorted.filter((x) => x.regression || x.improvement || x.inconclusive);
    const cmpTable = (rows: typeof sorted) =>
      table(
        ['target', 'profile', 'figure', 'baseline', 'now', 'change', ''],
        rows.map((x) => [
          td(targetLabel(r, x.target)),
          td(x.profile),
          td(FIGURES[x.figure].label),
          td(formatFigure(x.figure, x.baseline)),
          td(formatFigure(x.figure, x.current)),
          td(`${x.changePct >= 0 ? '+' : ''}${x.changePct.toFixed(1)} %`),
          td(changeVerdict(x, comparison.noisePct).text, x.regression ? 'bad' : x.improvement ? 'ok' : ''),
        ]),
        'comparison',
      );
    parts.push(comparisonBars(r, comparison));
    parts.push(flagged.length ? cmpTable(flagged) : `<p>No figure moved conclusively beyond the noise band.</p>`);
    parts.push(`<details><summary>All ${sorted.length} compared figures</summary>${cmpTable(sorted)}</details>`);
    parts.push(ratioComparisonSection(comparison));
    if (comparison.onlyInBaseline.length) parts.push(`<p class="muted">In the baseline only: ${comparison.onlyInBaseline.map(esc).join(', ')}</p>`);
  } else parts.push(`<p class="muted">No baseline compared (bench --compare NAME, or report --compare NAME).</p>`);

  // Health
  parts.push(`<h2 id="health">Health</h2>`);
  parts.push(healthSection(health, healthLabel));

  // Method
  parts.push(`<h2 id="method">Method and notes</h2><ul>`);
  parts.push(
    `<li>fio ${esc(m.fioVersion ?? '')}, <code>--output-format=json</code>, ${m.runtimeS} s per run after ${m.rampS} s of ramp, ${m.repeat} run(s) per profile and target, interleaved (repeat → profile → target) so drift hits every target alike.</li>`,
  );
  parts.push(`<li>Test files were removed afterwards; a scratch LV, if any, was removed.</li>`);
  for (const n of r.notes) parts.push(`<li>${esc(n)}</li>`);
  parts.push(`</ul>`);
  parts.push(`<details><summary>fio command lines</summary><pre>${esc(r.results.map((x) => `${x.target}: ${x.argv.join(' ')}`).join('\n'))}</pre></details>`);

  parts.push(`<script>/* Chart.js (MIT), inlined: the report needs no network. */\n${input.chartJs.replace(/<\/script/gi, '<\\/script')}\n</script>`);
  parts.push(`<script type="application/json" id="report-data">${scriptJson({ charts: chartData, ratios: ratioData })}</script>`);
  parts.push(`<script>${CLIENT_JS}</script>`);
  parts.push(`</main></body></html>\n`);
  return parts.join('\n');
}

/** Conclusive regressions: red when any, green only when every change beyond the band was conclusive. */
function regressionsCard(c: Comparison): string {
  const open = c.changes.filter((x) => x.inconclusive).length;
  const cls = c.regressions.length ? 'bad' : open ? '' : 'ok';
  return `<div class="card">regressions (±${c.noisePct} %)<b class="${cls}" id="regressions-count">${c.regressions.length}${open ? ` · ${open} not conclusive` : ''}</b></div>`;
}

/** Runs in the browser: builds the charts from the embedded data; sets window.__jtsCharts for tests. */
const CLIENT_JS = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#0969da','#1a7f37','#bf3989','#9a6700','#8250df','#cf222e','#1b7c83','#6e7781','#fb8500'];
  var charts = [];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  function ds(list){ return list.map(function(d,i){ return {label:d.label, data:d.data, backgroundColor:palette[i % palette.length]}; }); }
  data.charts.forEach(function(c){
    var lat = document.getElementById('lat-' + c.id);
    if (lat && c.lat.length) charts.push(new Chart(lat, {type:'bar', data:{labels:c.labels, datasets:ds(c.lat)},
      options:{plugins:{title:{display:true, text:'Latency percentiles (µs, log scale)'}}, scales:{y:{type:'logarithmic', title:{display:true, text:'µs'}}}}}));
    var tp = document.getElementById('tp-' + c.id);
    if (tp) {
      var sets = ds(c.iops).map(function(d){ d.yAxisID = 'y'; return d; }).concat(ds(c.bw).map(function(d,i){ d.yAxisID = 'y1'; d.backgroundColor = palette[(i + 4) % palette.length]; return d; }));
      charts.push(new Chart(tp, {type:'bar', data:{labels:c.labels, datasets:sets},
        options:{plugins:{title:{display:true, text:'Throughput: IOPS (left), MiB/s (right)'}},
          scales:{y:{beginAtZero:true, position:'left', title:{display:true, text:'IOPS'}}, y1:{beginAtZero:true, position:'right', grid:{drawOnChartArea:false}, title:{display:true, text:'MiB/s'}}}}}));
    }
  });
  var rc = document.getElementById("ratio-chart");
  if (rc && data.ratios.data.length) charts.push(new Chart(rc, {type:'bar', data:{labels:data.ratios.labels,
    datasets:[{label:'ratio to raw (goal ≥ 0.97; grey: not conclusive)', data:data.ratios.data, backgroundColor:data.ratios.colors}]},
    options:{indexAxis:'y', scales:{x:{min:0, suggestedMax:1.1}}, plugins:{title:{display:true, text:'Volume ÷ raw (1.000 = as fast as raw)'}}}}));
  window.__jtsCharts = charts.length;
})();`;
