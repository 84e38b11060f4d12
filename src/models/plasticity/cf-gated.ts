/**
 * Climbing-fibre-gated plasticity at the parallel-fibre -> Purkinje synapse (Marr 1969; Albus 1971; Ito 2001):
 * within a write window, a parallel-fibre (PF) spike paired with a climbing-fibre (CF) spike to Purkinje cell k
 * (the CF spike at most `windowTicks` after the PF spike) depresses the PF -> k synapse by `ltd` (LTD); a PF spike
 * in the window that no CF to k pairs with potentiates the synapse by `ltp` (LTP). Weights are clipped to
 * [wMin, wMax] after each change.
 *
 * Event-driven (NEST's stdp_synapse, EDLUT's trigger synapses): the CF spike is the trigger for LTD over the PF
 * spikes of the recent history; the end of the write window is the trigger for LTP over the window's PF spikes
 * that stayed unpaired. No synapse is visited unless a PF that reaches it spiked in the window.
 *
 * As a Sparse Distributed Memory write (Kanerva 1988): with ltp = ltd = 1 and zero initial weights, the weight from
 * granule cell j to Purkinje cell k is minus the SDM counter c_jk: a CF spike writes bit 1 (c += 1) and its absence
 * writes bit 0 (c -= 1) at every active location; saturation at +-c is wMin = -c, wMax = c.
 */

export interface CfGatedParams {
  readonly ltp: number;
  readonly ltd: number;
  /** A CF spike at tick s pairs with PF spikes at ticks in [s - windowTicks, s]. */
  readonly windowTicks: number;
  readonly wMin: number;
  readonly wMax: number;
}

/** The PF -> PC synapses the rule changes: CSR by PF with sorted rows and one weight per synapse. */
export interface PlasticSynapses {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
  readonly weights: Float32Array;
}

export class CfGatedRule {
  /** PF spikes of the open window: ticks and PF indices, in order of arrival. */
  private pfTicks: number[] = [];
  private pfNeurons: number[] = [];
  /** (PF spike number, target) pairs already depressed in this window: key = spike * nTargets + k. */
  private readonly paired = new Set<number>();
  private open = false;
  ltdEvents = 0;
  ltpEvents = 0;

  constructor(
    readonly params: CfGatedParams,
    private readonly syn: PlasticSynapses,
    private readonly nTargets: number,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  openWindow(): void {
    this.open = true;
  }

  parallelFibreSpike(tick: number, pf: number): void {
    if (!this.open) return;
    this.pfTicks.push(tick);
    this.pfNeurons.push(pf);
  }

  /** LTD for every PF spike in [tick - windowTicks, tick] onto Purkinje cell k. */
  climbingFibreSpike(tick: number, k: number): void {
    if (!this.open) return;
    const { windowTicks, ltd, wMin, wMax } = this.params;
    const { rowPtr, col, weights } = this.syn;
    for (let q = this.pfTicks.length - 1; q >= 0; q--) {
      const t = this.pfTicks[q]!;
      if (t > tick) continue;
      if (t < tick - windowTicks) break;
      const key = q * this.nTargets + k;
      if (this.paired.has(key)) continue;
      this.paired.add(key);
      const j = this.pfNeurons[q]!;
      for (let s = lowerBound(col, rowPtr[j]!, rowPtr[j + 1]!, k); s < rowPtr[j + 1]! && col[s] === k; s++) {
        weights[s] = clip(weights[s]! - ltd, wMin, wMax);
        this.ltdEvents++;
      }
    }
  }

  /** LTP for the window's PF spikes that no CF paired with, then forgets the window. */
  closeWindow(): void {
    if (!this.open) return;
    const { ltp, wMin, wMax } = this.params;
    const { rowPtr, col, weights } = this.syn;
    for (let q = 0; q < this.pfNeurons.length; q++) {
      const j = this.pfNeurons[q]!;
      for (let s = rowPtr[j]!; s < rowPtr[j + 1]!; s++) {
        if (this.paired.has(q * this.nTargets + col[s]!)) continue;
        weights[s] = clip(weights[s]! + ltp, wMin, wMax);
        this.ltpEvents++;
      }
    }
    this.pfTicks = [];
    this.pfNeurons = [];
    this.paired.clear();
    this.open = false;
  }
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function lowerBound(col: Uint32Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
