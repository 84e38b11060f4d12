/**
 * The compiled build (dist/, made by `npm ci` through `prepare`): bin/purkinje.js runs it when it is newer than every
 * source file, and it computes what the TypeScript sources compute: the same spike log, byte for byte, and the same
 * summary (all but timings). Where dist/ is missing or older than an edited source (a developer between builds) the
 * test is skipped and says so; CI always has a fresh build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stamp = path.resolve('dist/.build-stamp');
const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= newest(path.resolve('src'));
if (!fresh) console.warn('test/cli/build.test.ts: skipped: dist/ is missing or older than src/ (npm run build makes it)');

describe.skipIf(!fresh)('the compiled build', () => {
  it('computes what the sources compute, and bin/purkinje.js runs it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'purkinje-build-'));
    const run = (env: Record<string, string>, out: string) => {
      const r = spawnSync(process.execPath, ['bin/purkinje.js', 'run', 'sdm-recall', '--out', path.join(dir, out), '--json'], { encoding: 'utf8', env: { ...process.env, ...env } });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    const built = run({ PURKINJE_FROM_SOURCES: '0' }, 'dist');
    const sources = run({ PURKINJE_FROM_SOURCES: '1' }, 'src');
    // Timings, and how many ticks the thread team shared (the engine measures what pays: results never depend on it).
    const timings = ['build_ms', 'wall_ms', 'real_time_factor', 'peak_rss_mb', 'shared_ticks'];
    const strip = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).filter(([k]) => !timings.includes(k)));
    expect(strip(built)).toEqual(strip(sources));
    expect(readFileSync(path.join(dir, 'dist', 'spikes.csv'))).toEqual(readFileSync(path.join(dir, 'src', 'spikes.csv')));
    // bin/purkinje.js ran the build where it is fresh, the sources where asked to.
    const version = (env: string) => spawnSync(process.execPath, ['bin/purkinje.js', '--version'], { encoding: 'utf8', env: { ...process.env, PURKINJE_FROM_SOURCES: env } }).stdout.trim();
    expect(version('0')).toBe('0.1.0');
    expect(version('1')).toBe('0.1.0 (from the TypeScript sources)');
    // Worker threads start from the build too: a small CLS scenario computes its replay schedules in two of them.
    const cls = path.join(dir, 'cls.yaml');
    writeFileSync(cls, 'name: cls-small\nseed: 1\nprotocol: { kind: cls, task: consolidation, snr: [inf], seeds: 2, epochs: 40, examples: 20, inputs: 20, notebook_units: 200, workers: 2 }\n');
    const clsRun = (env: string, out: string) => {
      const r = spawnSync(process.execPath, ['bin/purkinje.js', 'run', cls, '--out', path.join(dir, out), '--json'], { encoding: 'utf8', env: { ...process.env, PURKINJE_FROM_SOURCES: env } });
      expect(r.status, r.stderr).toBe(0);
      return strip(JSON.parse(r.stdout) as Record<string, unknown>);
    };
    expect(clsRun('0', 'cls-dist')).toEqual(clsRun('1', 'cls-src'));
  });
});
