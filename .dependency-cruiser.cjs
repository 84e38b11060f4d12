/**
 * Layering rules (shared/HOUSE_STYLE.md): layers only point down.
 *   core <- models <- kernels <- backends <- network <- engine <- recording/streams <- circuits <- scenarios <- cli
 * models never import the engine, a backend, rxjs, gpu.js or node:fs; only backends/gpujs imports gpu.js; only
 * recording sinks import csv-stringify; analysis imports only core; core imports nothing from src.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-is-the-bottom', severity: 'error', from: { path: '^src/core/' }, to: { path: '^src/(?!core/)' } },
    {
      name: 'models-are-pure',
      severity: 'error',
      from: { path: '^src/models/' },
      to: { path: ['^src/(engine|backends|network|recording|streams|circuits|scenarios|cli|kernels)/', 'node_modules/(rxjs|gpu\\.js|csv-stringify)/', '^(node:)?fs$'] },
    },
    { name: 'analysis-imports-only-core', severity: 'error', from: { path: '^src/analysis/' }, to: { path: '^src/(?!core/|analysis/)' } },
    { name: 'only-gpujs-backend-imports-gpujs', severity: 'error', from: { pathNot: '^src/backends/gpujs/' }, to: { path: 'node_modules/gpu\\.js/' } },
    { name: 'only-sinks-import-csv-stringify', severity: 'error', from: { pathNot: '^src/recording/sinks/' }, to: { path: 'node_modules/csv-stringify/' } },
    { name: 'only-streams-import-rxjs', severity: 'error', from: { pathNot: '^src/streams/' }, to: { path: 'node_modules/rxjs/' } },
    { name: 'only-recording-renders-plots', severity: 'error', from: { pathNot: '^src/recording/' }, to: { path: 'node_modules/vega(-lite)?/' } },
    { name: 'only-cli-uses-commander', severity: 'error', from: { pathNot: '^src/cli/' }, to: { path: 'node_modules/commander/' } },
    {
      name: 'engine-below-files',
      severity: 'error',
      from: { path: '^src/(engine|network|kernels|backends)/' },
      to: { path: '^src/(circuits|scenarios|cli|recording|streams)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
