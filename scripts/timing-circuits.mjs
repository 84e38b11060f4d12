// Writes the spectral-timing circuits from their parameters: circuits/granule-timing.yaml (the granular layer alone)
// and circuits/eyeblink.yaml (the same layer with Purkinje cells, molecular-layer inhibition, deep nuclei and the
// inferior olive). Twenty granule subpopulations and their per-subpopulation projections are too many to keep by hand;
// test/circuits/timing-circuits.test.ts checks that the committed files are this script's output.
//   node scripts/timing-circuits.mjs            # rewrites both files
//   node scripts/timing-circuits.mjs --check    # exits 1 when a committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The granular layer (tuned with scratch harnesses; docs/PARAMETERS.md, DECISIONS 45). */
export const GRANULE = { K: 20, TMIN: 20, TMAX: 500, PER: 150, WE: 3.25, WI: 1.623, SPOW: 0.1, SIGMA: 0.5, MOSSY: 200, GOLGI: 60 };

/**
 * The eyeblink read-out (DECISIONS 46, docs/PARAMETERS.md). Purkinje, nuclear and olivary cells are those of
 * circuits/cerebellum-lif.yaml; the weights are tuned here.
 */
export const EYEBLINK = {
  cells: 32,
  purkinjeBias: 428,
  pfIndegree: 100,
  pfWeight: 0.15,
  mliRatio: 1.35,
  mliDelay: 2,
  cfWeight: 40,
  pcDcn: -36,
  /** Purkinje cells converging on each nuclear cell (0: all of them). */
  pcDcnIndegree: 8,
  dcnBias: 200,
  usWeight: 185,
  nucleoOlivary: 0.3,
  nucleoOlivaryDelay: 5,
  ltp: 0.0002,
  ltd: 0.015,
  ltdTau: 20,
  /** LTD kernel delay of each subpopulation as a fraction of its tau_e (0: none). */
  ltdDelayFrac: 0,
  wMaxRatio: 2,
};

const r4 = (x) => Number(x.toPrecision(4));
const pad = (k) => String(k).padStart(2, '0');
const taus = Array.from({ length: GRANULE.K }, (_, k) => GRANULE.TMIN * Math.pow(GRANULE.TMAX / GRANULE.TMIN, k / (GRANULE.K - 1)));

function granularLayer() {
  const P = [];
  P.push('  mossy:');
  P.push('    description: mossy fibres carrying the CS (the protocol injects Poisson spikes, 5 Hz at rest and 50 Hz during the CS)');
  P.push(`    size: ${GRANULE.MOSSY}`);
  P.push('    source: { kind: external }');
  P.push('  golgi:');
  P.push('    description: Golgi cells (LIF; a small bias keeps them firing at about 4 Hz at rest, about 100 Hz during the CS)');
  P.push('    model: lif');
  P.push(`    size: ${GRANULE.GOLGI}`);
  P.push('    params: { tau_m: 10, tau_e: 2, tau_i: 10, v_rest: -65, v_th: -50, v_reset: -65, t_ref: 2, i_bias: 10 }');
  P.push('    init: { v: { uniform: { low: -65, high: -50 } } }');
  taus.forEach((t, k) => {
    P.push(`  granule-${pad(k)}:`);
    P.push(`    description: granule cells, excitation tau ${r4(t)} ms, inhibition tau ${r4(2 * t)} ms`);
    P.push('    model: lif');
    P.push(`    size: ${GRANULE.PER}`);
    P.push(`    params: { tau_m: 5, tau_e: ${r4(t)}, tau_i: ${r4(2 * t)}, v_rest: -65, v_th: -50, v_reset: -65, t_ref: 2 }`);
  });
  const J = [];
  J.push('  - { name: mf-goc, source: mossy, target: golgi, receptor: exc, connectivity: { rule: fixed_indegree, indegree: 20 }, weight: 10, delay_ms: 1 }');
  taus.forEach((t, k) => {
    const sp = Math.pow(t / 50, GRANULE.SPOW);
    const we = (sp * GRANULE.WE * 10) / t;
    const wi = (sp * GRANULE.WI * 10) / t;
    const name = `granule-${pad(k)}`;
    // lognormal with mean we: mu = ln(we) - sigma^2 / 2.
    J.push(`  - { name: mf-${name}, source: mossy, target: ${name}, receptor: exc, connectivity: { rule: fixed_indegree, indegree: 50 }, weight: { lognormal: { mu: ${r4(Math.log(we) - (GRANULE.SIGMA * GRANULE.SIGMA) / 2)}, sigma: ${GRANULE.SIGMA} } }, delay_ms: 1 }`);
    J.push(`  - { name: goc-${name}, source: golgi, target: ${name}, receptor: inh, connectivity: { rule: fixed_indegree, indegree: 30 }, weight: ${r4(-wi)}, delay_ms: 1 }`);
  });
  return { P, J };
}

