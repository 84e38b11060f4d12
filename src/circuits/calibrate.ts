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

  const r = granule.size;
  const drives = new Float64Array(samples * r);
  sampleAddresses(net, mf, n, granule.size, samples, (a, drive) => drives.set(drive, a * r));
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

/**
 * Spiking mode: the balance of the Purkinje read (docs/DECISIONS.md 34). Each parallel-fibre spike reaches a
 * Purkinje cell twice, as excitation through its plastic synapse (conductance w_jk, w0 before learning) and as
 * feedforward inhibition through the molecular-layer interneurons, lumped into one projection of constant conductance
 * g_I per spike (`mli_projection`). Both have the Purkinje cell's one synaptic time constant tau, so during a read
 * their ratio is fixed and the net current at threshold v_th is
 *   kappa(t) [ sum_j w_jk (e_e - v_th) - N g_I (v_th - e_i) ] + D0,   D0 = i_bias + g_l (e_l - v_th),
 * with the sum over the N active fibres, kappa(t) the conductance kernel of one fibre's spike train (the same for every
 * active fibre, as granule cells fire in the mossy volleys) and N the active fibres per volley. With
 *   g_I = w0 (e_e - v_th) / (v_th - e_i) + D0 / ((v_th - e_i) N kappa_ss),
 * the first term cancels the baseline w0 and leaves minus the SDM sum (the weights are w0 minus the counters, kept
 * centred by the normalised rule), and the second cancels the cell's intrinsic drive D0 in the troughs between
 * volleys once the train is steady: kappa_ss = e^{-T/tau} / (1 - e^{-T/tau}) for volleys every T ms. A Purkinje cell
 * whose SDM sum is positive (a stored 1) is then silent through the burst, one whose sum is negative fires in every
 * trough: the sign of the sum decides the pause. N is the expected number of granule cells whose mossy inputs are all
 * active, over `samples` random addresses (the conjunction code the granule layer is built to compute; the protocol
 * reports the code it measured). N varies from address to address (coding level 0.057-0.065 at 20,000 cells), so D0
 * is cancelled exactly only at the mean: at an address with N 8% off, about 25 pA of it remain in the troughs, which
 * moves the decision of reads whose sums are near zero (test/cerebellum/lif.test.ts tests the mean).
 */
export interface BalanceCalibration {
  readonly inhibitoryWeight: number;
  readonly baselineWeight: number;
  readonly intrinsicDrive: number;
  readonly activeCellsPerVolley: number;
  readonly troughKernel: number;
}

export function calibrateBalance(net: Network, circuit: CircuitFile, file: string, samples = 64): BalanceCalibration | null {
  const sdm = circuit.sdm;
  if (!sdm || sdm.mode !== 'spiking' || sdm.mli_projection === undefined) return null;
  const where = `${file}: /sdm/mli_projection`;
  const mli = net.projection(sdm.mli_projection);
  if (!mli) throw new InputError(where, `a projection name, got '${sdm.mli_projection}'`);
  const pc = net.population(sdm.purkinje);
  const granule = net.population(sdm.granule);
  const mossy = net.population(sdm.mossy);
  if (!pc || !granule || !mossy) throw new InputError(`${file}: /sdm`, 'purkinje, granule and mossy naming populations of the circuit');
  if (mli.source !== granule || mli.target !== pc || mli.csr.weights) throw new InputError(where, `a projection of constant weight from '${granule.name}' to '${pc.name}'`);
  if (pc.model?.name !== 'lif_cond') throw new InputError(`${file}: /populations/${pc.name}/model`, `lif_cond for the balanced read, got '${pc.model?.name ?? 'a source'}'`);
  const rule = circuit.plasticity.find((p) => (p.name ?? `${p.rule}:${p.projection}`) === sdm.plasticity);
  const plastic = rule ? net.projection(rule.projection) : undefined;
  const w = plastic?.csr.weights;
  if (!plastic || !w || plastic.source !== granule || plastic.target !== pc) throw new InputError(`${file}: /sdm/plasticity`, `a rule on a plastic projection from '${granule.name}' to '${pc.name}'`);
  const w0 = w[0] ?? 0;
  if (w.some((x) => x !== w0)) throw new InputError(`${file}: /projections/${plastic.index}/weight`, 'one initial weight for every synapse (the baseline the read balances)');
  const p = pc.params;
  const tau = p.tau_e!;
  if (p.tau_i !== tau) throw new InputError(`${file}: /populations/${pc.name}/params/tau_i`, `tau_e (${tau} ms): excitation and feedforward inhibition need one time course`);
  if (!sdm.burst) throw new InputError(`${file}: /sdm/burst`, 'the mossy burst (spiking mode)');
  const mf = net.projections.find((q) => q.source === mossy && q.target === granule);
  if (!mf) throw new InputError(`${file}: /sdm`, `a projection from '${mossy.name}' to '${granule.name}'`);

  // Expected conjunction cells per address: granule cells all of whose mossy fibres are active.
  const inputs = new Uint32Array(granule.size);
  for (const t of mf.csr.col) inputs[t]!++;
  let total = 0;
  sampleAddresses(net, mf, sdm.address_bits, granule.size, samples, (_, __, hits) => {
    for (let j = 0; j < granule.size; j++) if (inputs[j]! > 0 && hits[j] === inputs[j]) total++;
  });
  const active = total / samples;
  const decay = Math.exp(-sdm.burst.interval_ms / tau);
  const kappa = decay / (1 - decay);
  const drive = p.i_bias! + p.g_l! * (p.e_l! - p.v_th!);
  const inhibitory = (w0 * (p.e_e! - p.v_th!)) / (p.v_th! - p.e_i!) + drive / ((p.v_th! - p.e_i!) * active * kappa);
  if (!(active > 0) || !(inhibitory >= 0)) throw new InputError(where, `a positive balancing conductance; got ${inhibitory} nS with ${active} active granule cells per address`);
  mli.setConstantWeight(inhibitory);
  return { inhibitoryWeight: inhibitory, baselineWeight: w0, intrinsicDrive: drive, activeCellsPerVolley: active, troughKernel: kappa };
}

/**
 * The calibrations' sample of addresses: `samples` random addresses of n bits (stream 'calibrate:addresses', seeded
 * by the network), each as on/off mossy fibres (fibre i for bit i = 1, n + i for 0). For each, `visit` gets every
 * granule cell's summed weight from its active fibres and its count of active fibres (arrays reused between calls).
 */
function sampleAddresses(net: Network, mf: Network['projections'][number], n: number, cells: number, samples: number, visit: (a: number, drive: Float64Array, hits: Uint32Array) => void): void {
  const rng = new CounterRng(net.seed);
  const stream = streamId('calibrate:addresses');
  const drive = new Float64Array(cells);
  const hits = new Uint32Array(cells);
  const active = new Uint8Array(2 * n);
  const { rowPtr, col, weights, weight } = mf.csr;
  for (let a = 0; a < samples; a++) {
    drive.fill(0);
    hits.fill(0);
    for (let i = 0; i < n; i++) {
      const bit = rng.uniform(stream, a, i) < 0.5 ? 1 : 0;
      active[i] = bit;
      active[n + i] = 1 - bit;
    }
    // In fibre order, so that each cell's drive is summed in one fixed order.
    for (let f = 0; f < 2 * n; f++) {
      if (!active[f]) continue;
      for (let s = rowPtr[f]!; s < rowPtr[f + 1]!; s++) {
        drive[col[s]!]! += weights ? weights[s]! : weight;
        hits[col[s]!]!++;
      }
    }
    visit(a, drive, hits);
  }
}
