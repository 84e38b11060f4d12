/**
 * `npm run bench`: CUBA (Brette et al. 2007, benchmark 2) for 10 s of biological time on each backend, and Brian2's
 * CUBA on the same machine in the same script where Debian's python3-brian is installed (cython target, after a
 * warm-up run so compilation is excluded). Prints a table with ratios against Brian2 and against the cpu reference
 * kernel, and writes bench/results/cuba-<date>.json and .md. Options: --duration MS, --skip-brian2, --only NAME.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const durationMs = Number(opt('--duration') ?? 10000);
const only = opt('--only');
const runs: Array<Record<string, unknown>> = [];

function runNode(backend: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'cuba.ts'), backend, String(durationMs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench/cuba.ts ${backend} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

for (const b of ['cpu', 'cpu-reference', 'gpujs']) {
  if (only && only !== b) continue;
  process.stderr.write(`running purkinje ${b} ...\n`);
  runs.push(runNode(b));
}

let brian: Record<string, unknown> | null = null;
if (!args.includes('--skip-brian2') && !only) {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import brian2'], { encoding: 'utf8' });
  if (probe.status === 0) {
    process.stderr.write('running Brian2 (cython; includes a warm-up run) ...\n');
    const out = execFileSync('/usr/bin/python3', [path.join(here, 'brian2_cuba.py'), String(durationMs / 1000)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    brian = JSON.parse(out.trim().split('\n').pop()!);
  } else process.stderr.write('Brian2 not installed (apt-get install python3-brian): no comparison\n');
}

const reference = runs.find((r) => r.backend === 'cpu-reference');
const rows: Array<Record<string, unknown>> = runs.map((r) => ({
  ...r,
  speedup_vs_brian2: brian ? (brian.wall_s as number) / (r.wall_s as number) : null,
  speedup_vs_cpu_reference: reference ? (reference.wall_s as number) / (r.wall_s as number) : null,
}));
const machine = { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model ?? 'unknown', memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
const result = { benchmark: 'cuba', date: new Date().toISOString(), duration_ms: durationMs, machine, purkinje: rows, brian2: brian };

const fmt = (x: unknown, d = 2) => (typeof x === 'number' ? x.toFixed(d) : '-');
const lines = [
  `# CUBA benchmark, ${durationMs / 1000} s biological, ${result.date.slice(0, 10)}`,
  '',
  `Machine: ${machine.cpus} cores (${machine.cpu_model}), ${machine.memory_gib} GiB, Node ${machine.node}, ${machine.platform}.`,
  '',
  '| run | device | precision | wall s | real-time factor | rate Hz | synaptic events/s | peak RSS MB | vs Brian2 | vs cpu reference |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| purkinje ${r.backend} | ${r.device} | ${r.precision} | ${fmt(r.wall_s)} | ${fmt(r.real_time_factor)} | ${fmt(r.rate_hz, 3)} | ${fmt((r.synaptic_events_per_s as number) / 1e6, 1)}M | ${fmt(r.peak_rss_mb, 0)} | ${r.speedup_vs_brian2 === null ? '-' : fmt(r.speedup_vs_brian2) + 'x'} | ${fmt(r.speedup_vs_cpu_reference)}x |`),
  ...(brian ? [`| Brian2 ${brian.target} | cpu | 64 | ${fmt(brian.wall_s)} | ${fmt(durationMs / 1000 / (brian.wall_s as number))} | ${fmt(brian.rate_hz, 3)} | - | - | 1.00x | - |`] : []),
  '',
];
process.stdout.write(lines.join('\n') + '\n');
if (!args.includes('--no-save')) {
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const stem = path.join(dir, `cuba-${result.date.slice(0, 10)}`);
  writeFileSync(`${stem}.json`, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(`${stem}.md`, lines.join('\n') + '\n');
  process.stderr.write(`wrote ${stem}.json and .md\n`);
}
