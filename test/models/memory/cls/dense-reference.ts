/**
 * The sparse Hopfield notebook from its definition (Sun et al. 2023; models/memory/cls/notebook.ts): the dense
 * W_ij = (1/n) sum_mu (xi_i - a)(xi_j - a) - gamma/(M a) (i != j, W_ii = 0) built from the pattern lists, h = W s by
 * the full product every cycle, kWTA by a full sort (fields within FIELD_TIE_TOLERANCE of the k-th largest tied, the
 * lowest indices win), threshold h >= U - tol, cycles stopped at the first that changes nothing. Shared by the tests
 * of the notebook (notebook-fast.test.ts) and of its WebAssembly lanes (test/backends/notebook-lanes.test.ts).
 */
import { FIELD_TIE_TOLERANCE } from '../../../../src/models/memory/cls/notebook.ts';
import type { NotebookParams } from '../../../../src/models/memory/cls/params.ts';

/** The reference notebook: dense W and synchronous cycles from the definition. */
export class DenseReference {
  readonly w: Float64Array;
  readonly ties = { kwta: 0 };
  constructor(
    readonly m: number,
    readonly k: number,
    readonly params: NotebookParams,
    patterns: Int32Array,
    p: number,
  ) {
    const a = params.a;
    const n = m * a * (1 - a);
    const xi = new Float64Array(p * m).fill(-a);
    for (let mu = 0; mu < p; mu++) for (let j = 0; j < k; j++) xi[mu * m + patterns[mu * k + j]!] = 1 - a;
    this.w = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        let sum = 0;
        for (let mu = 0; mu < p; mu++) sum += xi[mu * m + i]! * xi[mu * m + j]!;
        this.w[i * m + j] = sum / n - params.gamma / (m * a);
      }
  }

  field(s: Uint8Array): Float64Array {
    const { m, w } = this;
    const h = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let v = 0;
      for (let j = 0; j < m; j++) if (s[j]) v += w[i * m + j]!;
      h[i] = v;
    }
    return h;
  }

  kwta(s: Uint8Array): Uint8Array {
    const h = this.field(s);
    const order = Array.from({ length: this.m }, (_, i) => i).sort((u, v) => h[v]! - h[u]! || u - v);
    const t = h[order[this.k - 1]!]!;
    // tied values (within the tolerance of the k-th largest) go to the lowest indices
    const above = order.filter((i) => h[i]! > t + FIELD_TIE_TOLERANCE);
    const tied = order.filter((i) => Math.abs(h[i]! - t) <= FIELD_TIE_TOLERANCE).sort((u, v) => u - v);
    if (tied.length > this.k - above.length) this.ties.kwta++;
    const out = new Uint8Array(this.m);
    for (const i of above) out[i] = 1;
    for (const i of tied.slice(0, this.k - above.length)) out[i] = 1;
    return out;
  }

  threshold(s: Uint8Array): Uint8Array {
    const h = this.field(s);
    return Uint8Array.from(h, (v) => (v >= this.params.u - FIELD_TIE_TOLERANCE ? 1 : 0));
  }

  /** kWTA then threshold cycles from `seed`; the cycles that changed the state in each phase. */
  settle(seed: Uint8Array): { state: Uint8Array; kwta: number; threshold: number } {
    let s = seed;
    let kwta = 0;
    let threshold = 0;
    for (let c = 0; c < this.params.kwtaCycles; c++) {
      const t = this.kwta(s);
      if (t.every((x, i) => x === s[i])) break;
      s = t;
      kwta++;
    }
    for (let c = 0; c < this.params.thresholdCycles; c++) {
      const t = this.threshold(s);
      if (t.every((x, i) => x === s[i])) break;
      s = t;
      threshold++;
    }
    return { state: s, kwta, threshold };
  }
}

