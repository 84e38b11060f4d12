/**
 * Climbing-fibre-gated plasticity at the parallel-fibre -> Purkinje synapse (Marr 1969; Albus 1971; Ito 2001):
 * within a write window, a parallel-fibre (PF) spike paired with a climbing-fibre (CF) spike to Purkinje cell k
 * (the CF spike at most `windowTicks` after the PF spike) depresses the PF -> k synapse by `ltd` (LTD); a PF spike
 * in the window that no CF to k pairs with potentiates the synapse by `ltp` (LTP). Weights are clipped to
 * [wMin, wMax] after each change.
 *
 * Event-driven (NEST's stdp_synapse, EDLUT's trigger synapses): the CF spike is the trigger for LTD over the PF
 * spikes of the recent history; the end of the write window is the trigger for LTP over the window's PF spikes
 * that stayed unpaired. No synapse is visited unless a PF that reaches it spiked in the window (normalize aside).
 * Bookkeeping: the window's PF spikes are kept in order of arrival, so the spikes a CF spike at tick s pairs with,
 * those in [s - windowTicks, s], are one run of that list. CF spikes must come in time order (the engine applies them
 * at the end of their tick): a new run then starts after or inside the last one, so each target keeps only the last
 * PF spike it was paired with, and a (PF spike, target) pair is depressed at most once per window. The spikes of one
 * PF in a run are applied as one change (count x ltd), and at the window's end each synapse gets
 * (spikes - paired spikes) x ltp at once. Changes of one sign clip the same way applied one by one or summed, given
 * weights inside [wMin, wMax] (network.ts checks the initial ones); with steps that are not integers the summed change
 * is rounded once instead of once per spike (float32 weights: a difference in the last bits).
 *
 * As a Sparse Distributed Memory write (Kanerva 1988): with ltp = ltd = 1 and zero initial weights, the weight from
 * granule cell j to Purkinje cell k is minus the SDM counter c_jk: a CF spike writes bit 1 (c += 1) and its absence
 * writes bit 0 (c -= 1) at every active location; saturation at +-c is wMin = -c, wMax = c.
 *
 * Heterosynaptic normalisation (`normalize`): when the window closes, the net change of Purkinje cell k's weights in
 * that window is taken back evenly from all of k's synapses, so each cell's summed PF weight stays constant (a
 * homeostatic constraint; synaptic scaling, Turrigiano 2008). Each write then adds
 * -(2 v_k - 1)(a_j - sum(a) / N_k) to weight j -> k (a_j: spikes of PF j in the window, N_k: synapses onto k): the
 * covariance rule (Tsodyks & Feigel'man 1988; Dayan & Willshaw 1991), which removes the read's interference from the
 * mean overlap between stored codes (docs/DECISIONS.md 33). Clipping at wMin / wMax breaks that equivalence; the
 * rule counts the clipped changes (`clipped`).
 *
 * Per-target gating (`openWindow(plastic)`): a window opened with a mask changes only the synapses onto targets k with
 * plastic[k] != 0; CF spikes to the others are ignored and their PF spikes leave them unchanged (no LTD, no LTP). This
 * is the error-driven (perceptron-like) write of the SDM protocol (`write_rule: error`, docs/DECISIONS.md 47): only the
 * Purkinje cells whose bit was read wrong learn, those with target 1 by LTD (they get the CF spike), those with target
 * 0 by LTP. With `normalize` the correction covers the plastic targets only (the others had no net change to take
 * back). Without a mask every target is plastic, as before.
 */

export interface CfGatedParams {
  readonly ltp: number;
  readonly ltd: number;
  /** A CF spike at tick s pairs with PF spikes at ticks in [s - windowTicks, s]. */
  readonly windowTicks: number;
  readonly wMin: number;
  readonly wMax: number;
  /** Keep each target's summed weight constant: take a window's net change back evenly from all its synapses. */
  readonly normalize?: boolean;
}

/** The PF -> PC synapses the rule changes: CSR by PF with sorted rows and one weight per synapse. */
export interface PlasticSynapses {
  readonly rowPtr: Uint32Array;
  readonly col: Uint32Array;
  readonly weights: Float32Array;
}

export class CfGatedRule {
  /** PF spikes of the open window: ticks and PF indices, in order of arrival (ticks non-decreasing). */
  private pfTicks: number[] = [];
  private pfNeurons: number[] = [];
  /** Per target: the last PF spike number paired with one of its CF spikes in this window (-1: none). */
  private readonly lastPaired: Int32Array;
  /** Spikes of each PF in the open window, and the PFs that spiked. */
  private readonly spikeCount: Uint32Array;
  private readonly spiking: number[] = [];
  /** Spikes of each PF in the run being paired (scratch), and the PFs in it. */
  private readonly runCount: Uint32Array;
  private readonly inRun: number[] = [];
  /** Per synapse: spikes of its PF paired with a CF spike to its target in the open window. */
  private readonly pairedCount: Uint32Array;
  private open = false;
  /** The open window's per-target gate (null: every target plastic). */
  private plastic: Uint8Array | null = null;
  ltdEvents = 0;
  ltpEvents = 0;
  /** Weight changes cut short by wMin / wMax. */
  clipped = 0;
  /** Net weight change of each target in the open window (normalize only). */
  private readonly net: Float64Array;
  /** Synapses onto each target (normalize only). */
  private readonly inDegree: Uint32Array;

