/**
 * The guard of the network builder's output: every circuit at its scenarios' seeds and every connectivity rule with
 * its options (test/network/csr-cases.ts) gives exactly the CSR it gave when csr-hashes.json was written (by the
 * pair-list builder, before the direct CSR builders), array for array and in the same order; and so does every rule
 * built over a pool of 3 threads in chunks of about 500 synapses (every projection, however small, in parallel).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { allCases, hashNetwork, ruleCases } from './csr-cases.ts';
import { buildNetwork } from '../../src/network/network.ts';
import { ConnectPool } from '../../src/network/parallel.ts';

const reference = JSON.parse(readFileSync(new URL('./csr-hashes.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;

describe('the same seed gives the same synapses as the reference builder', () => {
  const cases = allCases();
  it('covers every case in the reference and no other', () => {
    expect(cases.map((c) => c.key).sort()).toEqual(Object.keys(reference).sort());
  });
  for (const c of cases)
    it(c.key, () => {
      expect(hashNetwork(buildNetwork(c.spec, c.seed, c.dtMs))).toEqual(reference[c.key]);
    });
});

describe('the same over a pool of threads', () => {
  const pool = new ConnectPool({ threads: 3, chunkSynapses: 500 });
  afterAll(() => pool.close());
  it('starts its workers', () => {
    expect(pool.waitReady(60_000)).toBe(true);
  });
  for (const c of ruleCases())
    it(c.key, () => {
      expect(hashNetwork(buildNetwork(c.spec, c.seed, c.dtMs, { pool, parallelMinSynapses: 0 }))).toEqual(reference[c.key]);
    });
  it('and the workers took part', () => {
    expect(pool.stats.here).toBeLessThan(pool.stats.chunks);
  });
});
