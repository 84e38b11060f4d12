/**
 * Kanerva's prediction of one read's bit accuracy (predictedBitAccuracy, Kanerva 1988 ch. 7) against the algebraic
 * SDM itself: random hard locations, m random stored patterns, cues with x flipped bits, accuracy averaged over many
 * reads over three memories (seeds). The prediction is a Gaussian approximation that ignores ties; measured here it
 * runs 0.005-0.02 above the simulation where accuracy is near 0.8-0.9 (memory-to-memory spread about 0.01), so it
 * is checked to within 0.03.
 */
import { describe, expect, it } from 'vitest';
import { predictedBitAccuracy } from '../../../src/analysis/sdm-theory/index.ts';
import { CounterRng, streamId } from '../../../src/core/rng.ts';
import { BinarySdm } from '../../../src/models/memory/sdm/binary.ts';
import { flipBits, hammingBits, randomBits } from '../../../src/models/memory/sdm/bits.ts';

function simulatedAccuracy(n: number, r: number, d: number, m: number, x: number, seed: number, reads = 150): number {
  const rng = new CounterRng(seed);
  const sdm = new BinarySdm({ n, r, d, valueBits: n, seed, counterBits: 32, tie: 'zero' });
  const addresses = Array.from({ length: m }, (_, p) => randomBits(rng, n, streamId('test:address'), p));
  const values = Array.from({ length: m }, (_, p) => randomBits(rng, n, streamId('test:value'), p));
  addresses.forEach((a, p) => sdm.write(a, values[p]!));
  let correct = 0;
  for (let q = 0; q < reads; q++) {
    const p = q % m;
    const cue = flipBits(addresses[p]!, x, rng, streamId('test:flip'), q);
    correct += n - hammingBits(sdm.read(cue, values[p]).bits, values[p]!);
  }
  return correct / (reads * n);
}

describe("Kanerva's bit-accuracy prediction", () => {
  const n = 256;
  const r = 20000;
  const d = 110;
  const cases: Array<[number, number]> = [
    [50, 0],
    [50, 48],
    [50, 64],
    [50, 80],
    [400, 0],
    [400, 32],
    [1500, 0],
  ];
  it.each(cases)('m = %i patterns, cue %i bits away: within 0.03 of the algebraic SDM', (m, x) => {
    const sim = [11, 12, 13].reduce((a, seed) => a + simulatedAccuracy(n, r, d, m, x, seed), 0) / 3;
    const predicted = predictedBitAccuracy(n, d, r, m, x);
    expect(Math.abs(predicted - sim)).toBeLessThan(0.03);
  });

  it('a cue beyond twice the radius shares no neurons with its pattern: chance, 0.5', () => {
    expect(predictedBitAccuracy(64, 5, 1000, 10, 11)).toBe(0.5);
    expect(predictedBitAccuracy(64, 5, 1000, 10, 10)).toBeGreaterThan(0.5);
  });
});