const SPECTRAL_REFS = [
  'references:',
  '  - "S. Grossberg and N. A. Schmajuk, Neural dynamics of adaptive timing and temporal discrimination during associative learning, Neural Networks 2:79 (1989)"',
  '  - "D. Bullock, J. C. Fiala and S. Grossberg, A neural model of timed response learning in the cerebellum, Neural Networks 7:1101 (1994)"',
  '  - "J. C. Fiala, S. Grossberg and D. Bullock, Metabotropic glutamate receptor activation in cerebellar Purkinje cells as substrate for adaptive timing of the classically conditioned eye-blink response, J Neurosci 16:3760 (1996)"',
  '  - "M. D. Mauk and N. H. Donegan, A model of Pavlovian eyelid conditioning based on the synaptic organization of the cerebellum, Learn Mem 4:130 (1997)"',
];

export function granuleTiming() {
  const L = [];
  L.push('# Spectral-timing granular layer: a conditioned stimulus held on the mossy fibres gives a granule-cell code that');
  L.push('# changes with the time elapsed since its onset (issue 15, item 2). Twenty granule subpopulations differ only in');
  L.push('# their synaptic time constants: slow mossy-fibre excitation with tau_e log-spaced from 20 to 500 ms, and slower');
  L.push("# feed-forward Golgi inhibition (tau_i = 2 tau_e) that ends up stronger than the excitation (1.35x at the CS's steady");
  L.push('# state), so each subpopulation fires as a band-pass around its own delay after CS onset: spectral timing (Grossberg &');
  L.push('# Schmajuk 1989; Bullock, Fiala & Grossberg 1994, who placed the spectrum in mGluR-mediated responses of cerebellar');
  L.push('# cells; Fiala, Grossberg & Bullock 1996). A Yamazaki & Tanaka (2007) recurrent layer was tried first and decoded');
  L.push('# worse at this scale (docs/research/granule-time-code-2026-12-05.md).');
  L.push('#');
  L.push('# Written by scripts/timing-circuits.mjs (edit the parameters there). Every number below was tuned here');
  L.push('# (test/cerebellum/granule-timing.test.ts measures the code): elapsed time decodes from 150 cells x 20');
  L.push('# subpopulations with a mean error of about 27 ms over 0-600 ms (chance 200 ms), and 1-5% of the granule cells are');
  L.push('# active per 20 ms bin after the onset transient.');
  L.push('# Units: lif weights are jumps of the synaptic variable in mV; a weight w with time constant tau gives a mean');
  L.push('# input of rate * w * tau, so the weights scale as 1 / tau (times (tau / 50 ms)^0.1, which keeps the slow, less');
  L.push('# noisy subpopulations reaching threshold).');
  L.push('name: granule-timing');
  L.push('description: Spectral-timing granular layer (20 granule subpopulations with log-spaced synaptic time constants, feed-forward Golgi inhibition); the CS is injected on mossy (5 Hz at rest, 50 Hz during the CS)');
  L.push(...SPECTRAL_REFS);
  L.push('dt_ms: 0.1');
  L.push('populations:');
  const { P, J } = granularLayer();
  L.push(...P, 'projections:', ...J);
  return L.join('\n') + '\n';
}

