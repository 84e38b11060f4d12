/**
 * What a user waits for: `purkinje --version`, and `purkinje run cuba --duration 10000` as a whole process from the
 * shell, each the median of several runs; the compiled build (dist/) against the TypeScript sources through tsx
 * (PURKINJE_FROM_SOURCES=1), and against Brian2's CUBA script as a whole process where Debian's python3-brian is
 * installed (its code cache warmed by one run first). It builds dist/ first. One JSON line.
 * Usage: tsx bench/startup.ts [--runs 5]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 5);
const out = mkdtempSync(path.join(tmpdir(), 'purkinje-startup-'));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(cmd: string, argv: string[], env: Record<string, string> = {}): number[] {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
    ts.push((performance.now() - t0) / 1000);
  }
  return ts;
}

// The compiled build must be fresh, or bin/purkinje.js would run the sources for both columns.
const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);

const bin = path.join(root, 'bin', 'purkinje.js');
const cuba = ['run', 'cuba', '--duration', '10000', '--quiet', '--out', path.join(out, 'cuba'), '--overwrite'];
const result: Record<string, unknown> = {
  bench: 'startup',
  runs,
  version_compiled_s: median(timed(process.execPath, [bin, '--version'], { PURKINJE_FROM_SOURCES: '0' })),
  version_sources_s: median(timed(process.execPath, [bin, '--version'], { PURKINJE_FROM_SOURCES: '1' })),
  cuba_10s_process_compiled_s: median(timed(process.execPath, [bin, ...cuba], { PURKINJE_FROM_SOURCES: '0' })),
  cuba_10s_process_sources_s: median(timed(process.execPath, [bin, ...cuba], { PURKINJE_FROM_SOURCES: '1' })),
};
const probe = spawnSync('/usr/bin/python3', ['-c', 'import brian2'], { encoding: 'utf8' });
if (probe.status === 0) {
  const script = path.join(here, 'brian2_cuba.py');
  timed('/usr/bin/python3', [script, '10']); // warms Brian2's code cache
  result.brian2_cuba_10s_process_s = median(timed('/usr/bin/python3', [script, '10']));
  result.ratio_brian2_over_purkinje = (result.brian2_cuba_10s_process_s as number) / (result.cuba_10s_process_compiled_s as number);
} else result.brian2 = 'not installed (apt-get install python3-brian): no comparison';
console.log(JSON.stringify(result));
