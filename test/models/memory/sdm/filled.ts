/** A BinarySdm with random heteroassociative writes, and queries that alternate stored keys and fresh addresses (batch and pool tests). */
import { CounterRng, streamId } from '../../../../src/core/rng.ts';
import { BinarySdm, type BinarySdmParams } from '../../../../src/models/memory/sdm/binary.ts';
import { randomBits } from '../../../../src/models/memory/sdm/bits.ts';

export function filled(params: BinarySdmParams, writes: number, queries: number, seed: number): { sdm: BinarySdm; qs: Uint8Array[] } {
  const sdm = new BinarySdm(params);
  const rng = new CounterRng(seed);
  const keys: Uint8Array[] = [];
  for (let t = 0; t < writes; t++) {
    keys.push(randomBits(rng, params.n, streamId('test:keys'), t));
    sdm.write(keys[t]!, randomBits(rng, params.valueBits, streamId('test:values'), t));
  }
  const qs: Uint8Array[] = [];
  for (let q = 0; q < queries; q++) qs.push(q % 2 === 0 && keys.length > 0 ? keys[q % keys.length]! : randomBits(rng, params.n, streamId('test:queries'), q));
  return { sdm, qs };
}
