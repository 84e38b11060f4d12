/**
 * Timings of the SDM circle-intersection tables at Kanerva's scale: I(1000, 451, dv) for every dv = 0..1000, as an
 * exact BigInt table and as a log table in doubles, plus the single-dv functions called for every dv, and the three
 * optimal radii for r = 10^6, m = 1000.
 * Run: npx tsx bench/sdm-theory.ts   (prints one JSON object; times in ms, median and min of the repeats)
 */
import { cpus } from 'node:os';
import {
  circleIntersection,
  intersectionTable,
  logCircleIntersection,
  logIntersectionTable,
  optimalRadii,
} from '../src/analysis/sdm-theory/index.ts';

const N = 1000;
const D = 451;
const REPEATS = 5;

function time(run: () => unknown): { median_ms: number; min_ms: number } {
  run(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { median_ms: round(ms[REPEATS >> 1]!), min_ms: round(ms[0]!) };
}

const table = intersectionTable(N, D);
const nonZero = table.filter((x) => x > 0n).length;
const result = {
  bench: 'sdm-theory',
  n: N,
  d: D,
  distances: N + 1,
  nonzero_distances: nonZero,
  machine: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
  repeats: REPEATS,
  exact_table: time(() => intersectionTable(N, D)),
  log_table: time(() => logIntersectionTable(N, D)),
  exact_single_dv_for_every_dv: time(() => {
    for (let dv = 0; dv <= N; dv++) circleIntersection(N, D, dv);
  }),
  log_single_dv_for_every_dv: time(() => {
    for (let dv = 0; dv <= N; dv++) logCircleIntersection(N, D, dv);
  }),
  // The three optimal radii at Kanerva's scale (r = 10^6 neurons, m = 1000 patterns): was a timed unit test.
  optimal_radii_r1e6_m1000: time(() => optimalRadii(N, 1_000_000, 1000)),
};
console.log(JSON.stringify(result, null, 2));
