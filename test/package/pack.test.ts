/**
 * The npm package, as a user gets it: `npm pack` the repository, `npm install` the tarball into an empty project (its
 * dependencies from the npm registry or npm's cache), then
 *   1. plain Node ESM imports the API from 'purkinje' and uses it for real: the CUBA circuit simulated through the
 *      package gives the spike counts the repository's sources give; a binary SDM read (batched over worker threads,
 *      whose entries must start from the compiled package without tsx) equals the read computed here from Kanerva's
 *      definition; internal paths (`purkinje/dist/...`) are refused by the `exports` map;
 *   2. the repository's tsc type-checks a small TypeScript consumer and the README's "As a library" examples against
 *      the installed declarations, and refuses a file with deliberate mistakes (negative control: an internal name, an
 *      internal path, a wrong type);
 *   3. `npx purkinje run cuba --duration 100` runs the compiled command there and writes the run's outputs.
 * The tarball is packed from dist/ as it is (no rebuild, so the test never touches the working tree): where dist/ is
 * missing or older than src/ the test is skipped and says so (`npm ci` and `npm run build` make it; CI always has a
 * fresh build). Where the registry cannot be reached and npm's cache lacks a dependency, it is skipped and says why.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNetwork, CpuBackend, loadCircuit, loadScenario, runScenario, Simulator } from '../../src/index.ts';
import type { ClsProtocol } from '../../src/scenarios/schema.ts';
import { xorshift32 } from '../xorshift.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stamp = path.join(root, 'dist/.build-stamp');
const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= newest(path.join(root, 'src'));
if (!fresh) console.warn('test/package/pack.test.ts: skipped: dist/ is missing or older than src/ (npm run build makes it)');

// npm, run from `npm test`, passes its own settings down in npm_* variables; the ones naming this project would point
// the nested npm at the repository instead of the empty project.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^npm_(package_|lifecycle_|command$|config_local_prefix$)/.test(k)),
);
const npm = (args: string[], cwd: string): SpawnSyncReturns<string> => spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENOTCACHED|network/i;

// Kanerva's binary SDM, from the definition (Kanerva 1988): location i is active for x when |a_i - x| <= d; a write
// adds 2 v_j - 1 to counter (i, j) of every active location; a read sums the counters of the active locations and
// reads y_j = [s_j > 0] (0 on a tie, the default rule).
const N = 48;
const R = 300;
const D = 19;
const W = 40;
const rand = xorshift32(1717);
const bits = (n: number) => Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0));
const locations = Array.from({ length: R }, () => bits(N));
const writes = Array.from({ length: 30 }, () => ({ x: bits(N), v: bits(W) }));
const queries = writes.slice(0, 12).map(({ x }) => x.map((b) => (rand() < 0.1 ? 1 - b : b)));
const hamming = (a: number[], b: number[]) => a.reduce((s, ai, k) => s + (ai !== b[k] ? 1 : 0), 0);
const active = (x: number[]) => locations.flatMap((a, i) => (hamming(a, x) <= D ? [i] : []));
const counters = locations.map(() => new Array<number>(W).fill(0));
for (const { x, v } of writes) for (const i of active(x)) for (let j = 0; j < W; j++) counters[i]![j]! += 2 * v[j]! - 1;
const expectedReads = queries.map((q) => {
  const sums = new Array<number>(W).fill(0);
  const a = active(q);
  for (const i of a) for (let j = 0; j < W; j++) sums[j]! += counters[i]![j]!;
  return { active: a.length, sums, bits: sums.map((s) => (s > 0 ? 1 : 0)) };
});

/** Plain Node ESM, as a user writes it: reads its inputs from input.json, prints what it computed as JSON. */
const SCRIPT = `import { readFileSync } from 'node:fs';
import { BinarySdm, SdmReadPool, Simulator, CpuBackend, buildNetwork, loadCircuit, loadScenario, packBits, runScenario } from 'purkinje';

const input = JSON.parse(readFileSync('input.json', 'utf8'));
const { spec } = loadCircuit('cuba');
const sim = await Simulator.create(buildNetwork(spec, input.seed, 0.1), { seed: input.seed, backend: new CpuBackend() });
await sim.run(input.ticks);

const words = Math.ceil(input.n / 32);
const addresses = new Uint32Array(input.r * words);
input.locations.forEach((a, i) => packBits(Uint8Array.from(a), addresses, i * words));
const sdm = new BinarySdm({ n: input.n, r: input.r, d: input.d, valueBits: input.w, seed: 0, addresses, shared: true });
for (const { x, v } of input.writes) sdm.write(Uint8Array.from(x), Uint8Array.from(v));
const pool = await SdmReadPool.create(sdm, 2);
const reads = await pool.readBatch(input.queries.map((q) => Uint8Array.from(q)));
await pool.close();

// the CLS model: replay schedules and recalls in the WebAssembly lanes (the compiled kernel shipped in dist/)
const cls = loadScenario('cls-consolidation');
const clsRun = await runScenario({ ...cls, scenario: { ...cls.scenario, protocol: { ...cls.scenario.protocol, ...input.cls } } }, {});

let internal = null;
try {
  await import('purkinje/dist/engine/simulator.js');
} catch (e) {
  internal = e.code;
}
console.log(JSON.stringify({
  spikes: sim.spikeCounts(),
  threads: pool.threads,
  reads: reads.map((r) => ({ active: r.active, sums: [...r.sums], bits: [...r.bits] })),
  cls: clsRun.results,
  internal,
}));
`;