  constructor(
    readonly params: CfGatedParams,
    private readonly syn: PlasticSynapses,
    private readonly nTargets: number,
  ) {
    this.lastPaired = new Int32Array(nTargets).fill(-1);
    const nPf = syn.rowPtr.length - 1;
    this.spikeCount = new Uint32Array(nPf);
    this.runCount = new Uint32Array(nPf);
    this.pairedCount = new Uint32Array(syn.col.length);
    this.net = new Float64Array(params.normalize ? nTargets : 0);
    this.inDegree = new Uint32Array(params.normalize ? nTargets : 0);
    if (params.normalize) for (const k of syn.col) this.inDegree[k]!++;
  }

  /** Adds dw to synapse s of target k, clipped to [wMin, wMax]. */
  private change(s: number, k: number, dw: number): void {
    const { wMin, wMax } = this.params;
    const before = this.syn.weights[s]!;
    const want = before + dw;
    const after = clip(want, wMin, wMax);
    if (after !== want) this.clipped++;
    this.syn.weights[s] = after;
    if (this.params.normalize) this.net[k]! += after - before;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /**
   * Opens a write window. With `plastic` (one entry per target), only targets k with plastic[k] != 0 change in this
   * window; the array is read when the window's spikes are applied, so it must not change before closeWindow.
   */
  openWindow(plastic?: Uint8Array): void {
    if (plastic !== undefined && plastic.length !== this.nTargets) throw new RangeError(`plastic mask of ${plastic.length} entries, expected one per target (${this.nTargets})`);
    this.plastic = plastic ?? null;
    this.open = true;
  }

  parallelFibreSpike(tick: number, pf: number): void {
    if (!this.open) return;
    this.pfTicks.push(tick);
    this.pfNeurons.push(pf);
    if (this.spikeCount[pf]!++ === 0) this.spiking.push(pf);
  }

  /** LTD for every PF spike in [tick - windowTicks, tick] onto Purkinje cell k not yet paired with it. */
  climbingFibreSpike(tick: number, k: number): void {
    if (!this.open) return;
    if (this.plastic !== null && this.plastic[k] === 0) return;
    const { windowTicks, ltd } = this.params;
    const { rowPtr, col } = this.syn;
    const ticks = this.pfTicks;
    // The run of PF spikes with tick in [tick - windowTicks, tick]: [lo, hi).
    const lo = firstAtLeast(ticks, tick - windowTicks);
    const hi = firstAtLeast(ticks, tick + 1);
    if (lo >= hi) return;
    // Runs arrive in time order: the new one starts after the last paired spike or overlaps the last run.
    const from = Math.max(lo, this.lastPaired[k]! + 1);
    if (from >= hi) return;
    this.lastPaired[k] = hi - 1;
    const counts = this.runCount;
    for (let q = from; q < hi; q++) {
      const j = this.pfNeurons[q]!;
      if (counts[j]!++ === 0) this.inRun.push(j);
    }
    for (const j of this.inRun) {
      const c = counts[j]!;
      counts[j] = 0;
      for (let s = lowerBound(col, rowPtr[j]!, rowPtr[j + 1]!, k); s < rowPtr[j + 1]! && col[s] === k; s++) {
        this.change(s, k, -c * ltd);
        this.pairedCount[s]! += c;
        this.ltdEvents += c;
      }
    }
    this.inRun.length = 0;
  }

  /** LTP for the window's PF spikes that no CF paired with, then (normalize) the heterosynaptic correction. */
  closeWindow(): void {
    if (!this.open) return;
    const { ltp } = this.params;
    const { rowPtr, col } = this.syn;
    const plastic = this.plastic;
    for (const j of this.spiking) {
      const c = this.spikeCount[j]!;
      this.spikeCount[j] = 0;
      for (let s = rowPtr[j]!; s < rowPtr[j + 1]!; s++) {
        const unpaired = c - this.pairedCount[s]!;
        this.pairedCount[s] = 0;
        if (unpaired <= 0) continue;
        if (plastic !== null && plastic[col[s]!] === 0) continue;
        this.change(s, col[s]!, unpaired * ltp);
        this.ltpEvents += unpaired;
      }
    }
    this.spiking.length = 0;
    if (this.params.normalize) {
      const shift = new Float64Array(this.nTargets);
      let any = false;
      for (let k = 0; k < this.nTargets; k++) {
        if (this.net[k] !== 0 && this.inDegree[k]! > 0) {
          shift[k] = -this.net[k]! / this.inDegree[k]!;
          any = true;
        }
      }
      // One pass over the synapses; the correction's own net change is not tracked (the window is over).
      if (any) {
        const { weights } = this.syn;
        const { wMin, wMax } = this.params;
        for (let s = 0; s < col.length; s++) {
          const dw = shift[col[s]!]!;
          if (dw === 0) continue;
          const want = weights[s]! + dw;
          const after = clip(want, wMin, wMax);
          if (after !== want) this.clipped++;
          weights[s] = after;
        }
      }
      this.net.fill(0);
    }
    this.pfTicks = [];
    this.pfNeurons = [];
    this.lastPaired.fill(-1);
    this.plastic = null;
    this.open = false;
  }
}

function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** First index q of the non-decreasing list with xs[q] >= x (xs.length if none). */
function firstAtLeast(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in [lo, hi) of the sorted `col` with col >= k (hi if none). */
export function lowerBound(col: Uint32Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (col[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
