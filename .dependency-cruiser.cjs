// The layering of src/ (docs/architecture.md explains it). A folder may import only from folders of a
// LOWER rank; folders of the same rank are independent of each other. Checked by
// test/architecture/layers.test.ts (and `npx depcruise src` by hand) on every `npm test`.
const LAYERS = [
  /* 0 */ ['core'],
  /* 1 */ ['model', 'host', 'sandbox'],
  /* 2 */ ['facts'],
  /* 3 */ ['lint', 'render', 'probe'],
  /* 4 */ ['diff', 'tune', 'verify', 'health', 'snapshot', 'bench'],
  /* 5 */ ['exec', 'prove'],
  /* 6 */ ['pipeline'],
  /* 7 */ ['rehearse', 'report', 'ui', 'fleet'],
  /* 8 */ ['commands'],
];
const rank = new Map(LAYERS.flatMap((names, r) => names.map((n) => [n, r])));
const folders = [...rank.keys()];

const upward = folders.map((from) => {
  const notBelow = folders.filter((to) => to !== from && rank.get(to) >= rank.get(from));
  return {
    name: `layer-${from}`,
    comment: `src/${from} (rank ${rank.get(from)}) may import only lower ranks, not ${notBelow.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${from}/` },
    to: { path: notBelow.length ? `^src/(${notBelow.join('|')}|cli\\.ts)` : '^src/cli\\.ts' },
  };
});

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles anywhere in src/', from: { path: '^src/' }, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
    { name: 'unknown-folder', severity: 'error', comment: 'every folder of src/ has a layer (add it to LAYERS)', from: { path: '^src/', pathNot: `^src/(${folders.join('|')})/|^src/cli\\.ts$` }, to: {} },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
