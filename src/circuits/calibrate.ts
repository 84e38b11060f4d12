/**
 * Biological-mode calibration: Golgi inhibition sets the granule layer's active fraction to the target the circuit
 * file states. With on/off mossy coding every address activates exactly half of the mossy fibres, so the Golgi
 * cells (driven by mossy fibres) fire alike for every address and their inhibition acts on granule cells as one
 * uniform offset. Its strength is chosen here: over `samples` random addresses (seeded), the excitatory drive of
 * every granule cell is computed from its mossy synapses, and the Golgi -> granule weight is set so that the
 * fraction of (address, granule) pairs whose drive minus inhibition reaches threshold equals the target as nearly
 * as the drive distribution allows. The measured active fraction is reported by the protocol beside the target.
 */
import { CounterRng, streamId } from '../core/rng.ts';
import { InputError } from '../core/errors.ts';
import type { Network } from '../network/network.ts';
import type { CircuitFile } from './schema.ts';

export interface Calibration {
  readonly target: number;
  readonly inhibition: number;
  readonly golgiWeight: number;
  readonly expectedFraction: number;
}

export function calibrateGolgi(net: Network, circuit: CircuitFile, file: string, samples = 64): Calibration | null {
  const sdm = circuit.sdm;
  if (!sdm || sdm.mode !== 'biological') return null;
  const where = `${file}: /sdm`;
  if (sdm.target_active_fraction === undefined || sdm.golgi_projection === undefined)
    throw new InputError(where, 'target_active_fraction and golgi_projection in biological mode');
  const golgiProj = net.projection(sdm.golgi_projection);
  if (!golgiProj) throw new InputError(`${where}/golgi_projection`, `a projection name, got '${sdm.golgi_projection}'`);
  const granule = net.population(sdm.granule)!;
  const mossy = net.population(sdm.mossy)!;
  const n = sdm.address_bits;
  const mf = net.projections.find((p) => p.source === mossy && p.target === granule);
  if (!mf) throw new InputError(where, `a projection from '${mossy.name}' to '${granule.name}'`);
  const golgi = golgiProj.source;
  if (golgiProj.target !== granule) throw new InputError(`${where}/golgi_projection`, `a projection onto '${granule.name}'`);
  const theta = granule.params.theta ?? 1;
  // Golgi cells fire on every presentation (their threshold is below their mossy input, half their fibres being
  // active); each granule cell then receives one inhibitory input per Golgi synapse it has. That count must be the
  // same for every granule cell (fixed_indegree or all_to_all) for the inhibition to be uniform.
  const golgiIn = net.projections.find((p) => p.source === mossy && p.target === golgi);
  if (!golgiIn) throw new InputError(where, `mossy input to the Golgi cells ('${golgi.name}')`);
  const inhibitoryInputs = new Uint32Array(granule.size);
  for (const s of golgiProj.csr.col) inhibitoryInputs[s]!++;
  const golgiActive = inhibitoryInputs[0] ?? 0;
  if (golgiActive === 0 || inhibitoryInputs.some((c) => c !== golgiActive))
    throw new InputError(`${where}/golgi_projection`, `the same number of Golgi inputs on every granule cell (fixed_indegree or all_to_all)`);

  const rng = new CounterRng(net.seed);
  const stream = streamId('calibrate:addresses');
  const r = granule.size;
  const drives = new Float64Array(samples * r);
  const active = new Uint8Array(2 * n);
  const { rowPtr, col, weights, weight } = mf.csr;
  for (let a = 0; a < samples; a++) {
    for (let i = 0; i < n; i++) {
      const bit = rng.uniform(stream, a, i) < 0.5 ? 1 : 0;
      active[i] = bit;
      active[n + i] = 1 - bit;
    }
    const base = a * r;
    for (let f = 0; f < 2 * n; f++) {
      if (!active[f]) continue;
      for (let s = rowPtr[f]!; s < rowPtr[f + 1]!; s++) drives[base + col[s]!]! += weights ? weights[s]! : weight;
    }
  }
  drives.sort();
  // The smallest inhibition I with fraction(drive - I >= theta) <= target.
  const target = sdm.target_active_fraction;
  const k = Math.max(0, Math.min(drives.length - 1, Math.floor((1 - target) * drives.length)));
  const cut = drives[k]!;
  let above = 0;
  for (let q = drives.length - 1; q >= 0 && drives[q]! > cut; q--) above++;
  const inhibition = Math.max(0, cut - theta) + 1e-9 * Math.max(1, Math.abs(cut));
  golgiProj.setConstantWeight(-inhibition / golgiActive);
  return { target, inhibition, golgiWeight: -inhibition / golgiActive, expectedFraction: above / drives.length };
}
