/**
 * The direct CSR builders (network/build-csr.ts) against the reference semantics (generatePairs + sortPairs), in
 * this thread and over a pool of worker threads cut into chunks of a few synapses, for random rules, sizes and
 * seeds (fast-check); the edge cases of the bucketed counting sort; and the pool's handling of a chunk that fails.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CounterRng } from '../../src/core/rng.ts';
import { type ChunkJob, type ChunkRunner, OVERFLOW, bucketsFor, connect, drawDelays, drawWeights, runChunk, serialRunner } from '../../src/network/build-csr.ts';
import { type ConnectivityRule, type CsrLayout, generatePairs, sortPairs } from '../../src/network/connectivity.ts';
import { drawValue } from '../../src/network/distributions.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { ConnectPool } from '../../src/network/parallel.ts';
import { toTicks } from '../../src/core/time.ts';

const pool = new ConnectPool({ threads: 3, chunkSynapses: 40 });
beforeAll(() => {
  expect(pool.waitReady(60_000)).toBe(true);
});
afterAll(() => pool.close());

/** The CSR of the reference semantics, or the RangeError message it throws. */
function reference(rule: ConnectivityRule, nPre: number, nPost: number, same: boolean, seed: number, stream: number): CsrLayout | string {
  try {
    return sortPairs(generatePairs(rule, nPre, nPost, same, new CounterRng(seed), stream), nPre);
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

function direct(rule: ConnectivityRule, nPre: number, nPost: number, same: boolean, seed: number, stream: number, runner: ChunkRunner): CsrLayout | string {
  try {
    return connect(rule, nPre, nPost, same, new CounterRng(seed), stream, runner);
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

const plain = (c: CsrLayout | string) => (typeof c === 'string' ? c : { rowPtr: Array.from(c.rowPtr), col: Array.from(c.col) });

/** A rule with its sizes: same-population rules have nPre === nPost. */
const ruleCase = fc.oneof(
  fc.record({ n: fc.integer({ min: 1, max: 40 }), m: fc.integer({ min: 1, max: 40 }), same: fc.boolean(), auto: fc.boolean() }).map(({ n, m, same, auto }) => ({
    rule: { rule: 'all_to_all', allow_autapses: auto } as ConnectivityRule,
    nPre: n,
    nPost: same ? n : m,
    same,
  })),
  fc.integer({ min: 1, max: 60 }).map((n) => ({ rule: { rule: 'one_to_one' } as ConnectivityRule, nPre: n, nPost: n, same: true })),
  fc
    .record({
      indeg: fc.boolean(),
      n: fc.integer({ min: 1, max: 60 }),
      m: fc.integer({ min: 1, max: 60 }),
      k: fc.integer({ min: 0, max: 70 }),
      same: fc.boolean(),
      auto: fc.boolean(),
      multi: fc.boolean(),
    })
    .map(({ indeg, n, m, k, same, auto, multi }) => ({
      rule: (indeg
        ? { rule: 'fixed_indegree', indegree: k, allow_autapses: auto, allow_multapses: multi }
        : { rule: 'fixed_outdegree', outdegree: k, allow_autapses: auto, allow_multapses: multi }) as ConnectivityRule,
      nPre: n,
      nPost: same ? n : m,
      same,
    })),
  fc
    .record({ n: fc.integer({ min: 1, max: 80 }), m: fc.integer({ min: 1, max: 80 }), p: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5)), same: fc.boolean(), auto: fc.boolean() })
    .map(({ n, m, p, same, auto }) => ({ rule: { rule: 'pairwise_bernoulli', p, allow_autapses: auto } as ConnectivityRule, nPre: n, nPost: same ? n : m, same })),
  fc.record({ bits: fc.integer({ min: 1, max: 70 }), m: fc.integer({ min: 1, max: 40 }) }).map(({ bits, m }) => ({
    rule: { rule: 'address_match', bits, stream: `s${bits}` } as ConnectivityRule,
    nPre: 2 * bits,
    nPost: m,
    same: false,
  })),
  fc
    .record({ n: fc.integer({ min: 1, max: 20 }), m: fc.integer({ min: 1, max: 20 }), pairs: fc.array(fc.tuple(fc.nat(19), fc.nat(19)), { maxLength: 60 }) })
    .map(({ n, m, pairs }) => ({
      rule: { rule: 'explicit', pairs: pairs.map(([i, j]) => [i % n, j % m] as const) } as ConnectivityRule,
      nPre: n,
      nPost: m,
      same: false,
    })),
);

describe('direct CSR builders', () => {
  it('give the CSR of generatePairs + sortPairs, or its error, in one thread and over a pool (random rules)', () => {
    fc.assert(
      fc.property(ruleCase, fc.nat(), fc.nat(), ({ rule, nPre, nPost, same }, seed, stream) => {
        const want = plain(reference(rule, nPre, nPost, same, seed, stream));
        expect(plain(direct(rule, nPre, nPost, same, seed, stream, serialRunner))).toEqual(want);
        expect(plain(direct(rule, nPre, nPost, same, seed, stream, pool))).toEqual(want);
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });

  it('worker threads take part in the pool', () => {
    const before = { ...pool.stats };
    direct({ rule: 'fixed_indegree', indegree: 50 }, 2000, 2000, true, 1, 1, pool);
    const chunks = pool.stats.chunks - before.chunks;
    expect(chunks).toBeGreaterThan(100);
    expect(pool.stats.here - before.here).toBeLessThan(chunks);
  });

  it('fixed_indegree with the sign bit in the packed (source, target) words, and many buckets', () => {
    // 2^21 + 5 targets: 22 bits of target and 10 of source within the bucket fill the 32 bits.
    expect(bucketsFor(3000, 2 ** 21 + 5)).toEqual({ shift: 10, jBits: 22, count: 3 });
    const rule: ConnectivityRule = { rule: 'fixed_indegree', indegree: 1 };
    const want = reference(rule, 3000, 2 ** 21 + 5, false, 9, 3) as CsrLayout;
    const big = new ConnectPool({ threads: 2 });
    for (const runner of [serialRunner, big]) {
      const got = connect(rule, 3000, 2 ** 21 + 5, false, new CounterRng(9), 3, runner);
      expect(Buffer.from(got.rowPtr.buffer, got.rowPtr.byteOffset, got.rowPtr.byteLength).equals(Buffer.from(want.rowPtr.buffer))).toBe(true);
      expect(Buffer.from(got.col.buffer, got.col.byteOffset, got.col.byteLength).equals(Buffer.from(want.col.buffer, 0, want.col.byteLength))).toBe(true);
    }
    big.close();
    expect(bucketsFor(10, 2 ** 26).shift).toBe(6);
    expect(() => bucketsFor(10, 2 ** 31 + 1)).toThrow(/at most 2\^31 targets/);
  });

  it('pairwise_bernoulli: a chunk whose rows overflow their room is redone, with the same result', () => {
    // A runner that reports every Bernoulli chunk as overflowing, as a chunk far in the tail would.
    const overflowing: ChunkRunner = {
      ...serialRunner,
      run(job: ChunkJob, chunks: number) {
        serialRunner.run(job, chunks);
        if (job.kind === 'bernoulli') job.used.fill(OVERFLOW);
      },
    };
    const rule: ConnectivityRule = { rule: 'pairwise_bernoulli', p: 0.1, allow_autapses: false };
    expect(plain(direct(rule, 300, 300, true, 4, 2, overflowing))).toEqual(plain(reference(rule, 300, 300, true, 4, 2)));
  });

  it('drawn weights and delays: element s is drawValue(spec, rng, stream, s), in one thread and over the pool', () => {
    const rng = new CounterRng(5);
    const w = { normal: { mean: 1, sd: 0.5, low: 0.5, high: 1.2 } };
    const d = { uniform: { low: 0.05, high: 3 } };
    const n = 5000;
    for (const runner of [serialRunner, pool]) {
      const weights = drawWeights(w, n, 5, 11, runner);
      const delays = drawDelays(d, n, 5, 12, 0.1, runner);
      for (let s = 0; s < n; s += 97) {
        expect(weights[s]).toBe(Math.fround(drawValue(w, rng, 11, s)));
        expect(delays[s]).toBe(Math.min(65535, Math.max(1, toTicks(drawValue(d, rng, 12, s), 0.1))));
      }
    }
  });

  it('a network built over the pool keeps every array of a projection in shared memory, and equals the one-thread build', () => {
    const spec = {
      name: 'x',
      origin: 'test',
      populations: [{ name: 'a', size: 400, model: 'lif' }],
      projections: [
        { name: 'p', source: 'a', target: 'a', receptor: 'exc', connectivity: { rule: 'fixed_indegree' as const, indegree: 30 }, weight: { uniform: { low: 0, high: 1 } }, delay_ms: { uniform: { low: 0.1, high: 2 } } },
        { name: 'q', source: 'a', target: 'a', receptor: 'inh', connectivity: { rule: 'pairwise_bernoulli' as const, p: 0.05 }, weight: -1, delay_ms: 0.1, plastic: true },
        { name: 'r', source: 'a', target: 'a', receptor: 'exc', connectivity: { rule: 'one_to_one' as const }, weight: 1, delay_ms: { uniform: { low: 0.1, high: 2 } } },
      ],
    };
    const one = buildNetwork(spec, 8, 0.1, { threads: 1 });
    const many = buildNetwork(spec, 8, 0.1, { pool, parallelMinSynapses: 0 });
    for (const [k, pj] of many.projections.entries()) {
      const c = pj.csr;
      const arrays = [c.rowPtr, c.col, c.weights, c.delays].filter((a) => a !== null);
      const shared = arrays.map((a) => a.buffer instanceof SharedArrayBuffer);
      expect(new Set(shared).size).toBe(1);
      expect(shared[0]).toBe(pj.name !== 'r'); // one_to_one is written in this thread
      const o = one.projections[k]!.csr;
      expect(Array.from(c.col)).toEqual(Array.from(o.col));
      expect(Array.from(c.rowPtr)).toEqual(Array.from(o.rowPtr));
      expect(c.weights && Array.from(c.weights)).toEqual(o.weights && Array.from(o.weights));
      expect(c.delays && Array.from(c.delays)).toEqual(o.delays && Array.from(o.delays));
    }
  });

  it('a chunk that throws in a worker is redone in this thread, where its error surfaces', () => {
    // A job that cannot run (no histogram to write): every thread fails on it; the build must not hang.
    const broken = { kind: 'draw-targets', seed: 1, stream: 1, draw: { rule: 'address_match', bits: 1, stream: 1 }, nPost: 400, k: 2, per: 1, buckets: bucketsFor(2, 400), drawn: pool.alloc(800), hist: null } as unknown as ChunkJob;
    expect(() => pool.run(broken, 400)).toThrow(TypeError);
    expect(() => runChunk(broken, 0)).toThrow(TypeError);
    // The pool still works afterwards.
    const rule: ConnectivityRule = { rule: 'fixed_outdegree', outdegree: 7 };
    expect(plain(direct(rule, 100, 50, false, 3, 3, pool))).toEqual(plain(reference(rule, 100, 50, false, 3, 3)));
  });
});
