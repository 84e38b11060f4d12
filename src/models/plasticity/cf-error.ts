/**
 * Error-driven plasticity at the parallel-fibre -> Purkinje synapse, always on: the climbing fibre carries the error
 * (the inferior olive fires when the teaching input exceeds what the deep nuclei already give), and
 *   - LTP: every parallel-fibre (PF) spike adds `ltp` to each of its synapses (PF activity without complex spikes
 *     potentiates: Lev-Ram et al. 2002; Coesmans et al. 2004);
 *   - LTD: a climbing-fibre (CF) spike to Purkinje cell k at tick s subtracts from each PF -> k synapse
 *       ltd * sum over that PF's spikes at ticks t in [s - D - windowTicks, s - D] of exp(-(s - t - D) / tauTicks),
 *     D = delayTicks (default 0): the PF activity that preceded the complex spike by D ticks or more, weighted by an
 *     exponential eligibility kernel (Marr 1969; Albus 1971; Ito 2001; the kernel form of Luque et al. 2011 and EDLUT's
 *     cerebellar models). With D = 0 the kernel peaks at coincidence; D > 0 makes the most eligible parallel-fibre
 *     activity the one that came D before the complex spike (LTD is largest when PF activity leads the CF by tens to
 *     a couple of hundred ms: Wang, Denk & Häusser 2000; Safo & Regehr 2008).
 * Weights are clipped to [wMin, wMax] after each change. A PF spike followed by no complex spike is net LTP; with a
 * complex spike at the same tick it is net ltp - ltd. At a fixed point of learning the olive's complex spikes balance
 * the PFs' potentiation; with the nucleo-olivary loop that is where the nuclei's output cancels the teaching input.
 *
 * Order within a tick (the engine's): the PF spikes of tick s are potentiated as they arrive (plasticity phase), the CF
 * spikes of tick s are applied at the end of the tick, when every PF spike of that tick is in the kernel.
 *
 * Event-driven: the PF spikes of the last delayTicks + windowTicks ticks are kept in order of arrival; a CF spike visits those
 * spikes once and, for each PF among them, the one synapse onto k (binary search in the PF's row, sorted by target).
 * Nothing is visited for PFs that have been silent for the window. The sum over a PF's spikes is accumulated in
 * float64 and rounded once into the float32 weight.
 */

import { lowerBound, type PlasticSynapses } from './cf-gated.ts';

export interface CfErrorParams {
  /** Weight added to each synapse of a PF at each of its spikes. */
  readonly ltp: number;
  /** LTD amplitude: weight removed per unit of kernel-weighted PF activity at a CF spike. */
  readonly ltd: number;
  /** Decay of the eligibility kernel, in ticks. */
  readonly tauTicks: number;
  /** PF spikes more than delayTicks + windowTicks before the CF spike are not counted. */
  readonly windowTicks: number;
  /** The kernel's delay: PF spikes less than this before the CF spike are not counted (default 0). */
  readonly delayTicks?: number;
  readonly wMin: number;
  readonly wMax: number;
}

export class CfErrorRule {
  /** PF spikes of the last windowTicks ticks: ticks and PF indices, in order of arrival, from `head` on. */
  private ticks: number[] = [];
  private pfs: number[] = [];
  private head = 0;
  private readonly delay: number;
  /** Scratch: kernel-weighted activity per PF for the CF spike being applied, and the PFs touched. */
  private readonly activity: Float64Array;
  private readonly touched: number[] = [];
  ltpEvents = 0;
  ltdEvents = 0;
  /** Weight changes cut short by wMin / wMax. */
  clipped = 0;
  /** Sum of |weight change| applied so far (for learning curves and the zero-error test). */
  totalChange = 0;

  constructor(
    readonly params: CfErrorParams,
    private readonly syn: PlasticSynapses,
  ) {
    if (!(params.tauTicks > 0)) throw new RangeError(`cf_error: the kernel's time constant must be > 0 ticks, got ${params.tauTicks}`);
    if (!(Number.isInteger(params.windowTicks) && params.windowTicks >= 0)) throw new RangeError(`cf_error: the window must be a whole number of ticks >= 0, got ${params.windowTicks}`);
    const d = params.delayTicks ?? 0;
    if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`cf_error: the kernel's delay must be a whole number of ticks >= 0, got ${d}`);
    this.delay = d;
    this.activity = new Float64Array(syn.rowPtr.length - 1);
  }

  private change(s: number, dw: number): void {
    const { wMin, wMax } = this.params;
    const before = this.syn.weights[s]!;
    const want = before + dw;
    const after = want < wMin ? wMin : want > wMax ? wMax : want;
    if (after !== want) this.clipped++;
    this.syn.weights[s] = after;
    this.totalChange += Math.abs(this.syn.weights[s]! - before);
  }

  /** LTP on every synapse of PF `pf`; the spike enters the LTD kernel's history. */
  parallelFibreSpike(tick: number, pf: number): void {
    if ((this.ticks.length & 1023) === 1023) this.forget(tick - this.delay - this.params.windowTicks);
    this.ticks.push(tick);
    this.pfs.push(pf);
    const { rowPtr } = this.syn;
    const ltp = this.params.ltp;
    if (ltp !== 0) for (let s = rowPtr[pf]!; s < rowPtr[pf + 1]!; s++) this.change(s, ltp);
    this.ltpEvents++;
  }

  /** LTD of every PF -> k synapse by the kernel-weighted activity of its PF in [tick - D - windowTicks, tick - D]. */
  climbingFibreSpike(tick: number, k: number): void {
    const last = tick - this.delay;
    this.forget(last - this.params.windowTicks);
    const { rowPtr, col } = this.syn;
    const { tauTicks, ltd } = this.params;
    const act = this.activity;
    for (let q = this.head; q < this.ticks.length; q++) {
      const t = this.ticks[q]!;
      if (t > last) break;
      const j = this.pfs[q]!;
      if (act[j] === 0) this.touched.push(j);
      act[j]! += Math.exp(-(last - t) / tauTicks);
    }
    for (const j of this.touched) {
      const a = act[j]!;
      act[j] = 0;
      for (let s = lowerBound(col, rowPtr[j]!, rowPtr[j + 1]!, k); s < rowPtr[j + 1]! && col[s] === k; s++) {
        this.change(s, -ltd * a);
        this.ltdEvents++;
      }
    }
    this.touched.length = 0;
  }

  /** Drops the PF spikes before `tick` (they can no longer pair with a CF spike). */
  private forget(tick: number): void {
    while (this.head < this.ticks.length && this.ticks[this.head]! < tick) this.head++;
    if (this.head > 4096 && this.head * 2 > this.ticks.length) {
      this.ticks = this.ticks.slice(this.head);
      this.pfs = this.pfs.slice(this.head);
      this.head = 0;
    }
  }
}