export function eyeblink() {
  const E = EYEBLINK;
  const L = [];
  L.push('# Delay eyeblink conditioning (issue 15; scenarios/eyeblink.yaml): the spectral-timing granular layer of');
  L.push('# circuits/granule-timing.yaml as the parallel fibres of 32 Purkinje cells, which inhibit 32 deep-nuclear cells; the');
  L.push('# nuclei inhibit the inferior olive (nucleo-olivary inhibition), whose climbing fibres carry the US as complex spikes');
  L.push('# and teach the parallel-fibre synapses with the cf_error rule (LTD on a complex spike for recently active fibres, LTP');
  L.push('# for every fibre spike). Each fibre also drives lumped molecular-layer interneurons (feed-forward inhibition onto');
  L.push('# the Purkinje cells, not plastic), so that depressing a fibre\'s excitation leaves its inhibition: a learned pause.');
  L.push('# Purkinje, nuclear and olivary cell parameters are those of circuits/cerebellum-lif.yaml (BSB / Geminiani et al.);');
  L.push('# the weights, the Purkinje bias and the rule\'s rates were tuned here (docs/PARAMETERS.md, DECISIONS 46).');
  L.push('#');
  L.push('# Written by scripts/timing-circuits.mjs (edit the parameters there).');
  L.push('name: eyeblink');
  L.push('description: Spectral-timing granular layer -> Purkinje cells (cf_error plasticity, feed-forward inhibition) -> deep nuclei -| inferior olive; CS on mossy, US on us (both driven by the eyeblink protocol)');
  L.push(...SPECTRAL_REFS);
  L.push('  - "J. F. Medina, K. S. Garcia, W. L. Nores, N. M. Taylor and M. D. Mauk, Timing mechanisms in the cerebellum: testing predictions of a large-scale computer simulation, J Neurosci 20:5516 (2000)"');
  L.push('  - "A. Geminiani, C. Casellato, F. Locatelli, F. Prestori, A. Pedrocchi and E. D\'Angelo, Complex dynamics in simplified neuronal models: reproducing Golgi cell electroresponsiveness, Front Neuroinform 12:88 (2018)"');
  L.push('dt_ms: 0.1');
  L.push('populations:');
  const { P, J } = granularLayer();
  L.push(...P);
  L.push('  purkinje:');
  L.push('    description: Purkinje cells (BSB LIF with conductances; the bias gives about 45 Hz tonic simple spikes)');
  L.push('    model: lif_cond');
  L.push(`    size: ${E.cells}`);
  L.push(`    params: { c_m: 334, g_l: 7.1, e_l: -59, e_e: 0, e_i: -80, tau_e: 3, tau_i: 3, v_th: -43, v_reset: -69, t_ref: 0.5, i_bias: ${E.purkinjeBias} }`);
  L.push('    init: { v: { uniform: { low: -69, high: -43 } } }');
  L.push('  dcn:');
  L.push('    description: deep cerebellar nuclear cells (AdEx with rebound, cerebellum-lif); their rate is the conditioned response');
  L.push('    model: adex');
  L.push(`    size: ${E.cells}`);
  L.push(`    params: { c_m: 142, g_l: 2.375, e_l: -45, v_t: -36, delta_t: 0, v_peak: 0, v_reset: -55, t_ref: 1.5, tau_w: 21.3, a: 5, b: 10, i_bias: ${E.dcnBias}, tau_e: 1, tau_i: 10 }`);
  L.push('    init: { v: { uniform: { low: -55, high: -36 } } }');
  L.push('  olive:');
  L.push('    description: inferior olive (BSB LIF); a complex spike per US until the nuclei inhibit it');
  L.push('    model: lif_cond');
  L.push(`    size: ${E.cells}`);
  L.push('    params: { c_m: 189, g_l: 17.18, e_l: -45, e_e: 0, e_i: -80, tau_e: 1, tau_i: 60, v_th: -35, v_reset: -45, t_ref: 1, i_bias: 0 }');
  L.push('  us:');
  L.push('    description: the unconditioned stimulus (air puff) reaching the olive (the protocol injects it)');
  L.push(`    size: ${E.cells}`);
  L.push('    source: { kind: external }');
  L.push('projections:');
  L.push(...J);
  taus.forEach((_, k) => {
    const g = `granule-${pad(k)}`;
    const w = E.pfWeight;
    L.push(`  - { name: pf-${pad(k)}, source: ${g}, target: purkinje, receptor: exc, connectivity: { rule: fixed_indegree, indegree: ${E.pfIndegree} }, weight: ${r4(w)}, delay_ms: 1, plastic: true }`);
    L.push(`  - { name: mli-${pad(k)}, source: ${g}, target: purkinje, receptor: inh, connectivity: { rule: fixed_indegree, indegree: ${E.pfIndegree} }, weight: ${r4(E.mliRatio * w)}, delay_ms: ${E.mliDelay} }`);
  });
  L.push(`  - { name: cf, source: olive, target: purkinje, receptor: exc, connectivity: { rule: one_to_one }, weight: ${E.cfWeight}, delay_ms: 1 }`);
  L.push(`  - { name: pc-dcn, source: purkinje, target: dcn, receptor: inh, connectivity: ${E.pcDcnIndegree ? `{ rule: fixed_indegree, indegree: ${E.pcDcnIndegree}, allow_multapses: false }` : '{ rule: all_to_all }'}, weight: ${E.pcDcn}, delay_ms: 1 }`);
  L.push(`  - { name: us-io, source: us, target: olive, receptor: exc, connectivity: { rule: one_to_one }, weight: ${E.usWeight}, delay_ms: 0.1 }`);
  L.push(`  - { name: dcn-io, source: dcn, target: olive, receptor: inh, connectivity: { rule: all_to_all }, weight: ${E.nucleoOlivary}, delay_ms: ${E.nucleoOlivaryDelay} }`);
  L.push('plasticity:');
  taus.forEach((t, k) => {
    const w = E.pfWeight;
    L.push(`  - { rule: cf_error, name: ltd-${pad(k)}, projection: pf-${pad(k)}, teacher: olive, ltp: ${E.ltp}, ltd: ${E.ltd}, ltd_tau_ms: ${E.ltdTau}, ltd_delay_ms: ${r4(Math.round(E.ltdDelayFrac * t * 10) / 10)}, w_min: 0, w_max: ${r4(E.wMaxRatio * w)} }`);
  });
  L.push('eyeblink:');
  L.push('  mossy: mossy');
  L.push('  us: us');
  L.push('  purkinje: purkinje');
  L.push('  dcn: dcn');
  L.push('  olive: olive');
  L.push(`  granule: [${taus.map((_, k) => `granule-${pad(k)}`).join(', ')}]`);
  return L.join('\n') + '\n';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, text] of [['granule-timing.yaml', granuleTiming()], ['eyeblink.yaml', eyeblink()]]) {
    const file = path.join(ROOT, 'circuits', name);
    if (check) {
      let now = '';
      try {
        now = readFileSync(file, 'utf8');
      } catch {}
      if (now !== text) {
        process.stderr.write(`circuits/${name} is not the output of scripts/timing-circuits.mjs\n`);
        stale++;
      }
    } else writeFileSync(file, text);
  }
  process.exit(stale ? 1 : 0);
}