/** A TypeScript consumer that must compile against the installed declarations. */
const CONSUMER = `import {
  BinarySdm, Simulator, CpuBackend, buildNetwork, loadCircuit, loadScenario, runScenario, run$, bin, rateHz, runCls, clsParams,
  attentionMemoryOf, attentionRead, makePatternSet, bipolarUnit, keyBits, ballFraction, egContinuous, InputError, MemorySink,
  type NetworkSpec, type RunSummary, type SpikeBatch, type ClsResult, type SdmReadResult, type SpikeSink,
} from 'purkinje';

const spec: NetworkSpec = loadCircuit('cuba').spec;
const sim: Simulator = await Simulator.create(buildNetwork(spec, 1, 0.1), { seed: 1, backend: new CpuBackend() });
run$(sim, 100).pipe(bin(10), rateHz(sim)).subscribe(({ t_ms, rates_hz }) => console.log(t_ms, rates_hz['exc']));
const batches: SpikeBatch[] = [];
const summary: RunSummary = await runScenario(loadScenario('cuba'), { durationMs: 10 });
const sdm = new BinarySdm({ n: 64, r: 100, d: 26, valueBits: 8, seed: 1 });
const read: SdmReadResult = sdm.read(new Uint8Array(64));
const cls: ClsResult = runCls(clsParams({}), 1, { kind: 'unregulated' });
const set = makePatternSet({ n: 32, m: 4, valueBits: 32, association: 'auto', seed: 1 });
const att = attentionRead(attentionMemoryOf(set), bipolarUnit(keyBits(set, 0)), 8);
const sink: SpikeSink = new MemorySink();
const err = new InputError('file.yaml: /x', 'a number');
console.log(batches, summary.passed, read.bits, cls, att, sink, err.message, ballFraction(64, 26), egContinuous);
`;

/** The TypeScript of the README's "As a library" section, its blocks in order (the second uses the first's `sim`). */
const README_EXAMPLE = (() => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## As a library'), readme.indexOf('\n## ', readme.indexOf('## As a library') + 1));
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
})();

/** Mistakes the declarations must refuse, one per line (negative control). */
const BAD = [
  "import { KernelRegistry } from 'purkinje';", // internal: not exported from the entry point
  "import { Simulator as S } from 'purkinje/dist/engine/simulator.js';", // internal path: blocked by the exports map
  "import { BinarySdm } from 'purkinje';",
  "const n: string = new BinarySdm({ n: 8, r: 4, d: 2, valueBits: 8, seed: 1 }).n;", // wrong type
  'console.log(KernelRegistry, S, n);',
].join('\n');
const BAD_ERRORS: ReadonlyArray<{ line: number; codes: readonly string[] }> = [
  { line: 1, codes: ['TS2305', 'TS2724'] },
  { line: 2, codes: ['TS2307'] },
  { line: 4, codes: ['TS2322'] },
];

