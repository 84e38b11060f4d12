/** What the integrate-and-fire models share: threshold, reset and refractoriness, and their consistency check. */
import type { ParamSpec } from './types.ts';

/** Threshold, reset and refractory period (Brette et al. 2007 benchmark values). */
export const THRESHOLD_RESET_PARAMS = Object.freeze({
  v_th: { unit: 'mV', default: -50, doc: 'spike threshold' },
  v_reset: { unit: 'mV', default: -60, doc: 'reset potential' },
  t_ref: { unit: 'ms', default: 5, min: 0, doc: 'absolute refractory period (v held at v_reset)' },
} satisfies Record<string, ParamSpec>);

/** The reset must lie below the threshold, or a neuron would fire again on the tick its refractoriness ends. */
export function resetBelowThreshold(p: { v_reset: number; v_th: number }): { field: 'v_reset'; expected: string } | null {
  return p.v_reset < p.v_th ? null : { field: 'v_reset', expected: `must be below v_th (${p.v_th} mV)` };
}
