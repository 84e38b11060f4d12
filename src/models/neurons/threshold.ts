/**
 * Binary threshold unit (McCulloch & Pitts 1943) on the tick grid: in each tick the unit sums the input delivered in
 * that tick (all receptors) plus its bias, records the sum in `input`, and fires when the sum reaches `theta`
 * (sum >= theta; with `strict` = 1, sum > theta). It keeps no memory from tick to tick.
 *
 * This is the exact unit the cerebellar SDM circuit needs where exactness matters: a Kanerva-mode granule cell with
 * unit weights from on/off mossy-fibre pairs counts the address bits that match its own and fires iff the count is
 * at least n - d, that is iff the Hamming distance is at most d; a Purkinje cell's `input` is its summed
 * parallel-fibre input, the SDM read. Integer inputs are summed exactly in float64 (and in float32 below 2^24).
 */
import { defineModel, type StepIO } from './types.ts';

export interface ThresholdParams extends Record<string, number> {
  theta: number;
  bias: number;
  strict: number;
}

export const THRESHOLD_UNIT = defineModel<ThresholdParams, null>({
  name: 'threshold_unit',
  doc: 'Binary threshold unit: fires in a tick when the input of that tick reaches theta',
  params: {
    theta: { unit: 'input', default: 1, doc: 'firing threshold on the summed input of one tick' },
    bias: { unit: 'input', default: 0, doc: 'constant input added every tick' },
    strict: { unit: '0 or 1', default: 0, min: 0, max: 1, integer: true, doc: '1: fire when sum > theta instead of sum >= theta' },
  },
  receptors: ['exc', 'inh'],
  stateVars: ['v', 'input'],
  derive: () => null,
  init(n, p) {
    return { v: new Float64Array(n), input: new Float64Array(n).fill(p.bias) };
  },
  step: stepThreshold,
});

export function stepThreshold(io: StepIO, p: ThresholdParams): number {
  const { n, state, rings, slotOffset: off, iExt, spikes } = io;
  const input = state.input!;
  const v = state.v!;
  const ringE = rings[0]!;
  const ringI = rings[1]!;
  const { theta, bias } = p;
  const strict = p.strict === 1;
  let count = 0;
  if (!io.slotHasInput && iExt === null) {
    // No input this tick: every unit sees the bias alone.
    const fires = strict ? bias > theta : bias >= theta;
    for (let i = 0; i < n; i++) {
      input[i] = bias;
      v[i] = fires ? 1 : 0;
      if (fires) spikes[count++] = i;
    }
    io.status[0] = fires ? 0 : 1;
    return count;
  }
  for (let i = 0; i < n; i++) {
    const s = bias + ringE[off + i]! + ringI[off + i]! + (iExt === null ? 0 : iExt[i]!);
    ringE[off + i] = 0;
    ringI[off + i] = 0;
    input[i] = s;
    const fire = strict ? s > theta : s >= theta;
    v[i] = fire ? 1 : 0;
    if (fire) spikes[count++] = i;
  }
  io.status[0] = 0;
  return count;
}