describe.skipIf(!fresh)('the npm package', () => {
  let dir = '';
  let project = '';
  let unreachable: string | null = null;
  let files: string[] = [];
  let packed: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {};

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'purkinje-package-'));
    const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root);
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info!.files.map((f) => f.path);
    project = path.join(dir, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // --ignore-scripts: the only install scripts in the tree are the optional native add-ons of dependencies (gl for
    // gpu.js, msgpackr-extract for bullmq), which the package runs without and which would build from source here.
    const install = npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', path.join(dir, info!.filename)], project);
    if (install.status !== 0 && NETWORK.test(install.stderr)) {
      unreachable = `npm install could not reach the registry for a dependency missing from npm's cache: ${install.stderr.split('\n').find((l) => NETWORK.test(l))?.trim()}`;
      console.warn(`test/package/pack.test.ts: skipped: ${unreachable}`);
      return;
    }
    expect(install.status, install.stderr).toBe(0);
    packed = JSON.parse(readFileSync(path.join(project, 'node_modules/purkinje/package.json'), 'utf8')) as typeof packed;
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the compiled build, the circuits and scenarios, and neither sources nor tests; tsx is not a dependency', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/backends/cpu/sdm/sdm-worker.mjs', 'dist/backends/cpu/wasm/notebook-lanes.wasm', 'bin/purkinje.js', 'circuits/cuba.yaml', 'scenarios/cuba.yaml', 'README.md'])
      expect(files).toContain(f);
    expect(files.filter((f) => /^(src|test|bench|scratch)\//.test(f) || f.endsWith('.map'))).toEqual([]);
    if (unreachable) return;
    expect(Object.keys(packed.dependencies ?? {})).not.toContain('tsx');
    expect(existsSync(path.join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('imports from plain Node ESM: the simulation the sources run, the SDM read of the definition, no internal paths', async (ctx) => {
    if (unreachable) return ctx.skip(unreachable);
    const input = { seed: 3, ticks: 1000, n: N, r: R, d: D, w: W, locations, writes, queries, cls: { seeds: 1, epochs: 12, workers: 0 } };
    writeFileSync(path.join(project, 'input.json'), JSON.stringify(input));
    writeFileSync(path.join(project, 'script.mjs'), SCRIPT);
    const r = spawnSync(process.execPath, ['script.mjs'], { cwd: project, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { spikes: Record<string, number>; threads: number; reads: typeof expectedReads; cls: Record<string, unknown>; internal: string | null };

    const sim = await Simulator.create(buildNetwork(loadCircuit('cuba').spec, input.seed, 0.1), { seed: input.seed, backend: new CpuBackend() });
    await sim.run(input.ticks);
    expect(out.spikes).toEqual(sim.spikeCounts());
    expect(Object.values(out.spikes).every((s) => s > 0)).toBe(true);

    expect(out.threads).toBe(2);
    expect(out.reads).toEqual(expectedReads);
    expect(expectedReads.some((e) => e.active > 0 && e.bits.some((b) => b === 1))).toBe(true);
    expect(out.internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');

    // the CLS results the sources compute with the notebook alone (no WebAssembly lanes)
    const cls = loadScenario('cls-consolidation');
    const protocol = { ...(cls.scenario.protocol as ClsProtocol), ...input.cls, notebook_kernel: 'js' as const };
    const here = await runScenario({ ...cls, scenario: { ...cls.scenario, protocol } }, {});
    expect(out.cls).toEqual(JSON.parse(JSON.stringify(here.results)));
  }, 180_000);

  it('type-checks a TypeScript consumer against the declarations and refuses mistakes', (ctx) => {
    if (unreachable) return ctx.skip(unreachable);
    writeFileSync(path.join(project, 'consumer.ts'), CONSUMER);
    writeFileSync(path.join(project, 'readme.ts'), README_EXAMPLE);
    writeFileSync(path.join(project, 'bad.ts'), BAD);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2022'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [path.join(root, 'node_modules/@types')],
      },
      files: ['consumer.ts', 'readme.ts', 'bad.ts'],
    };
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', project, '--pretty', 'false'], { cwd: project, encoding: 'utf8', timeout: 170_000 });
    expect(r.signal, 'tsc ran out of time').toBeNull();
    const errors = r.stdout
      .split('\n')
      .map((l) => /^(.+?)\((\d+),\d+\): error (TS\d+)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ file: m[1]!, line: Number(m[2]), code: m[3]! }));
    expect(README_EXAMPLE).toContain("from 'purkinje'");
    expect(errors.filter((e) => e.file !== 'bad.ts'), r.stdout).toEqual([]);
    expect(errors.map((e) => e.line).sort(), r.stdout).toEqual(BAD_ERRORS.map((e) => e.line));
    for (const { line, codes } of BAD_ERRORS) expect(codes, r.stdout).toContain(errors.find((e) => e.line === line)!.code);
  }, 180_000);

  it('runs `npx purkinje run cuba --duration 100` from compiled JavaScript and writes the outputs', async (ctx) => {
    if (unreachable) return ctx.skip(unreachable);
    const npx = (args: string[]) => spawnSync('npx', ['--no-install', 'purkinje', ...args], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
    expect(npx(['--version']).stdout.trim()).toBe('0.1.0'); // the sources would say so
    const r = npx(['run', 'cuba', '--duration', '100', '--out', 'out/cuba']);
    expect(r.status, r.stderr).toBe(0);
    const out = path.join(project, 'out/cuba');
    for (const f of ['summary.json', 'spikes.csv', 'raster.svg', 'report.html']) expect(existsSync(path.join(out, f)), f).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { biological_ms: number; populations: Record<string, { spikes: number }> };
    const here = await runScenario(loadScenario('cuba'), { durationMs: 100 });
    expect(summary.biological_ms).toBe(100);
    expect(Object.fromEntries(Object.entries(summary.populations).map(([k, p]) => [k, p.spikes]))).toEqual(Object.fromEntries(Object.entries(here.populations).map(([k, p]) => [k, p.spikes])));
    const rows = readFileSync(path.join(out, 'spikes.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('t_ms,population,neuron');
    expect(rows.length - 1).toBe(Object.values(here.populations).reduce((s, p) => s + p.spikes, 0));
  }, 180_000);
});
